"""Where a form may send the person afterwards: the one check for every view that reads ``next``.

A ``next`` value comes from the request, so anyone can put an address of their own in a link or a form
(an open redirect, used to make a phishing page look like a step of Overstap). Only a path on this site, or
an absolute address on this very host, passes; ``//evil.example``, ``https://evil.example``, ``javascript:``
and backslash tricks (``/\\evil.example``, which browsers read as ``//evil.example``) fall back to the view's
own page. Django's ``url_has_allowed_host_and_scheme`` does the parsing, as it does for login.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

FIELD = "next"


def is_safe(request: HttpRequest, url: str | None) -> bool:
    # A bare word ("abc", "-1") is neither a page nor a URL name Django can resolve: only a path from the
    # root or an http(s) address counts, then Django checks the host and scheme.
    if not url or not (url.startswith("/") or urlsplit(url).scheme in ("http", "https")):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def next_url(request: HttpRequest, fallback: str, *args: object, **kwargs: object) -> str:
    """The request's ``next`` (POST first, then the query string) when it is safe, else ``fallback`` (a URL
    name or path, resolved with ``args``/``kwargs``)."""
    for candidate in (request.POST.get(FIELD), request.GET.get(FIELD)):
        if is_safe(request, candidate):
            return str(candidate)
    return resolve_url(fallback, *args, **kwargs)


def redirect_next(
    request: HttpRequest, fallback: str, *args: object, **kwargs: object
) -> HttpResponseRedirect:
    return redirect(next_url(request, fallback, *args, **kwargs))
