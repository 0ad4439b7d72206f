"""Response headers Django has no setting for, on every response (pages, API, static files, /healthz)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADERS = {
    # No page needs the camera, the microphone or the location; a compromised script cannot ask for them.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Other sites may not embed our responses (pupil data in JSON, certificates) as resources.
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Outermost, so responses that whitenoise serves before the rest of the stack get them too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
