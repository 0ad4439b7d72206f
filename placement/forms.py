"""Thin forms for the placement pages: they shape input; the verbs decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Organisation, SchoolStage, User
from accounts.roles import Capability, OrganisationKind
from core.forms import model_choice
from placement.models import Group, ProgressLevel, Report
from pupils.languages import LANGUAGE_CHOICES


class DateInput(forms.DateInput):
    """ISO value inside ``<input type="date">``: a Dutch-formatted value would be empty in the browser."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


MONTHS = [(m, m) for m in range(1, 13)]
WEEKDAYS = [(1, _("Monday")), (2, _("Tuesday")), (3, _("Wednesday")), (4, _("Thursday")), (5, _("Friday"))]


class ReportForm(forms.Form):
    school = forms.ModelChoiceField(label=_("Registering school"), queryset=Organisation.objects.none())
    first_name = forms.CharField(label=_("First name"), max_length=50)
    last_initial = forms.CharField(label=_("Initial of last name"), max_length=3)
    birth_month = forms.TypedChoiceField(label=_("Birth month"), choices=MONTHS, coerce=int)
    birth_year = forms.IntegerField(label=_("Birth year"), min_value=1990, max_value=2100)
    arrival_date = forms.DateField(label=_("Arrival in the Netherlands"), widget=DateInput)
    home_languages = forms.MultipleChoiceField(label=_("Home languages"), choices=LANGUAGE_CHOICES)
    prior_schooling_years = forms.IntegerField(
        label=_("Years of prior schooling"), min_value=0, max_value=15, initial=0
    )
    siblings = forms.ModelMultipleChoiceField(
        label=_("Siblings already reported"), queryset=Report.objects.none(), required=False
    )
    parent_name = forms.CharField(label=_("Parent's name"), max_length=100, required=False)
    parent_phone = forms.CharField(label=_("Parent's phone"), max_length=30, required=False)
    parent_email = forms.EmailField(label=_("Parent's e-mail"), required=False)
    letter_language = forms.ChoiceField(
        label=_("Language for letters"), choices=[("", "—"), *LANGUAGE_CHOICES], required=False
    )

    def __init__(self, *args: Any, user: User, siblings: QuerySet[Report], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = scoping.organisations_of_kind(user, Capability.REPORT_NEWCOMERS, [OrganisationKind.SCHOOL])
        model_choice(self, "school").queryset = schools.order_by("name")
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()
        model_choice(self, "siblings").queryset = siblings

    def verb_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["siblings"] = [r.pk for r in data["siblings"]]
        return data


class GroupForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=80)
    stage = forms.ChoiceField(label=_("Stage"), choices=SchoolStage.choices)
    age_min = forms.IntegerField(label=_("Youngest age"), min_value=3, max_value=20)
    age_max = forms.IntegerField(label=_("Oldest age"), min_value=3, max_value=20)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=60)
    intake_days = forms.TypedMultipleChoiceField(
        label=_("Intake days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "location").queryset = scoping.organisations_of_kind(
            user, Capability.KEEP_REGISTER, [OrganisationKind.NEWCOMER_CLASS]
        ).order_by("name")


class GroupEditForm(forms.Form):
    age_min = forms.IntegerField(label=_("Youngest age"), min_value=3, max_value=20)
    age_max = forms.IntegerField(label=_("Oldest age"), min_value=3, max_value=20)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=60)
    intake_days = forms.TypedMultipleChoiceField(
        label=_("Intake days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Active"), required=False)


class HandPlacementForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = groups


class StartForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(label=_("Dutch level"), choices=ProgressLevel.choices)
    on = forms.DateField(label=_("Recorded on"), widget=DateInput)


class OutflowForm(forms.Form):
    outflow_date = forms.DateField(label=_("Outflow date"), widget=DateInput)
    advised_grade = forms.IntegerField(label=_("Advised grade"), min_value=1, max_value=8)
    receiving_school = forms.ModelChoiceField(
        label=_("Receiving school"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Empty: the registering school."),
    )

    def __init__(self, *args: Any, schools: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "receiving_school").queryset = schools


class EraseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
