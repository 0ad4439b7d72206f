"""Ask for the password again before an export or download of personal data, unless it was given recently.

The window is allauth's ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (``config/settings.py``: 10 minutes). A person
who logged in (password, code or second factor) or re-authenticated within the window exports at once; later,
or with no record of how they signed in (a session from before an upgrade, a test's ``force_login``), they are
sent to ``/accounts/reauthenticate/`` and then back. The proof is allauth's own record of authentications in
the session (``allauth.account.authentication.get_authentication_records``), the same records its
``reauthentication_required`` reads; allauth itself counts only re-authentications, we also count the login.

Call it *after* the view's reach check: a wrong id still answers 404 (never a password prompt that tells the
id exists).
"""

import time

from allauth.account import app_settings
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.http import HttpRequest


def window_seconds() -> int:
    return int(app_settings.REAUTHENTICATION_TIMEOUT)


def authenticated_recently(request: HttpRequest) -> bool:
    """True when the session's newest authentication record (login or re-authentication) is in the window."""
    if not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    newest = max((float(r.get("at", 0)) for r in records), default=None)
    return newest is not None and time.time() - newest < window_seconds()


def require_recent_login(request: HttpRequest) -> None:
    """Raise allauth's ``ReauthenticationRequired`` (its middleware answers with the redirect to the
    re-authentication page, which sends the person back here) unless :func:`authenticated_recently`."""
    if not authenticated_recently(request):
        raise ReauthenticationRequired()
