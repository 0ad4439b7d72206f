"""Editors' pages: municipal and regional coordinators write the Dutch text and its translations."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.errors import ServiceError
from core.forms import apply_service_error
from parents import languages, letters, queries, rendering, services
from parents.forms import NewPageForm, SourceForm, TranslationForm
from parents.models import ConsentPurpose, ConsentRequest, InfoPage, Letter

CAP = Capability.EDIT_PARENT_INFO


def _pages(request: AuthedRequest) -> QuerySet[InfoPage]:
    return scoping.scope(InfoPage.objects.prefetch_related("translations"), request.user, CAP)


def _page_or_404(request: AuthedRequest, pk: int) -> InfoPage:
    page = _pages(request).select_related("organisation").filter(pk=pk).first()
    if page is None:
        raise Http404
    return page


@login_required
def page_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, CAP):
        raise Http404
    pages = _pages(request).select_related("organisation").order_by("organisation__name", "order", "pk")
    return render(
        request,
        "parents/edit_list.html",
        {"rows": queries.status_table(pages), "offered": languages.configured()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_create(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, CAP):
        raise Http404
    organisations = scoping.organisations_of_kind(request.user, CAP, services.EDITABLE_KINDS).order_by("path")
    form = NewPageForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.create_page(
                data["organisation"], request.user, title=data["title"], body=data["body"],
                topic=data["topic"], order=data["order"],
            )  # fmt: skip
            if data["published"]:
                services.update_source(
                    page, request.user, title=data["title"], body=data["body"], topic=data["topic"],
                    order=data["order"], published=True,
                )  # fmt: skip
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The page “%(title)s” was added.") % {"title": data["title"]})
            return redirect("parents:edit", pk=page.pk)
    return render(request, "parents/edit_page.html", {"form": form, "page": None})


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    page = _page_or_404(request, pk)
    form = SourceForm.for_page(page, request.POST or None)
    if request.method == "POST" and form.is_valid():
        page = services.update_source(page, request.user, **form.cleaned_data)
        messages.success(
            request, _("The Dutch text of “%(title)s” was saved.") % {"title": form.cleaned_data["title"]}
        )
        return redirect("parents:edit", pk=page.pk)
    statuses = [(lang, page.status(lang.code)) for lang in languages.configured()]
    return render(request, "parents/edit_page.html", {"form": form, "page": page, "statuses": statuses})


@login_required
@require_http_methods(["GET", "POST"])
def translation_edit(request: AuthedRequest, pk: int, lang: str) -> HttpResponse:
    page = _page_or_404(request, pk)
    language = languages.get(lang)
    if language is None or language.code == languages.SOURCE:
        raise Http404
    existing = {t.language_code: t for t in page.translations.all()}
    source = existing[languages.SOURCE]
    current = existing.get(language.code)
    initial = {"title": current.title, "body": current.body} if current else {}
    form = TranslationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_translation(page, request.user, language.code, **form.cleaned_data)
        messages.success(
            request,
            _("The %(language)s translation of “%(title)s” was saved.")
            % {"language": language.name_local, "title": source.title},
        )
        return redirect("parents:edit", pk=page.pk)
    return render(
        request,
        "parents/edit_translation.html",
        {
            "form": form,
            "page": page,
            "language": language,
            "source": source,
            "source_html": rendering.render(source.body),
            "status": page.status(language.code),
        },
    )


@login_required
def consent_letter(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable consent letter for a family without e-mail, in its language."""
    found = scoping.scope(
        ConsentRequest.objects.select_related("school"), request.user, Capability.MANAGE_PUPILS, "school"
    )
    consent_request = found.exclude(purpose=ConsentPurpose.PLACEMENT_OFFER).filter(pk=pk).first()
    if consent_request is None:
        raise Http404
    return _printable(lambda: letters.consent_letter(consent_request), f"toestemming-{consent_request.pk}")


@login_required
def letter_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """A letter that asks nothing back, printed for a family without e-mail (until retention erased it)."""
    found = scoping.scope(
        Letter.objects.select_related("school"), request.user, Capability.MANAGE_PUPILS, "school"
    )
    letter = found.filter(pk=pk, contact_erased_at__isnull=True).first()
    if letter is None:
        raise Http404
    return _printable(lambda: letters.printed(letter), f"brief-{letter.pk}")


def _printable(render_pdf: Callable[[], bytes], name: str) -> HttpResponse:
    try:
        document = render_pdf()
    except letters.FontsMissing as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
