from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Signup happens only through an invitation (accounts.views.accept_invitation)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
