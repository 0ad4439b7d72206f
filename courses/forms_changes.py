"""Forms for changing what was published (``courses/changes.py``): plain forms filled from the object, so
a refused change never leaves a half-changed instance behind."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.forms import MeetingForm, ModuleFieldsForm
from courses.models import ActivityType, Meeting, Module


class ModuleEditForm(ModuleFieldsForm):
    """The module's fields after creation; organiser and visibility stay as created."""

    activity_type = forms.ChoiceField(
        label=_("Activity type"),
        choices=ActivityType.choices,
        help_text=_("As the teachers' register counts it."),
    )
    self_study_hours = forms.DecimalField(
        label=_("Of which self-study hours"), min_value=0, max_digits=5, decimal_places=1
    )
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)

    @staticmethod
    def initial_for(module: Module) -> dict[str, object]:
        return {
            "title": module.title,
            "summary": module.summary,
            "description": module.description,
            "themes": module.theme_list,
            "format": module.format,
            "activity_type": module.activity_type,
            "audience_stage": module.audience_stage,
            "audience_role": module.audience_role,
            "pd_hours": module.pd_hours,
            "self_study_hours": module.self_study_hours,
            "provider": module.provider,
        }


class MeetingChangeForm(MeetingForm):
    """A meeting's time and place; a moment in the past needs the explicit tick."""

    record_attendance_afterwards = forms.BooleanField(
        label=_("Record attendance afterwards"),
        required=False,
        help_text=_("Tick this only for a meeting that already took place, to record who attended."),
    )

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, object]:
        return {
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "venue": meeting.venue,
            "online_url": meeting.online_url,
        }


class CancelMeetingForm(forms.Form):
    message = forms.CharField(
        label=_("Message to participants"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone enrolled or on the waitlist receives it."),
    )
