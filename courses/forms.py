from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.forms import DateTimeField, ModelForm
from courses.models import AudienceRole, AudienceStage, Edition, Format, Theme
from courses.services import EDITION_EDIT_FIELDS


def declared[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's own copy of the field declared as ``name``, typed as the class it was declared with
    (``form.fields`` holds plain ``Field``s for the type checker)."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{name} is declared as a {kind.__name__}"
    return field


def _month_choices() -> list[tuple[str, str]]:
    from django.utils.formats import date_format

    today = timezone.localdate()
    choices = [("", str(_("Any month")))]
    year, month = today.year, today.month
    for _i in range(12):
        choices.append((f"{year}-{month:02d}", date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return choices


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("Any theme")), *Theme.choices]
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices]
    )
    month = forms.ChoiceField(label=_("Month"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Anywhere"),
    )
    free = forms.BooleanField(label=_("Only with free places"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared(self, "month", forms.ChoiceField).choices = _month_choices()
        reach = scoping.reach(user, Capability.BROWSE_CATALOGUE)
        regions = {int(p.strip("/").split("/")[0]) for p in reach.paths}
        municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        if not reach.everything:
            municipalities = municipalities.filter(parent_id__in=regions)
        declared(self, "municipality", forms.ModelChoiceField).queryset = municipalities.order_by("name")

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = value.split("-")
        return int(year), int(month)


class ReserveForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared(self, "school", forms.ModelChoiceField).queryset = scoping.organisations_of_kind(
            user, Capability.RESERVE_SEATS, [OrganisationKind.SCHOOL]
        ).order_by("name")


class NameTeacherForm(forms.Form):
    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=User.objects.none())

    def __init__(self, *args: Any, school: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared(self, "teacher", forms.ModelChoiceField).queryset = (
            User.objects.filter(memberships__organisation=school)
            .distinct()
            .order_by("last_name", "first_name")
        )


class EvaluationForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was this edition for your work?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = not useful, 5 = very useful."),
    )
    comments = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


class ModuleFieldsForm(forms.Form):
    """What a module says about itself: shared by creation (``ModuleForm``) and editing
    (``forms_changes.ModuleEditForm``)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first theme chosen counts for the hours on the PD record."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    audience_stage = forms.ChoiceField(label=_("School stage"), choices=AudienceStage.choices)
    audience_role = forms.ChoiceField(label=_("Audience"), choices=AudienceRole.choices)
    pd_hours = forms.DecimalField(
        label=_("Professional development hours"), min_value=0, max_digits=5, decimal_places=1
    )


class ModuleForm(ModuleFieldsForm):
    """A new module: its fields, and who organises it and where it is shown (both within the user's
    reach)."""

    organiser = forms.ModelChoiceField(label=_("Organiser"), queryset=Organisation.objects.none())
    visible_in = forms.ModelChoiceField(label=_("Visible in"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = scoping.organisations_of_kind(
            user, Capability.ORGANISE_COURSES, [OrganisationKind.REGION, OrganisationKind.MUNICIPALITY]
        ).order_by("path")
        declared(self, "organiser", forms.ModelChoiceField).queryset = orgs
        declared(self, "visible_in", forms.ModelChoiceField).queryset = orgs


class EditionForm(ModelForm):
    class Meta:
        model = Edition
        fields = ["capacity", *EDITION_EDIT_FIELDS]
        widgets = {
            "promotion_mode": forms.RadioSelect,
        }

    def validate_constraints(self) -> None:
        """``services.create_edition`` checks the window and names the field at fault; the database
        constraint stays the backstop."""


class EditionEditForm(EditionForm):
    """The edition's settings after creation; capacity is changed on its own (it promotes)."""

    class Meta(EditionForm.Meta):
        fields = list(EDITION_EDIT_FIELDS)


class MeetingForm(forms.Form):
    starts_at = DateTimeField(label=_("Starts"))
    ends_at = DateTimeField(label=_("Ends"))
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)


class CancelEditionForm(forms.Form):
    reason = forms.CharField(
        label=_("Message to participants"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared(self, "present", forms.TypedMultipleChoiceField).choices = choices


class YearForm(forms.Form):
    """The year filter of the organiser's overview; an odd value (0, -1, 99999, 'abc') shows this year.
    The bounds keep ``year - 1`` and ``year + 1`` (the links beside it) valid dates."""

    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def year_or(self, default: int) -> int:
        return (self.is_valid() and self.cleaned_data["year"]) or default
