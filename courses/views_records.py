"""Pages for records and follow-up: the organiser's evaluation results (chart and free-text answers), the
printable sign-in sheet of a meeting, and the teacher's PD record as a PDF overview."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.http import AuthedRequest
from courses import access, completion, followup, records
from courses.models import Meeting
from courses.views_organise import organiser_or_404


def _pdf(body: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
def evaluation_results(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    edition = get_object_or_404(access.organised_editions(request.user).select_related("module"), pk=pk)
    summary = completion.evaluation_summary(edition)
    return render(
        request,
        "courses/evaluation_results.html",
        {
            "edition": edition,
            "summary": summary,
            "chart": followup.evaluation_chart(summary) if summary.count else None,
        },
    )


@login_required
def signin_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    meeting = get_object_or_404(
        Meeting.objects.filter(edition__in=access.organised_editions(request.user)).select_related(
            "edition__module__organiser"
        ),
        pk=pk,
    )
    return _pdf(
        records.signin_sheet_pdf(meeting, request.LANGUAGE_CODE),
        f"sign-in-meeting-{meeting.pk}.pdf",
        inline=True,
    )


@login_required
def pd_record_pdf(request: AuthedRequest) -> HttpResponse:
    return _pdf(records.pd_record_pdf(request.user, request.LANGUAGE_CODE), "pd-record.pdf")
