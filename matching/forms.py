from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability
from core.errors import ServiceError
from core.forms import DateField, apply_service_error
from matching.models import BuddyConsentBy, BuddyKind, CheckInOutcome, EndReason, Fit, RejectReason
from matching.services import RUN_SCOPE_KINDS, check_buddy_consent
from pupils.forms import offer
from pupils.languages import LANGUAGE_CHOICES
from pupils.models import Gender, Interest

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _offer_choices(form: forms.Form, name: str, choices: Sequence[tuple[str, "str | StrPromise"]]) -> None:
    """Set the choices of the form's ``ChoiceField`` ``name``, known only when the form is made."""
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


class BuddyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BuddyKind.choices)
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_initial = forms.CharField(label=_("Initial of last name"), max_length=3)
    grade = forms.IntegerField(
        label=_("Grade"), min_value=1, max_value=8, required=False, help_text=_("Peer pupils only.")
    )
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES)
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    capacity = forms.IntegerField(label=_("Capacity (pupils)"), min_value=1, max_value=3, initial=1)
    available_from = DateField(label=_("Available from"), required=False)
    available_until = DateField(label=_("Available until"), required=False)
    consent_by = forms.ChoiceField(
        label=_("Consent given by"),
        choices=[("", _("Not yet")), *BuddyConsentBy.choices],
        required=False,
        help_text=_("Peer pupils need consent from a parent or guardian."),
    )
    trained_on = DateField(label=_("Training done on"), required=False)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "school", scoping.organisations_of_kind(user, Capability.MANAGE_PUPILS, ["school"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_buddy_consent(data.get("kind"), data.get("consent_by"))
        except ServiceError as exc:
            apply_service_error(self, exc)
        return data


class StartRunForm(forms.Form):
    scope = forms.ModelChoiceField(label=_("For"), queryset=Organisation.objects.none())
    buddy_kind = forms.ChoiceField(label=_("Buddy kind"), choices=BuddyKind.choices)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = scoping.organisations_of_kind(user, Capability.RUN_MATCHING, RUN_SCOPE_KINDS)
        offer(self, "scope", scopes.order_by("path"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Separated by ; or , as Excel saves it; UTF-8 or Windows characters."),
    )
    update_existing = forms.BooleanField(
        label=_("Update records already registered (same school and name) instead of refusing the file"),
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Only check: show what would change, import nothing"), required=False
    )


class CheckInForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How is it going?"), choices=CheckInOutcome.choices)
    # ISO in the value: an <input type="date"> shows nothing for a Dutch-formatted date.
    held_on = forms.DateField(
        label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FitForm(forms.Form):
    fit = forms.ChoiceField(label=_("After the first meeting"), choices=Fit.choices)


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=EndReason.choices)
    note = forms.CharField(
        label=_("Explanation"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    note = forms.CharField(
        label=_("Explanation"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SwapForm(forms.Form):
    buddy = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoFieldsForm(forms.Form):
    """Approve, lock and the undo buttons carry nothing but the action."""


class PupilSearchForm(forms.Form):
    name = forms.CharField(label=_("Search a pupil by name"), max_length=50, required=False)

    def pupil_filter(self, prefix: str) -> dict[str, str]:
        """Lookups for a queryset reaching the pupil through ``prefix``; none without a valid name."""
        name = self.cleaned_data.get("name", "").strip() if self.is_valid() else ""
        return {f"{prefix}first_name__icontains": name} if name else {}


class AskConsentForm(forms.Form):
    """Ask a peer buddy's parent for consent: by e-mail, or as a printed letter when there is no address."""

    parent_email = forms.EmailField(label=_("Parent's e-mail address"), required=False,
                                    help_text=_("Leave empty to print the letter instead."))  # fmt: skip
    language = forms.ChoiceField(label=_("Language of the letter"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from parents import languages

        super().__init__(*args, **kwargs)
        _offer_choices(self, "language", [(lang.code, lang.name_local) for lang in languages.configured()])


class ParentLetterForm(forms.Form):
    """A letter to the pupil's parents: the buddy's introduction or the invitation to a check-in."""

    kind = forms.ChoiceField(label=_("Letter"), choices=())
    on_date = DateField(label=_("Date of the first meeting or of the talk"))
    parent_email = forms.EmailField(label=_("Parent's e-mail address"), required=False,
                                    help_text=_("Leave empty to print the letter instead."))  # fmt: skip
    language = forms.ChoiceField(label=_("Language of the letter"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from parents import languages
        from parents.models import LetterKind

        super().__init__(*args, **kwargs)
        _offer_choices(self, "kind", LetterKind.choices)
        _offer_choices(self, "language", [(lang.code, lang.name_local) for lang in languages.configured()])
