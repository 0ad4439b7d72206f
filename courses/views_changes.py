"""Organiser pages for changing what was published (``courses/changes.py``): editing a module, moving or
removing a meeting. Thin: validate, call one verb, map a refused verb to a form error (HTTP 400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedRequest
from core.errors import ServiceError
from core.forms import apply_service_error
from courses import access, changes
from courses.forms_changes import CancelMeetingForm, MeetingChangeForm, ModuleEditForm
from courses.models import Meeting
from courses.views_organise import organiser_or_404


def _meeting_or_404(request: AuthedRequest, pk: int) -> Meeting:
    organiser_or_404(request)
    return get_object_or_404(
        Meeting.objects.filter(edition__in=access.organised_editions(request.user)).select_related(
            "edition__module"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    module = get_object_or_404(access.organised_modules(request.user), pk=pk)
    form = ModuleEditForm(request.POST or None, initial=ModuleEditForm.initial_for(module))
    if request.method == "POST" and form.is_valid():
        try:
            changes.update_module(request.user, module, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The module was saved."))
            return redirect("courses:module_detail", pk=module.pk)
    return render(
        request,
        "courses/form_page.html",
        {"form": form, "title": _("Edit %(title)s") % {"title": module.title}},
        status=400 if form.errors else 200,
    )


def _meeting_page(
    request: AuthedRequest,
    meeting: Meeting,
    form: MeetingChangeForm | None = None,
    cancel_form: CancelMeetingForm | None = None,
) -> HttpResponse:
    form = form or MeetingChangeForm(initial=MeetingChangeForm.initial_for(meeting))
    cancel_form = cancel_form or CancelMeetingForm()
    return render(
        request,
        "courses/meeting_edit.html",
        {"meeting": meeting, "edition": meeting.edition, "form": form, "cancel_form": cancel_form},
        status=400 if form.errors or cancel_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if request.method == "GET":
        return _meeting_page(request, meeting)
    form = MeetingChangeForm(request.POST, initial=MeetingChangeForm.initial_for(meeting))
    if form.is_valid():
        try:
            changes.move_meeting(request.user, meeting, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The meeting was saved; participants are told of any change."))
            return redirect("courses:edition_manage", pk=meeting.edition_id)
    return _meeting_page(request, meeting, form=form)


@login_required
@require_POST
def meeting_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    cancel_form = CancelMeetingForm(request.POST)
    if cancel_form.is_valid():
        try:
            changes.cancel_meeting(request.user, meeting, cancel_form.cleaned_data["message"])
        except ServiceError as exc:
            apply_service_error(cancel_form, exc)
        else:
            messages.success(request, _("The meeting was removed; participants are told."))
            return redirect("courses:edition_manage", pk=meeting.edition_id)
    return _meeting_page(request, meeting, cancel_form=cancel_form)
