from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Organisation, SchoolStage, User
from accounts.roles import Capability, OrganisationKind, Role
from accounts.services import offerable_roles
from core.forms import declared_field


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = scoping.reach(user, Capability.INVITE_MEMBERS).organisations()
        declared_field(self, "organisation", forms.ModelChoiceField).queryset = organisations
        offered = offerable_roles(user)
        declared_field(self, "role", forms.ChoiceField).choices = [
            (
                role,
                _("%(role)s (needs approval)") % {"role": Role(role).label} if pending else Role(role).label,
            )
            for role, pending in offered
        ]
        if any(pending for _role, pending in offered):
            self.fields["role"].help_text = _(
                "A role marked “needs approval” sees pupil data: it takes effect only after the school's "
                "admin (for a school) or the region's privacy officer approves it."
            )


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed without its "or None"
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you refuse this grant."))
        return data


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed without its "or None"
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Organisation.objects.none())
    brin = forms.CharField(label=_("BRIN code (schools)"), max_length=6, required=False)
    stage = forms.ChoiceField(
        label=_("Stage (schools)"), choices=[("", "—"), *SchoolStage.choices], required=False
    )
    allow_cross_school_matching = forms.BooleanField(
        label=_("Allow buddies from other schools in the same municipality"), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = scoping.reach(user, Capability.MANAGE_ORGANISATIONS).organisations()
        declared_field(self, "parent", forms.ModelChoiceField).queryset = organisations
