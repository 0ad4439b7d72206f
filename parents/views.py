"""Public pages for parents: no account, the language in the address, nothing stored about the reader.

The chosen language is remembered in a cookie (set only by the language picker, so the pages themselves
set no cookie and can be cached by the browser and any proxy), and every page says when the text in
that language is behind the Dutch one, or shows the Dutch text when there is no translation yet.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organisation
from core import redirects
from parents import languages, queries, rendering
from parents.formatting import long_date, month_year
from parents.middleware import ATTRIBUTE as PUBLIC_MARK
from parents.models import TranslationStatus
from parents.public_forms import TimelineForm
from parents.timeline import timeline

COOKIE = "overstap_parent_language"
COOKIE_AGE = 365 * 24 * 3600
CACHE_SECONDS = 300

type View = Callable[..., HttpResponse]


def public(view: View) -> View:
    """Check the language, render inside it, and let browsers and proxies cache the answer briefly."""

    @wraps(view)
    def wrapped(request: HttpRequest, lang: str, *args: Any, **kwargs: Any) -> HttpResponse:
        language = languages.get(lang)
        if language is None:
            raise Http404
        with translation.override(language.code):
            response = view(request, language, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        setattr(response, PUBLIC_MARK, language.code)  # Vary and Content-Language: parents.middleware
        return response

    return require_GET(wrapped)


def _context(request: HttpRequest, language: languages.Language, **extra: Any) -> dict[str, Any]:
    return {
        "language": language,
        "offered": languages.configured(),
        "here": request.get_full_path(),
        **extra,
    }


@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    remembered = request.COOKIES.get(COOKIE, "")
    code = (
        remembered
        if languages.get(remembered)
        else languages.best_match(request.headers.get("Accept-Language", ""))
    )
    response = HttpResponseRedirect(reverse("parents:municipalities", args=[code]))
    response["Vary"] = "Cookie, Accept-Language"
    return response


@csrf_exempt  # sets nothing but the reader's own language preference; the next address is checked
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = languages.get(request.POST.get("language", ""))
    if language is None:
        return HttpResponse(status=400)
    target = redirects.next_url(request, "parents:choose")
    prefix = "/ouders/"
    if target.startswith(prefix):
        rest = target[len(prefix) :].split("/", 1)
        if rest and languages.get(rest[0]):
            target = prefix + language.code + "/" + (rest[1] if len(rest) > 1 else "")
    response = HttpResponseRedirect(target)
    response.set_cookie(COOKIE, language.code, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure())
    return response


@public
def municipalities(request: HttpRequest, language: languages.Language) -> HttpResponse:
    places = sorted(queries.municipalities_by_slug().items(), key=lambda item: item[1].name)
    return render(request, "parents/public/municipalities.html", _context(request, language, places=places))


def _municipality(slug: str) -> Organisation:
    found = queries.municipalities_by_slug().get(slug)
    if found is None:
        raise Http404
    return found


@public
def portal(request: HttpRequest, language: languages.Language, slug: str) -> HttpResponse:
    municipality = _municipality(slug)
    pages = [queries.shown(p, language.code) for p in queries.pages_for(municipality)]
    return render(
        request,
        "parents/public/portal.html",
        _context(request, language, municipality=municipality, slug=slug, pages=pages),
    )


@public
def page(request: HttpRequest, language: languages.Language, slug: str, page_id: int) -> HttpResponse:
    municipality = _municipality(slug)
    found = next((p for p in queries.pages_for(municipality) if p.pk == page_id), None)
    if found is None:
        raise Http404
    text = queries.shown(found, language.code)
    source = languages.KNOWN[text.language]
    return render(
        request,
        "parents/public/page.html",
        _context(
            request,
            language,
            municipality=municipality,
            slug=slug,
            text=text,
            text_language=source,
            body=rendering.render(text.body),
            behind=text.status == TranslationStatus.OUTDATED,
            missing=text.status == TranslationStatus.MISSING,
            changed_on=long_date(timezone.localtime(found.source_changed_at).date(), language.code)
            if found.source_changed_at
            else "",
        ),
    )


@public
def school_path(request: HttpRequest, language: languages.Language, slug: str) -> HttpResponse:
    municipality = _municipality(slug)
    form = TimelineForm(request.GET or None)
    result = None
    if form.is_valid():
        birth: date = form.cleaned_data["birth"]
        path = timeline(birth.year, birth.month, timezone.localdate())
        result = {
            "stage": path.stage.value,
            "newcomer_class": path.newcomer_class,
            "steps": [
                (step.value, month_year(when, language.code), passed) for step, when, passed in path.steps
            ],
        }
    local = [queries.shown(p, language.code) for p in queries.pages_for(municipality)]
    return render(
        request,
        "parents/public/timeline.html",
        _context(
            request, language, municipality=municipality, slug=slug, form=form, result=result, local=local
        ),
    )
