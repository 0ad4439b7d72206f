"""Ask for the password again before an export or download of personal data.

allauth's ``reauthentication_required`` decorator, applied *after* the view's reach check: a wrong id still
answers 404 (never a password prompt that tells the id exists), and a person in reach who logged in longer
ago than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` is sent to the re-authentication page and then back here.
"""

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest


@reauthentication_required
def _recent(request: HttpRequest) -> None:
    return None


def require_recent_login(request: HttpRequest) -> None:
    """Raise allauth's ``ReauthenticationRequired`` (its middleware answers with the redirect) unless the
    user logged in or re-authenticated recently."""
    _recent(request)
