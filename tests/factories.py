"""Small factories, built per test. Name users by what they are: ``teacher_a``, ``coordinator_b``."""

import itertools
from dataclasses import dataclass

from allauth.account.models import EmailAddress

from accounts.models import Membership, Organisation, User
from accounts.roles import OrganisationKind, Role

_seq = itertools.count(1)


def make_user(email: str | None = None, password: str = "pw-for-tests-123", **extra: object) -> User:
    n = next(_seq)
    email = email or f"user{n}@example.test"
    user = User.objects.create_user(
        email=email, password=password, first_name=f"First{n}", last_name="Test", **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_org(
    kind: str, name: str | None = None, parent: Organisation | None = None, **extra: object
) -> Organisation:
    n = next(_seq)
    if kind == OrganisationKind.SCHOOL:
        extra.setdefault("stage", "primary")
    return Organisation.objects.create(kind=kind, name=name or f"{kind} {n}", parent=parent, **extra)


def make_membership(role: str, organisation: Organisation, user: User | None = None) -> User:
    user = user or make_user()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@dataclass
class OrgTree:
    """Two regions; region A has municipalities A1, A2 with schools; region B has one of each."""

    region_a: Organisation
    municipality_a1: Organisation
    municipality_a2: Organisation
    school_a: Organisation  # in A1
    school_a2: Organisation  # in A1
    school_a3: Organisation  # in A2
    support_a: Organisation
    region_b: Organisation
    municipality_b: Organisation
    school_b: Organisation


def make_org_tree() -> OrgTree:
    region_a = make_org(OrganisationKind.REGION, "Region A")
    m_a1 = make_org(OrganisationKind.MUNICIPALITY, "Municipality A1", region_a)
    m_a2 = make_org(OrganisationKind.MUNICIPALITY, "Municipality A2", region_a)
    region_b = make_org(OrganisationKind.REGION, "Region B")
    m_b = make_org(OrganisationKind.MUNICIPALITY, "Municipality B", region_b)
    return OrgTree(
        region_a=region_a,
        municipality_a1=m_a1,
        municipality_a2=m_a2,
        school_a=make_org(OrganisationKind.SCHOOL, "School A", m_a1),
        school_a2=make_org(OrganisationKind.SCHOOL, "School A2", m_a1),
        school_a3=make_org(OrganisationKind.SCHOOL, "School A3", m_a2),
        support_a=make_org(OrganisationKind.SUPPORT_SERVICE, "Support A", region_a),
        region_b=region_b,
        municipality_b=m_b,
        school_b=make_org(OrganisationKind.SCHOOL, "School B", m_b),
    )


ROLES = Role
