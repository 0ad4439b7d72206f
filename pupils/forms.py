from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation, User
from accounts.roles import Capability
from core.forms import DateField
from pupils.languages import LANGUAGE_CHOICES
from pupils.models import AccessAction, ConsentBy, Gender, Interest


def offer[M: Model](form: forms.Form, name: str, queryset: QuerySet[M]) -> None:
    """Offer ``queryset`` as the choices of the form's ``ModelChoiceField`` ``name``, which is declared with
    an empty one because what a person may choose depends on who they are."""
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class PupilForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_initial = forms.CharField(label=_("Initial of last name"), max_length=3)
    birth_year = forms.IntegerField(label=_("Birth year"), min_value=2000, max_value=2030)
    school = forms.ModelChoiceField(label=_("Receiving school"), queryset=Organisation.objects.none())
    grade = forms.IntegerField(
        label=_("Grade"),
        min_value=1,
        max_value=8,
        help_text=_("Group 1-8 (primary) or year 1-6 (secondary)."),
    )
    transition_date = DateField(label=_("Transition date"))
    home_languages = forms.MultipleChoiceField(label=_("Home languages"), choices=LANGUAGE_CHOICES)
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages"), choices=LANGUAGE_CHOICES, required=False
    )
    interests = forms.ModelMultipleChoiceField(
        label=_("Interests"),
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", "—"), *Gender.choices],
        required=False,
        help_text=_("Only needed when a buddy gender preference is stated."),
    )
    buddy_gender_preference = forms.ChoiceField(
        label=_("Buddy gender preference"),
        choices=[("", _("No preference")), *Gender.choices],
        required=False,
    )
    consent_by = forms.ChoiceField(
        label=_("Parental consent given by"), choices=[("", _("Not yet")), *ConsentBy.choices], required=False
    )

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "school", scoping.organisations_of_kind(user, Capability.MANAGE_PUPILS, ["school"]))


class PupilFilterForm(forms.Form):
    # No search by name: filters travel in the URL, and pupil data never does.
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none(), required=False)
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=1, max_value=8)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All")), *LANGUAGE_CHOICES], required=False
    )
    waiting = forms.BooleanField(label=_("Only pupils waiting for a buddy"), required=False)

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "school", scoping.organisations_of_kind(user, Capability.VIEW_PUPILS, ["school"]))


class EraseForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for the access log)"), max_length=200)


class UserByEmailField(forms.ModelChoiceField):
    """Users listed by e-mail address, the one name the access log page shows."""

    def label_from_instance(self, obj: User) -> str:
        return obj.email


class AccessLogFilterForm(forms.Form):
    """Filters of the access log page; every label reuses the model's own (translated) wording."""

    user = UserByEmailField(label=_("user"), queryset=User.objects.none(), required=False)
    action = forms.ChoiceField(
        label=_("action"), choices=[("", "---------"), *AccessAction.choices], required=False
    )
    since = DateField(label=_("Since"), required=False)
    date = DateField(label=_("Date"), required=False)

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "user", users)
