"""Demo region Zuid-Kennemerland: organisations and one user for every role.

Idempotent: every object is found by a natural key before it is created, so ``seed_demo`` can run again.
Later apps extend the demo through their own ``<app>/demo.py`` with a ``seed(ctx)`` function.
"""

import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress

from accounts.models import Membership, Organisation, SchoolStage, User
from accounts.roles import OrganisationKind, Role

DEMO_PASSWORD = "overstap-demo"

SCHOOLS: dict[str, list[tuple[str, str]]] = {
    "Haarlem": [
        ("De Kring", "primary"),
        ("Het Spaarnepark", "primary"),
        ("De Zonnewijzer", "primary"),
        ("Schoterschool", "primary"),
        ("De Dreef", "primary"),
        ("Ter Cleeff", "primary"),
        ("De Molenwiek", "primary"),
        ("Het Kleurrijk", "primary"),
        ("De Wilgenhoek", "primary"),
        ("Bavoschool", "primary"),
        ("De Globe", "primary"),
        ("Zuiderpolder", "primary"),
        ("Parkschool", "primary"),
        ("De Satelliet", "primary"),
        ("Kennemer Lyceum Haarlem", "secondary"),
        ("Spaarne College", "secondary"),
        ("Coornhert Mavo", "secondary"),
        ("Haarlem International School", "secondary"),
        ("Sterren College", "secondary"),
        ("Het Schoter", "secondary"),
    ],
    "Heemstede": [
        ("Crayenesterschool", "primary"),
        ("Nicolaasschool", "primary"),
        ("De Evenaar", "primary"),
        ("Voorwegschool", "primary"),
        ("Heemstede College", "secondary"),
    ],
    "Bloemendaal": [
        ("Het Duinpad", "primary"),
        ("Bloemendaalse School", "primary"),
        ("De Vijverberg", "primary"),
        ("Overveen Lyceum", "secondary"),
    ],
    "Zandvoort": [
        ("De Duinroos", "primary"),
        ("Hannie Schaft", "primary"),
        ("Oranje Nassau", "primary"),
        ("Zandvoort College", "secondary"),
    ],
}

USERS: list[tuple[str, str, str, str, Role]] = [
    # key, e-mail, first name, last name, role
    ("regional", "regio@overstap.demo", "Renée", "Vos", Role.REGIONAL_COORDINATOR),
    ("privacy", "privacy@overstap.demo", "Paul", "Dekker", Role.PRIVACY_OFFICER),
    ("municipal", "gemeente.haarlem@overstap.demo", "Mirjam", "de Graaf", Role.MUNICIPAL_COORDINATOR),
    ("buddy_region", "maatjes@overstap.demo", "Bram", "Kuipers", Role.BUDDY_COORDINATOR),
    ("buddy_school", "maatjes.dekring@overstap.demo", "Sanne", "Bakker", Role.BUDDY_COORDINATOR),
    ("school_admin", "directie.dekring@overstap.demo", "Joost", "Mulder", Role.SCHOOL_ADMIN),
    ("school_staff", "ib.dekring@overstap.demo", "Fatima", "El Amrani", Role.SCHOOL_STAFF),
    ("teacher", "leerkracht@overstap.demo", "Lotte", "Jansen", Role.TEACHER),
    ("teacher_b", "leerkracht.spaarnepark@overstap.demo", "Daan", "Smit", Role.TEACHER),
    ("supporter", "taal@overstap.demo", "Olena", "Kovalenko", Role.LANGUAGE_SUPPORTER),
    ("supporter_b", "taal2@overstap.demo", "Youssef", "Haddad", Role.LANGUAGE_SUPPORTER),
    ("supporter_c", "taal3@overstap.demo", "Marieke", "Visser", Role.LANGUAGE_SUPPORTER),
]


@dataclass
class DemoContext:
    region: Organisation
    municipalities: dict[str, Organisation]
    schools: list[Organisation]
    support_service: Organisation
    users: dict[str, User]
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role label, e-mail, where

    def school(self, name: str) -> Organisation:
        return next(s for s in self.schools if s.name == name)


def _org(kind: str, name: str, parent: Organisation | None, **extra: object) -> Organisation:
    org = Organisation.objects.filter(kind=kind, name=name, parent=parent).first()
    if org is None:
        org = Organisation.objects.create(kind=kind, name=name, parent=parent, **extra)
    return org


def _user(email: str, first: str, last: str, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        maker = User.objects.create_superuser if superuser else User.objects.create_user
        user = maker(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed() -> DemoContext:
    region = _org(OrganisationKind.REGION, "Zuid-Kennemerland", None)
    municipalities = {name: _org(OrganisationKind.MUNICIPALITY, name, region) for name in SCHOOLS}
    _org(OrganisationKind.SCHOOL_BOARD, "Stichting Spaarnesant", region)
    schools: list[Organisation] = []
    counter = 0
    for municipality, entries in SCHOOLS.items():
        for name, stage in entries:
            counter += 1
            brin = f"{counter:02d}ZK"
            school = Organisation.objects.filter(brin=brin).first() or _org(
                OrganisationKind.SCHOOL,
                name,
                municipalities[municipality],
                brin=brin,
                stage=SchoolStage(stage),
            )
            schools.append(school)
    support = _org(OrganisationKind.SUPPORT_SERVICE, "Taalondersteuning Zuid-Kennemerland", region)

    where = {
        Role.REGIONAL_COORDINATOR: region,
        Role.PRIVACY_OFFICER: region,
        Role.MUNICIPAL_COORDINATOR: municipalities["Haarlem"],
        Role.LANGUAGE_SUPPORTER: support,
    }
    ctx = DemoContext(region, municipalities, schools, support, {})
    ctx.users["admin"] = _user("admin@overstap.demo", "Beheer", "Overstap", superuser=True)
    ctx.logins.append(("Superuser (admin)", "admin@overstap.demo", "/admin/"))
    for key, email, first, last, role in USERS:
        org = where.get(role)
        if key == "buddy_region":
            org = region
        elif key == "teacher_b":
            org = ctx.school("Het Spaarnepark")
        elif org is None:
            org = ctx.school("De Kring")
        user = _user(email, first, last)
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        ctx.users[key] = user
        ctx.logins.append((str(Role(role).label), email, org.name))
    # A handful of teachers at other schools, so course editions fill up realistically.
    for i, school in enumerate(schools[:24]):
        email = f"leerkracht{i + 1:02d}@overstap.demo"
        user = _user(email, ctx.rng.choice(FIRST_NAMES), ctx.rng.choice(LAST_NAMES))
        Membership.objects.get_or_create(user=user, organisation=school, role=Role.TEACHER)
        ctx.users[f"teacher{i + 1:02d}"] = user
    return ctx


FIRST_NAMES = [
    "Anouk",
    "Bas",
    "Carmen",
    "Dewi",
    "Eva",
    "Floor",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jesse",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Okke",
    "Pien",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
    "Umut",
    "Vera",
    "Wouter",
    "Yara",
]
LAST_NAMES = [
    "de Vries",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Yilmaz",
    "Ahmadi",
]
