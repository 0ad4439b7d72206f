"""Forms of the series, approval, waitlist-control and theme-alert pages (``views_series``, ``views_approvals``,
``views_waitlist``, ``views_mine``)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.forms import DateField, DateTimeField
from courses.forms import declared
from courses.models import PromotionMode, Theme
from courses.series import MAX_EDITIONS


class SeriesSettingsForm(forms.Form):
    """What every edition of a series shares; the series edit page changes these for future editions."""

    capacity = forms.IntegerField(label=_("Capacity per edition"), min_value=1, max_value=10000)
    school_seat_limit = forms.IntegerField(
        label=_("Seats per school at most"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Leave empty for no limit per school."),
    )
    requires_school_approval = forms.BooleanField(label=_("Requires approval by the school"), required=False)
    requires_organiser_approval = forms.BooleanField(
        label=_("Requires approval by the organiser"),
        required=False,
        help_text=_("With school approval too: the school leader first, then the organiser."),
    )
    promotion_mode = forms.ChoiceField(
        label=_("When a seat frees up"), choices=PromotionMode.choices, widget=forms.RadioSelect
    )
    offer_hours = forms.IntegerField(label=_("Offer valid for (hours)"), min_value=1, max_value=336)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        limit, capacity = data.get("school_seat_limit"), data.get("capacity")
        if limit is not None and capacity is not None and limit > capacity:
            self.add_error("school_seat_limit", _("The seats per school cannot exceed the capacity."))
        return data


class SeriesForm(SeriesSettingsForm):
    title = forms.CharField(label=_("Name of the series"), max_length=80)
    first_starts_at = DateTimeField(label=_("First edition starts"))
    first_ends_at = DateTimeField(label=_("First edition ends"))
    count = forms.IntegerField(label=_("Number of editions"), min_value=1, max_value=MAX_EDITIONS)
    interval_weeks = forms.IntegerField(label=_("Weeks between editions"), min_value=1, max_value=52)
    venues = forms.CharField(
        label=_("Venues"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One venue per line, in the order of the dates; the last one is used for the rest."),
    )
    enrol_opens_at = DateTimeField(label=_("Enrolment opens"))
    close_days_before = forms.IntegerField(
        label=_("Enrolment closes (days before each edition)"), min_value=0, max_value=365
    )
    cancel_days_before = forms.IntegerField(
        label=_("Free cancellation until (days before each edition)"), min_value=0, max_value=365
    )
    publish = forms.BooleanField(label=_("Publish the editions at once"), required=False)

    field_order = [
        "title",
        "first_starts_at",
        "first_ends_at",
        "count",
        "interval_weeks",
        "venues",
        "capacity",
        "school_seat_limit",
        "enrol_opens_at",
        "close_days_before",
        "cancel_days_before",
        "requires_school_approval",
        "requires_organiser_approval",
        "promotion_mode",
        "offer_hours",
        "publish",
    ]

    def clean_venues(self) -> list[str]:
        venues = [line.strip() for line in self.cleaned_data["venues"].splitlines() if line.strip()]
        if not venues:
            raise ValidationError(_("Give at least one venue."))
        if any(len(v) > 200 for v in venues):
            raise ValidationError(_("A venue has at most 200 characters."))
        return venues


class SchoolLimitForm(forms.Form):
    school_seat_limit = forms.IntegerField(
        label=_("Seats per school at most"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Leave empty for no limit per school."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class MoveForm(ReasonForm):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))], widget=forms.HiddenInput)


class HandOfferForm(ReasonForm):
    add_seat = forms.BooleanField(label=_("Add a seat when none is free"), required=False)


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of people, shown by name (or e-mail address when they have none)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class AbsenceForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    approver = PersonChoiceField(label=_("Absent approver"), queryset=User.objects.none())
    deputy = PersonChoiceField(label=_("Deputy"), queryset=User.objects.none())
    starts_on = DateField(label=_("Away from"))
    ends_on = DateField(label=_("Away until"))

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[Organisation],
        members: QuerySet[User],
        approvers: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        declared(self, "school", forms.ModelChoiceField).queryset = schools
        declared(self, "approver", PersonChoiceField).queryset = approvers
        declared(self, "deputy", PersonChoiceField).queryset = members

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The absence must end on or after its first day."))
        if data.get("deputy") and data.get("deputy") == data.get("approver"):
            self.add_error("deputy", _("The deputy must be someone else."))
        return data


class ThemeAlertForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label=_("Themes I follow"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("You hear of every new edition of these themes in your region, once per edition."),
    )
