"""The page of one match: review of a proposal (approve, reject with a reason, lock, swap), follow-up of an
approved match (check-ins, fit check, ending with a reason) and undoing a rejection or an ending the same day.

Every action posts a form: the table below names the form that validates it, the verb it calls and the
message that says what happened to which pair.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.errors import NotFound, ServiceError
from core.redirects import redirect_next
from matching import parent_letters
from matching.explanations import explain, interest_names
from matching.forms import (
    CheckInForm,
    EndForm,
    FitForm,
    NoFieldsForm,
    ParentLetterForm,
    RejectForm,
    SwapForm,
)
from matching.models import Buddy, Match, MatchStatus
from matching.services import followup, review
from pupils import access
from pupils.models import AccessAction

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    verb: Callable[[Any, int, dict[str, Any]], object]
    done: "StrPromise"  # says what happened, with %(pair)s (translated when shown)
    slot: str = ""  # the context name of the form on the page, re-rendered with its errors


ACTIONS = {
    "approve": Action(
        NoFieldsForm, lambda u, pk, d: review.approve(u, pk), gettext_lazy("Match %(pair)s approved.")
    ),
    "reject": Action(
        RejectForm,
        lambda u, pk, d: review.reject(u, pk, d["reason"], d["note"]),
        gettext_lazy("Match %(pair)s rejected; it will not be proposed again."),
        "reject_form",
    ),
    "undo_reject": Action(
        NoFieldsForm,
        lambda u, pk, d: review.undo_reject(u, pk),
        gettext_lazy("Rejection of %(pair)s undone; it is a proposal again."),
    ),
    "lock": Action(
        NoFieldsForm,
        lambda u, pk, d: review.lock(u, pk),
        gettext_lazy("Match %(pair)s locked; later runs keep it."),
    ),
    "swap": Action(
        SwapForm,
        lambda u, pk, d: review.swap(u, pk, d["buddy"]),
        gettext_lazy("Buddy swapped; the proposal is now %(pair)s."),
    ),
    "check_in": Action(
        CheckInForm,
        lambda u, pk, d: followup.record_check_in(u, pk, d["outcome"], d["held_on"], d["note"]),
        gettext_lazy("Check-in of %(pair)s saved."),
        "check_in_form",
    ),
    "fit": Action(
        FitForm,
        lambda u, pk, d: followup.record_fit(u, pk, d["fit"]),
        gettext_lazy("Fit check of %(pair)s saved."),
        "fit_form",
    ),
    "end": Action(
        EndForm,
        lambda u, pk, d: followup.end_match(u, pk, d["reason"], d["note"]),
        gettext_lazy("Match %(pair)s ended."),
        "end_form",
    ),
    "parent_letter": Action(
        ParentLetterForm,
        lambda u, pk, d: parent_letters.write(u, pk, **d),
        gettext_lazy("The letter to the parents of %(pair)s is ready."),
        "parent_letter_form",
    ),
    "undo_end": Action(
        NoFieldsForm,
        lambda u, pk, d: followup.undo_end(u, pk),
        gettext_lazy("Ending of %(pair)s undone; the match runs again."),
    ),
}


def _pair(match_id: int) -> str:
    match = Match.objects.select_related("pupil", "buddy").get(pk=match_id)
    return f"{match.pupil.display_name} - {match.buddy.display_name}"


def _buddy_names(ids: set[int]) -> dict[int, str]:
    return {
        b.pk: b.display_name
        for b in Buddy.objects.filter(pk__in=ids).only("first_name", "last_initial", "anonymised_at")
    }


@login_required
@require_http_methods(["GET", "POST"])
def match_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    match = scoping.get_in_reach_or_404(
        Match.objects.select_related("pupil", "buddy", "school", "run"),
        request.user,
        Capability.VIEW_PUPILS,
        field="school",
        pk=pk,
    )
    if request.method != "POST":
        access.record(request.user, [match.pupil_id], AccessAction.VIEW, context="matching.match_detail")
        return _render(request, match, {})
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    form = action.form(request.POST)
    if not form.is_valid():
        if action.slot:
            return _render(request, match, {action.slot: form})
        messages.error(request, _("This action could not be done: the form was not filled in as expected."))
        return redirect("matching:match_detail", match.pk)
    try:
        action.verb(request.user, match.pk, form.cleaned_data)
    except NotFound:
        raise  # seen but not in the user's reach for this action: a 404, as before (not a message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, action.done % {"pair": _pair(match.pk)})
    return redirect("matching:match_detail", match.pk)


def _render(request: HttpRequest, match: Match, forms_: dict[str, forms.Form]) -> HttpResponse:
    alt_names = _buddy_names({int(b) for b, _c in match.alternatives})
    today = timezone.localdate()
    check_ins = list(match.check_ins.all())
    if match.status != MatchStatus.APPROVED:  # no contact moments ahead once a match has ended
        check_ins = [c for c in check_ins if c.done_at is not None or c.due_on < today]
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "explanation": explain(match.reasons, interest_names()),
            "alternatives": [(int(b), alt_names.get(int(b), "")) for b, _c in match.alternatives],
            "check_ins": [(c, c.done_at is None and c.due_on < today) for c in check_ins],
            "can_review": scoping.can(request.user, Capability.RUN_MATCHING, match.school),
            "can_undo": review.can_undo_reject(match) or followup.can_undo_end(match),
            "check_in_form": CheckInForm(initial={"held_on": today}),
            "fit_form": FitForm(),
            "end_form": EndForm(),
            "reject_form": RejectForm(),
            "parent_letter_form": ParentLetterForm(initial={"on_date": today}),
            "parent_letters": parent_letters.letters_for(match),
            **forms_,
        },
    )


@login_required
@require_POST
def bulk_approve(request: AuthedRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("match") if v.isdigit()]
    result = review.approve_many(request.user, ids)
    if result.approved:
        messages.success(
            request,
            ngettext("%(n)s match approved.", "%(n)s matches approved.", len(result.approved))
            % {"n": len(result.approved)},
        )
    for match_id, message in result.refused.items():
        messages.error(request, _("Match %(id)s: %(message)s") % {"id": match_id, "message": message})
    return redirect_next(request, "matching:match_list")
