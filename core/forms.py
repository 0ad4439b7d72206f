from django import forms

from core.errors import ServiceError


def apply_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a refused verb next to the field it concerns, or at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
