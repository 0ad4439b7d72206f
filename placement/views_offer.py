"""The officer's side of a placement offer to the family: send it, print its letter, record an answer given
by phone. The family answers through the parents' signed link (placement/parent_offer.py)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from core.errors import ServiceError
from core.forms import DateField
from parents import letters
from placement import parent_offer, queries
from placement.models import Placement, PlacementStatus, Report


class OfferForm(forms.Form):
    start_date = DateField(label=gettext_lazy("First school day"))


class PaperAnswerForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("How the family accepted"),
        max_length=300,
        help_text=gettext_lazy("For example: on the phone on 3 March, with an interpreter."),
    )


@login_required
@require_POST
def send(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = queries.placement_or_404(request.user, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect("placement:report_detail", pk=placement.report_id)
    try:
        offered = parent_offer.offer(request.user, placement, start_date=form.cleaned_data["start_date"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The offer has been mailed to the parents.")
            if offered.parent_email
            else _("The register has no e-mail address: print the letter for the family."),
        )
    return redirect("placement:report_detail", pk=placement.report_id)


@login_required
@require_POST
def answer(request: AuthedRequest, pk: int) -> HttpResponse:
    asked = parent_offer.offer_of(request.user, pk)
    if asked is None:
        raise Http404
    placement = queries.placement_or_404(request.user, asked.subject_id)
    form = PaperAnswerForm(request.POST, prefix="offer")
    try:
        if not form.is_valid():
            raise ServiceError(_("Say how the family answered (for example: on the phone on 3 March)."))
        parent_offer.record_on_paper(request.user, asked, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("placement:report_detail", pk=placement.report_id)


@login_required
def letter(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable offer for a family without e-mail, in its language."""
    asked = parent_offer.offer_of(request.user, pk)
    if asked is None:
        raise Http404
    try:
        document = letters.consent_letter(asked)
    except letters.FontsMissing as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="aanbod-{asked.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def context(report: Report, current: Placement | None, keeps: bool) -> dict[str, object]:
    """What the child's page shows of the offers (its section ``placement/_parent_offer.html``)."""
    offers = parent_offer.offers_for(report)
    may_offer = keeps and current is not None and current.status == PlacementStatus.APPROVED
    return {
        "offers": offers,
        "offer_form": OfferForm(initial={"start_date": parent_offer.suggested_start(current)})
        if may_offer and current is not None
        else None,
        "paper_answer_form": PaperAnswerForm(prefix="offer") if keeps else None,
    }
