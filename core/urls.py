"""Links that leave the site (e-mails, the certificate PDF, the calendar address): one place builds them."""

from django.conf import settings
from django.http import HttpRequest


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """``path`` as a full address.

    In production this is always ``SITE_URL``, the public address: a proxy's internal host name must never
    end up in an e-mail. In the embedded mode (``DEBUG``) a page's request gives the host it was opened on, so
    ``OVERSTAP_ADDR=0.0.0.0:8080`` opened as ``http://laptop.local:8080`` links back there; without a request
    (a task sending mail) it is ``SITE_URL``, which ``./overstap start`` sets from ``OVERSTAP_ADDR``.
    """
    if request is not None and settings.DEBUG:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path
