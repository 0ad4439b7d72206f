"""The request of an API view, for annotations.

Every API view's ``permission_classes`` comes from ``api.permissions.require``, whose defaults start with
``IsAuthenticated``, so ``request.user`` in an action is a ``User``, never ``AnonymousUser``. DRF types it as
the union; an action annotated ``request: AuthedRequest`` says what those defaults already guarantee (the API
counterpart of ``accounts.http.AuthedRequest``), and mypy then checks the verbs it calls against ``User``.
"""

from rest_framework.request import Request

from accounts.models import User


class AuthedRequest(Request):
    """DRF ``Request`` whose ``user`` is a signed-in ``User``. Never instantiated: an annotation only."""

    user: User
