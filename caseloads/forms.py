from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from caseloads.models import CaseStatus, Subject, SupporterProfile, Topic, Urgency, VisitKind
from core.forms import DateField, model_choice
from pupils.languages import LANGUAGE_CHOICES
from pupils.models import Pupil


class RequestForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    subject = forms.ChoiceField(label=_("About"), choices=Subject.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    description = forms.CharField(
        label=_("What do you need help with?"), widget=forms.Textarea, max_length=4000
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    languages = forms.MultipleChoiceField(
        label=_("Preferred languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("Languages of the pupil or the parents that would help the conversation."),
    )
    pupils = forms.ModelMultipleChoiceField(
        label=_("Pupils concerned"), queryset=Pupil.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = scoping.organisations_of_kind(user, Capability.REQUEST_SUPPORT, [OrganisationKind.SCHOOL])
        model_choice(self, "school").queryset = schools.order_by("name")
        if schools.count() == 1:
            self.fields["school"].initial = schools.first()
        # Any pupil of a school in reach may be listed; the service checks they belong to the chosen school.
        model_choice(self, "pupils").queryset = Pupil.objects.filter(
            school__in=schools, anonymised_at__isnull=True
        ).order_by("first_name")


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the school"), widget=forms.Textarea, max_length=2000)


class AllocateForm(forms.Form):
    supporter = forms.ModelChoiceField(label=_("Supporter"), queryset=User.objects.none())
    goals = forms.CharField(
        label=_("Goals (optional)"), widget=forms.Textarea, required=False, max_length=4000
    )
    override = forms.BooleanField(
        label=_("Allocate even though the supporter has no free hours"), required=False
    )

    def __init__(self, *args: Any, profiles: Iterable[SupporterProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "supporter").queryset = User.objects.filter(
            pk__in=[p.user_id for p in profiles]
        ).order_by("last_name", "first_name")


class CaseForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea, required=False, max_length=4000)
    planned_hours_per_month = forms.IntegerField(
        label=_("Planned hours per month"), min_value=0, max_value=160
    )


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    summary = forms.CharField(
        label=_("Closing summary"),
        widget=forms.Textarea,
        required=False,
        max_length=4000,
        help_text=_("Required when closing. A closed case can no longer be changed."),
    )


def _colleagues(user: User) -> QuerySet[User]:
    mine = SupporterProfile.objects.filter(user=user).first()
    if mine is None:
        return User.objects.none()
    return (
        User.objects.filter(supporter_profile__service_id=mine.service_id, supporter_profile__active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name")
    )


class TransferForm(forms.Form):
    supporter = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    message = forms.CharField(label=_("Message"), widget=forms.Textarea, required=False, max_length=2000)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "supporter").queryset = _colleagues(user)


class ShareForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("Colleague for advice"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "advisor").queryset = _colleagues(user)


class VisitForm(forms.Form):
    date = DateField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=720)
    preparation_minutes = forms.IntegerField(
        label=_("Preparation (minutes)"), min_value=0, max_value=600, initial=0
    )
    travel_minutes = forms.IntegerField(
        label=_("Travel time (minutes)"), min_value=0, max_value=600, initial=0
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea,
        required=False,
        max_length=8000,
        help_text=_("Only for supporters; the school never sees these."),
    )
    advice = forms.CharField(
        label=_("Advice for the school"),
        widget=forms.Textarea,
        required=False,
        max_length=4000,
        help_text=_("The school that asked for support reads this, with the date and the next steps."),
    )
    next_visit_date = DateField(label=_("Next visit"), required=False)
    done = forms.BooleanField(label=_("This visit has taken place"), required=False)
    step = forms.CharField(label=_("Agreed next step"), required=False, max_length=300)
    step_due = DateField(label=_("Next step due"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") and not data.get("step_due"):
            self.add_error("step_due", _("Give the next step a due date."))
        return data

    def steps(self) -> list[dict[str, object]]:
        d = self.cleaned_data
        return [{"description": d["step"], "due_date": d["step_due"]}] if d.get("step") else []


class ProfileForm(forms.Form):
    expertise = forms.MultipleChoiceField(
        label=_("Expertise"), choices=Topic.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES, required=False)
    home_municipality = forms.ModelChoiceField(
        label=_("Home municipality"), queryset=Organisation.objects.none(), required=False
    )
    contract_hours_per_week = forms.DecimalField(
        label=_("Contracted hours per week"), min_value=0, max_value=40, decimal_places=1
    )
    active = forms.BooleanField(label=_("Takes new cases"), required=False, initial=True)

    def __init__(self, *args: Any, service: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_path = service.parent.path if service.parent else service.path
        model_choice(self, "home_municipality").queryset = Organisation.objects.filter(
            kind=OrganisationKind.MUNICIPALITY, path__startswith=region_path
        ).order_by("name")
