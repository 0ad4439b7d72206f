from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from accounts import grants, scoping, services
from accounts.forms import AcceptInvitationForm, InvitationForm, OrganisationForm
from accounts.http import AuthedRequest
from accounts.models import GrantRequest, GrantStatus, Invitation, Membership, Organisation
from accounts.roles import CAPABILITIES, CAPABILITY_LABELS, Capability
from core.dashboard import panels_for
from core.errors import ServiceError
from core.forms import apply_service_error

APPROVAL_NOTE = gettext_noop(
    "This role sees pupil data: it takes effect only after the school's admin or the region's privacy "
    "officer approves it."
)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "accounts/home.html")


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    rows = [
        {
            "membership": m,
            "abilities": [
                CAPABILITY_LABELS[c] for c in Capability if c in CAPABILITIES.get(m.role, frozenset())
            ],
        }
        for m in memberships
    ]
    panels = panels_for(request, scoping.capabilities(request.user))
    return render(request, "accounts/dashboard.html", {"rows": rows, "panels": panels})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.INVITE_MEMBERS):
        raise Http404
    form = InvitationForm(
        request.POST or None, user=request.user, initial={"language": request.LANGUAGE_CODE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            if grants.needs_second_person(request.user, invitation.organisation, invitation.role):
                messages.info(request, _(APPROVAL_NOTE))
            return redirect("invitation_list")
    invitations = scoping.scope(
        Invitation.objects.select_related("organisation", "invited_by", "grant_request"),
        request.user,
        Capability.INVITE_MEMBERS,
    )
    page = Paginator(invitations, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/invitation_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.open_invitation(token)
    except ServiceError as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Overstap."))
            if GrantRequest.objects.filter(invitation=invitation, status=GrantStatus.PENDING).exists():
                messages.info(request, _(APPROVAL_NOTE))
            return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


def _organisation_reach(request: AuthedRequest) -> scoping.Reach:
    manage = scoping.reach(request.user, Capability.MANAGE_ORGANISATIONS)
    return manage if not manage.empty else scoping.reach(request.user, Capability.VIEW_MEMBERS)


@login_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    reach = _organisation_reach(request)
    if reach.empty:
        raise Http404
    orgs = reach.organisations().select_related("parent").annotate(member_count=Count("memberships"))
    query = request.GET.get("q", "").strip()
    if query:
        orgs = orgs.filter(name__icontains=query)
    kind = request.GET.get("kind", "")
    if kind:
        orgs = orgs.filter(kind=kind)
    page = Paginator(orgs.order_by("path"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": Organisation._meta.get_field("kind").choices,
            "can_manage": scoping.can(request.user, Capability.MANAGE_ORGANISATIONS),
        },
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    reach = _organisation_reach(request)
    org = reach.organisations().select_related("parent").filter(pk=pk).first()
    if org is None:
        raise Http404
    members = []
    if scoping.can(request.user, Capability.VIEW_MEMBERS, org):
        members = list(org.memberships.select_related("user").order_by("user__last_name", "user__first_name"))
    return render(
        request,
        "accounts/organisation_detail.html",
        {"org": org, "children": org.children.order_by("name"), "members": members},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.MANAGE_ORGANISATIONS):
        raise Http404
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": org.name})
            return redirect("organisation_detail", pk=org.pk)
    return render(request, "accounts/organisation_form.html", {"form": form})
