"""A teacher's own pages: my courses, the PD record, the calendar feed, check-in, evaluations and
certificates, the themes they follow (theme alerts), and the public check of a certificate's code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error
from core.urls import absolute_url
from courses import alerts, approval, completion, feeds, followup, ical, pdf, queries, records, services
from courses.forms import CodeForm, EvaluationForm
from courses.forms_flow import ThemeAlertForm
from courses.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Theme,
)


@login_required
def my_courses(request: AuthedRequest) -> HttpResponse:
    enrolments = list(
        approval.with_trail(services.with_waitlist_position(Enrolment.objects.filter(teacher=request.user)))
        .select_related("edition__module", "certificate", "evaluation")
        .order_by("edition__starts_at", "pk")
    )
    now = timezone.now()
    groups: dict[str, list[Enrolment]] = {
        "upcoming": [],
        "offered": [],
        "waitlisted": [],
        "pending": [],
        "past": [],
    }
    for e in enrolments:
        e.cancel_refusal = followup.why_not_cancellable(e, now)  # type: ignore[attr-defined]  # for the template
        if e.status == EnrolmentStatus.OFFERED:
            groups["offered"].append(e)
        elif e.status == EnrolmentStatus.WAITLISTED:
            groups["waitlisted"].append(e)
        elif e.status == EnrolmentStatus.PENDING_APPROVAL:
            groups["pending"].append(e)
        elif e.status == EnrolmentStatus.CONFIRMED and not (e.edition.ends_at and e.edition.ends_at <= now):
            groups["upcoming"].append(e)
        elif e.status == EnrolmentStatus.CONFIRMED:
            groups["past"].append(e)
    groups["past"].reverse()
    return render(
        request,
        "courses/my_courses.html",
        {
            **groups,
            "certificates": Certificate.objects.filter(teacher=request.user, participant__isnull=False),
            "feed_url": absolute_url(
                reverse("courses:ical_feed", args=[feeds.token_for(request.user)]), request
            ),
        },
    )


@login_required
def pd_record(request: AuthedRequest) -> HttpResponse:
    lines, total, certificates = completion.pd_record(request.user)
    if request.GET.get("format") == "csv":
        rows = records.pd_record_rows(request.user)
        return csv_response("pd-record.csv", rows)
    return render(
        request,
        "courses/pd_record.html",
        {"lines": lines, "total": total, "certificates": certificates, "themes": dict(Theme.choices)},
    )


@login_required
@require_POST
def reset_feed(request: AuthedRequest) -> HttpResponse:
    feeds.renew(request.user)
    messages.success(request, _("Your calendar link has been renewed; the old link no longer works."))
    return redirect("courses:my_courses")


def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design (calendar apps cannot log in): the token (random, or signed before a renewal) is the
    credential."""
    user = feeds.user_for(token)
    if user is None:
        raise Http404
    meetings, cancelled = queries.calendar_meetings(user)
    body = ical.calendar(meetings, name=_("My courses · Overstap"), cancelled_ids=cancelled, feed=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="overstap.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: AuthedRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attendance = completion.check_in(request.user, form.cleaned_data["code"])
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("You are checked in for %(title)s.") % {"title": attendance.meeting.edition},
                )
                return redirect("courses:check_in")
        status = 400
    return render(request, "courses/check_in.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.filter(teacher=request.user).select_related("edition__module"), pk=pk
    )
    if reason := completion.why_no_evaluation(enrolment):  # a future edition: say why, show no form
        return render(request, "courses/evaluate.html", {"enrolment": enrolment, "reason": reason})
    form = EvaluationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                completion.submit_evaluation(request.user, enrolment, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Thank you for your evaluation."))
                return redirect("courses:my_courses")
        status = 400
    return render(request, "courses/evaluate.html", {"form": form, "enrolment": enrolment}, status=status)


@login_required
def certificate_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("teacher"), code=code, teacher=request.user
    )
    response = HttpResponse(
        pdf.certificate_pdf(certificate, request.LANGUAGE_CODE, request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Public: anyone holding a certificate's code can check it is genuine."""
    if code is None and request.GET.get("code"):
        return redirect("courses:verify", code=request.GET["code"].strip().upper()[:16])
    certificate = None
    if code is not None:
        certificate = Certificate.objects.select_related("teacher").filter(code=code.strip().upper()).first()
    form = CodeForm(initial={"code": code or ""})
    return render(
        request,
        "courses/verify.html",
        {"form": form, "certificate": certificate, "code": code},
        status=404 if code is not None and certificate is None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_alerts(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.BROWSE_CATALOGUE):
        raise Http404
    form = ThemeAlertForm(request.POST or None, initial={"themes": sorted(alerts.followed(request.user))})
    if request.method == "POST" and form.is_valid():
        try:
            alerts.set_followed(request.user, form.cleaned_data["themes"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved. You hear of new editions of these themes in your region."))
            return redirect("courses:theme_alerts")
    return render(
        request,
        "courses/theme_alerts.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
