"""Domain errors raised by services and mapped to HTTP 400/403/404/409 by the API and to form errors by pages."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise


class ServiceError(Exception):
    """A verb was refused for a reason the user can act on.

    ``field`` names the input at fault (shown next to it in a form, under ``fields`` in the API);
    ``status`` is the HTTP status the API answers with.
    """

    status = 400

    def __init__(self, message: str | Promise, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field


class Conflict(ServiceError):
    """The request is valid but clashes with the current state (e.g. a run already in progress)."""

    status = 409


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    """The object does not exist or lies outside the caller's reach: 404 in the API and in pages alike."""

    status = 404

    def __init__(
        self, message: str | Promise = "Not found.", *, code: str = "not_found", field: str | None = None
    ) -> None:
        super().__init__(message, code=code, field=field)


class NotFoundMiddleware:
    """Pages answer a domain :class:`NotFound` as Django's 404, the API through ``api.errors``."""

    def __init__(self, get_response: "Callable[[HttpRequest], HttpResponse]") -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        return self.get_response(request)

    def process_exception(self, request: "HttpRequest", exception: Exception) -> "HttpResponse | None":
        if isinstance(exception, NotFound):
            from django.core.handlers.exception import response_for_exception

            return response_for_exception(request, Http404())
        return None
