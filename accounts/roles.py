"""Roles, what each may do (capabilities), and where each role can be held.

This is the one table the rest of the platform asks. A capability is granted over the reach of a
membership: the organisation and everything below it.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # django-stubs-ext comes with the stubs (a dev dependency), not with Django
    from django_stubs_ext import StrOrPromise


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Municipality")
    SCHOOL_BOARD = "school_board", _("School board")
    SCHOOL = "school", _("School")
    SUPPORT_SERVICE = "support_service", _("Support service")
    NEWCOMER_CLASS = "newcomer_class", _("Newcomer-class location")


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    SCHOOL_STAFF = "school_staff", _("School staff (internal supervisor)")
    BUDDY_COORDINATOR = "buddy_coordinator", _("Buddy coordinator")
    LANGUAGE_SUPPORTER = "language_supporter", _("Language supporter")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal coordinator")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    PLACEMENT_OFFICER = "placement_officer", _("Placement officer")
    NEWCOMER_CLASS_STAFF = "newcomer_class_staff", _("Newcomer-class staff")


class Capability(StrEnum):
    BROWSE_CATALOGUE = "browse_catalogue"
    ENROL = "enrol"
    RESERVE_SEATS = "reserve_seats"
    ORGANISE_COURSES = "organise_courses"
    VIEW_PUPILS = "view_pupils"
    MANAGE_PUPILS = "manage_pupils"
    RUN_MATCHING = "run_matching"
    REQUEST_SUPPORT = "request_support"
    WORK_CASES = "work_cases"
    ALLOCATE_SUPPORT = "allocate_support"
    MANAGE_ORGANISATIONS = "manage_organisations"
    INVITE_MEMBERS = "invite_members"
    VIEW_MEMBERS = "view_members"
    VIEW_REPORTS = "view_reports"
    VIEW_ACCESS_LOG = "view_access_log"
    EDIT_PARENT_INFO = "edit_parent_info"
    APPROVE_GRANTS = "approve_grants"
    VIEW_GRANT_LOG = "view_grant_log"
    REPORT_NEWCOMERS = "report_newcomers"
    KEEP_REGISTER = "keep_register"
    TEACH_NEWCOMERS = "teach_newcomers"


C = Capability
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.TEACHER: frozenset({C.BROWSE_CATALOGUE, C.ENROL}),
    Role.SCHOOL_ADMIN: frozenset(
        {
            C.BROWSE_CATALOGUE,
            C.ENROL,
            C.RESERVE_SEATS,
            C.VIEW_PUPILS,
            C.REQUEST_SUPPORT,
            C.REPORT_NEWCOMERS,
            C.INVITE_MEMBERS,
            C.VIEW_MEMBERS,
            C.APPROVE_GRANTS,
        }
    ),
    Role.SCHOOL_STAFF: frozenset(
        {
            C.BROWSE_CATALOGUE,
            C.ENROL,
            C.RESERVE_SEATS,
            C.VIEW_PUPILS,
            C.REQUEST_SUPPORT,
            C.REPORT_NEWCOMERS,
            C.VIEW_MEMBERS,
        }
    ),
    Role.BUDDY_COORDINATOR: frozenset(
        {C.BROWSE_CATALOGUE, C.VIEW_PUPILS, C.MANAGE_PUPILS, C.RUN_MATCHING, C.VIEW_REPORTS}
    ),
    Role.LANGUAGE_SUPPORTER: frozenset({C.BROWSE_CATALOGUE, C.ENROL, C.WORK_CASES}),
    Role.MUNICIPAL_COORDINATOR: frozenset(
        {
            C.BROWSE_CATALOGUE,
            C.ORGANISE_COURSES,
            C.EDIT_PARENT_INFO,
            C.MANAGE_ORGANISATIONS,
            C.INVITE_MEMBERS,
            C.VIEW_MEMBERS,
            C.VIEW_REPORTS,
        }
    ),
    Role.REGIONAL_COORDINATOR: frozenset(
        {
            C.BROWSE_CATALOGUE,
            C.ORGANISE_COURSES,
            C.EDIT_PARENT_INFO,
            C.MANAGE_ORGANISATIONS,
            C.INVITE_MEMBERS,
            C.VIEW_MEMBERS,
            C.VIEW_REPORTS,
            C.ALLOCATE_SUPPORT,
        }
    ),
    Role.PRIVACY_OFFICER: frozenset({C.VIEW_ACCESS_LOG, C.VIEW_MEMBERS, C.APPROVE_GRANTS, C.VIEW_GRANT_LOG}),
    # The officer files aftercare requests for receiving schools when confirming an outflow.
    Role.PLACEMENT_OFFICER: frozenset({C.BROWSE_CATALOGUE, C.KEEP_REGISTER, C.REQUEST_SUPPORT}),
    Role.NEWCOMER_CLASS_STAFF: frozenset({C.BROWSE_CATALOGUE, C.ENROL, C.TEACH_NEWCOMERS}),
}

# Roles whose holders see pupil-level personal data: they must use a second factor.
PUPIL_DATA_ROLES = frozenset(
    {
        Role.SCHOOL_ADMIN,
        Role.SCHOOL_STAFF,
        Role.BUDDY_COORDINATOR,
        Role.LANGUAGE_SUPPORTER,
        Role.PLACEMENT_OFFICER,
        Role.NEWCOMER_CLASS_STAFF,
    }
)

# A grant of one of these roles, made by someone who does not see pupil data at that organisation, takes
# effect only after a second person approves it (accounts/grants.py): the privacy officer because they
# approve such grants themselves, so an alias of a coordinator in that role would approve the others.
SECOND_PERSON_ROLES = PUPIL_DATA_ROLES | {Role.PRIVACY_OFFICER}

# Where each role can be held.
ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.TEACHER: frozenset({OrganisationKind.SCHOOL}),
    Role.SCHOOL_ADMIN: frozenset({OrganisationKind.SCHOOL}),
    Role.SCHOOL_STAFF: frozenset({OrganisationKind.SCHOOL}),
    Role.BUDDY_COORDINATOR: frozenset(
        {OrganisationKind.SCHOOL, OrganisationKind.MUNICIPALITY, OrganisationKind.REGION}
    ),
    Role.LANGUAGE_SUPPORTER: frozenset({OrganisationKind.SUPPORT_SERVICE}),
    Role.MUNICIPAL_COORDINATOR: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.REGIONAL_COORDINATOR: frozenset({OrganisationKind.REGION}),
    Role.PRIVACY_OFFICER: frozenset({OrganisationKind.REGION}),
    Role.PLACEMENT_OFFICER: frozenset({OrganisationKind.REGION}),
    Role.NEWCOMER_CLASS_STAFF: frozenset({OrganisationKind.NEWCOMER_CLASS}),
}

# Which roles a holder of a role may invite (within their reach).
INVITABLE_ROLES: dict[str, frozenset[str]] = {
    Role.SCHOOL_ADMIN: frozenset(
        {Role.TEACHER, Role.SCHOOL_STAFF, Role.SCHOOL_ADMIN, Role.BUDDY_COORDINATOR}
    ),
    Role.MUNICIPAL_COORDINATOR: frozenset(
        {
            Role.TEACHER,
            Role.SCHOOL_STAFF,
            Role.SCHOOL_ADMIN,
            Role.BUDDY_COORDINATOR,
            Role.MUNICIPAL_COORDINATOR,
        }
    ),
    Role.REGIONAL_COORDINATOR: frozenset(Role.values),
}

# Allowed parent kinds for each organisation kind (None: may be a root).
PARENT_KINDS: dict[str, frozenset[str | None]] = {
    OrganisationKind.REGION: frozenset({None}),
    OrganisationKind.MUNICIPALITY: frozenset({OrganisationKind.REGION}),
    OrganisationKind.SCHOOL_BOARD: frozenset({OrganisationKind.REGION, OrganisationKind.MUNICIPALITY}),
    OrganisationKind.SCHOOL: frozenset({OrganisationKind.MUNICIPALITY}),
    OrganisationKind.SUPPORT_SERVICE: frozenset({OrganisationKind.REGION}),
    OrganisationKind.NEWCOMER_CLASS: frozenset({OrganisationKind.MUNICIPALITY}),
}

CAPABILITY_LABELS: dict[Capability, "StrOrPromise"] = {
    C.BROWSE_CATALOGUE: _("Browse the catalogue of study days and training"),
    C.ENROL: _("Enrol in study days and training"),
    C.RESERVE_SEATS: _("Reserve seats for the school team"),
    C.ORGANISE_COURSES: _("Organise modules and editions"),
    C.VIEW_PUPILS: _("See newcomer pupils, buddies and matches"),
    C.MANAGE_PUPILS: _("Manage pupils and buddies"),
    C.RUN_MATCHING: _("Run buddy matching and review matches"),
    C.REQUEST_SUPPORT: _("File support requests"),
    C.WORK_CASES: _("Work a caseload and log visits"),
    C.ALLOCATE_SUPPORT: _("Allocate support requests to supporters"),
    C.MANAGE_ORGANISATIONS: _("Manage organisations"),
    C.INVITE_MEMBERS: _("Invite people"),
    C.VIEW_MEMBERS: _("See members"),
    C.VIEW_REPORTS: _("See aggregated reports"),
    C.VIEW_ACCESS_LOG: _("Read the access log of pupil records"),
    C.EDIT_PARENT_INFO: _("Write the information pages for parents"),
    C.APPROVE_GRANTS: _("Approve or refuse grants of roles that see pupil data"),
    C.VIEW_GRANT_LOG: _("Read and export the log of role grants"),
    C.REPORT_NEWCOMERS: _("Report newcomer children to the placement register"),
    C.KEEP_REGISTER: _("Keep the newcomer register: eligibility, placement, outflow"),
    C.TEACH_NEWCOMERS: _("Record progress and outflow of the own location's children"),
}
