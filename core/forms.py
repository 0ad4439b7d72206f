"""Form plumbing shared by every app: service errors on forms, and date, time and datetime fields that
survive a Dutch round trip.

A browser's ``<input type="date">`` only accepts ISO values (``2026-12-01``). Django renders a date in the
active language's first input format, which in Dutch is ``01-12-2026``: the browser then shows an empty
field and saving erases the date. The widgets below always render ISO; the fields accept ISO (what a
browser submits) and the Dutch ways people type a date (``25-01-2027``, ``25/01/2027``), whatever the
language. Every form uses these (``DateField``, ``DateTimeField``, ``TimeField``, or ``ModelForm`` for model
forms); ``tests/test_form_round_trip.py`` proves it for every edit form of the project.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models

from core.errors import ServiceError

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"

#: Accepted wherever a person types a date (forms, CSV), in any language. Day-first only: in the
#: Netherlands 01/02/2027 is the first of February.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]


def apply_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a refused verb next to the field it concerns, or at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def declared_field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form.fields[name]`` as the class the form declares it with, so ``__init__`` can narrow its
    ``queryset`` or ``choices`` per request under the type checker (``fields`` holds plain ``Field``)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model choice field ``name`` (``ModelMultipleChoiceField`` included), typed, so a form can
    set its ``queryset`` for the user: :func:`declared_field` for the most common kind."""
    return declared_field(form, name, forms.ModelChoiceField)


def parse_date(value: str) -> date | None:
    """A date as a person types it (see ``DATE_INPUT_FORMATS``), or ``None`` when it is none of them."""
    text = value.strip()
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """``datetime-local`` in minutes: a value with seconds would fail the browser's default step of 60 s."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)


class DateField(forms.DateField):
    widget = DateInput
    input_formats = DATE_INPUT_FORMATS


class DateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    input_formats = DATETIME_INPUT_FORMATS


class TimeField(forms.TimeField):
    widget = TimeInput
    input_formats = TIME_INPUT_FORMATS


_FIELD_CLASSES: dict[type[models.Field[Any, Any]], type[forms.Field]] = {
    models.DateTimeField: DateTimeField,  # before DateField: DateTimeField is its subclass
    models.DateField: DateField,
    models.TimeField: TimeField,
}


def formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """``formfield_callback`` of model forms: temporal model fields get the fields above."""
    for model_class, form_class in _FIELD_CLASSES.items():
        if isinstance(db_field, model_class):
            kwargs.setdefault("form_class", form_class)
            kwargs.setdefault("widget", form_class.widget)
            break
    return db_field.formfield(**kwargs)


if TYPE_CHECKING:
    _ModelForm = forms.ModelForm[Any]  # generic in the stubs only
else:
    _ModelForm = forms.ModelForm


class ModelForm(_ModelForm):
    """The base of every model form: Dutch-proof dates (see the module docstring). A subclass's own
    ``Meta`` keeps the callback: Django looks it up on the bases' ``Meta``."""

    class Meta:
        formfield_callback = formfield
