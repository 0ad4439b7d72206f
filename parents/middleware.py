"""Public parents' pages as a shared cache can keep them.

The language is in the address and the pages read no cookie, yet the session and locale middleware mark
every answer ``Vary: Cookie, Accept-Language`` (and ``Content-Language`` of the staff default, Dutch, after
the view's own language has ended): a proxy would then keep one copy per visitor's cookie jar, which is no
copy at all. For the answers ``parents.views.public`` marked, this sets ``Vary`` to the encoding only and
the language to the page's; an answer that sets a cookie is never shared.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

ATTRIBUTE = "parents_public_language"


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(response, ATTRIBUTE, None)
        if language is None:
            return response
        if response.cookies:
            response["Cache-Control"] = "private, no-store"
            return response
        response["Vary"] = "Accept-Encoding"
        response["Content-Language"] = language
        return response
