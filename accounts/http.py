"""The request of a signed-in page, for annotations.

Every staff page sits behind ``login_required`` (or a decorator built on it), and every API view behind
``api.permissions.require``, so ``request.user`` there is a ``User``, never ``AnonymousUser``. Django types it
as the union; a view annotated ``request: AuthedRequest`` says what its decorator already guarantees, and mypy
then checks the services it calls with ``request.user`` against ``User``.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from accounts.models import User


class AuthedRequest(HttpRequest):
    """``HttpRequest`` whose ``user`` is a signed-in ``User``. Never instantiated: an annotation only."""

    user: User


type Viewer = User | AnonymousUser
"""Whoever asks: what read-side code (``accounts.scoping``, queries) accepts. Verbs take ``User``."""
