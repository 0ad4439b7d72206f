"""The one form parents fill in (the school path): nothing in it is stored."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


class TimelineForm(forms.Form):
    birth = forms.DateField(
        label=_("Month and year of birth of your child"),
        input_formats=["%Y-%m", "%m-%Y", "%m/%Y"],
        widget=MonthInput(),
        error_messages={
            "invalid": _("Enter the month and year of birth, for example 2019-03."),
            "required": _("Enter the month and year of birth, for example 2019-03."),
        },
    )

    def clean_birth(self) -> date:
        birth: date = self.cleaned_data["birth"]
        today = timezone.localdate()
        if birth > today:
            raise forms.ValidationError(_("The month of birth cannot be in the future."))
        if birth.year < today.year - 25:
            raise forms.ValidationError(_("This page is about children up to 18 years old."))
        return birth
