"""Domain errors raised by services and mapped to HTTP 400/403/404/409 by the API and to form errors by pages."""

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
