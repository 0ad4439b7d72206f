"""The parent's answer to a consent request, in the family's language, through the signed link only."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import ServiceError
from parents import consent, languages
from parents.formatting import long_date
from parents.models import ConsentPurpose, ConsentRequest, ConsentStatus

# Guessing links is pointless (they are signed), but a flood of attempts from one address is still cut
# off: 30 looks per 10 minutes is far above what a family needs to answer and change its mind.
RATE = 30
WINDOW = 600


def _over_limit(request: HttpRequest) -> bool:
    key = f"parents:consent:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, WINDOW)
    try:
        return cache.incr(key) > RATE
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        return False


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        response = render(
            request, "parents/public/consent_problem.html", _chrome(languages.SOURCE, problem="rate")
        )
        response.status_code = 429
        return response
    try:
        found = consent.find(token)
    except consent.LinkProblem as exc:
        response = render(
            request, "parents/public/consent_problem.html", _chrome(languages.SOURCE, problem=exc.kind)
        )
        response.status_code = 410 if exc.kind in ("expired", "used") else 404
        return _private(response)
    with translation.override(found.language):
        done = ""
        if request.method == "POST":
            try:
                done = _apply(found, request.POST.get("answer", ""))
            except ServiceError:
                done = ""
            found = ConsentRequest.objects.select_related("school").get(pk=found.pk)
        start = long_date(found.start_date, found.language) if found.start_date else ""
        response = render(
            request,
            "parents/public/consent.html",
            _chrome(found.language, request_=found, done=done, start=start),
        )
    return _private(response)


def _apply(found: ConsentRequest, choice: str) -> str:
    """The parent's button, when it fits the question and its state; "" when it does not (a second tab)."""
    if found.purpose == ConsentPurpose.PLACEMENT_OFFER:
        if choice == "accept" and found.status in consent.OPEN:
            consent.answer_offer(found, accept=True)
        elif choice == "call" and found.status == ConsentStatus.PENDING:
            consent.answer_offer(found, accept=False)
        else:
            return ""
    elif choice in ("yes", "no") and found.status == ConsentStatus.PENDING:
        consent.answer(found, given=choice == "yes")
    elif choice == "revoke" and found.status == ConsentStatus.GIVEN:
        consent.revoke(found)
    else:
        return ""
    return choice


def _chrome(code: str, **extra: object) -> dict[str, object]:
    language = languages.get(code) or languages.KNOWN[languages.SOURCE]
    return {"language": language, "offered": [], "here": "", **extra}


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the path: no referrer leaves for another site. ("no-referrer" would also make the
    # browser send "Origin: null" with the page's own answer form, which CSRF protection rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response
