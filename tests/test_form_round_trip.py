"""Every edit form of the project, in Dutch and in English: GET it for a fully filled object, post back
exactly what the page rendered, and the object is unchanged, field by field.

The edit forms are discovered from the URL conf (a route ending in ``edit/`` or a name ending in ``_edit``),
not listed by hand. Each needs a builder below that makes a fully filled object and the user who edits it;
a new edit form without one fails ``test_it_has_a_filled_object_for_every_edit_form`` by name.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from caseloads.models import SupporterProfile, Topic
from courses.models import ActivityType, AudienceRole, AudienceStage, Format, PromotionMode, Theme
from tests.caseloads.factories import make_case, make_supporter
from tests.courses.factories import make_edition, make_module
from tests.factories import OrgTree, make_membership
from tests.formparse import submitted_values
from tests.matching.factories import make_buddy, make_pupil
from tests.placement.factories import make_group, make_location


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def edit_form_names() -> list[str]:
    found = {
        name
        for name, route in _walk(get_resolver().url_patterns)
        if route.endswith("edit/") or name.endswith("_edit")
    }
    return sorted(found)


@dataclass
class EditCase:
    user: User
    obj: models.Model
    post_url: str
    get_url: str = ""  # the page that shows the form, when it is not the form's own address

    @property
    def page(self) -> str:
        return self.get_url or self.post_url


def _minute(days: int = 0, hours: int = 0) -> object:
    """A moment on a whole minute: ``datetime-local`` inputs carry minutes, not seconds."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now + timedelta(days=days, hours=hours)


def _buddy(tree: OrgTree) -> EditCase:
    today = timezone.localdate()
    buddy = make_buddy(
        tree.school_a,
        interests=["football", "drawing"],
        gender="f",
        capacity=2,
        available_from=today - timedelta(days=30),
        available_until=today + timedelta(days=200),
        trained_on=today - timedelta(days=60),
        languages=["nl", "ar", "en"],
    )
    user = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    return EditCase(user, buddy, reverse("matching:buddy_edit", args=[buddy.pk]))


def _pupil(tree: OrgTree) -> EditCase:
    pupil = make_pupil(
        tree.school_a,
        transition_date=timezone.localdate() + timedelta(days=40),
        other_languages=["en", "fr"],
        home_languages=["ar", "ku"],
        interests=["music"],
        gender="m",
        buddy_gender_preference="m",
        consent_by="guardian",
        consent_at=timezone.now(),
    )
    user = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    return EditCase(user, pupil, reverse("matching:pupil_edit", args=[pupil.pk]))


def _case(tree: OrgTree) -> EditCase:
    supporter = make_supporter(tree.support_a, municipality=tree.municipality_a1)
    case = make_case(supporter, tree.school_a, planned_hours=6)
    return EditCase(
        supporter,
        case,
        reverse("caseloads:case_edit", args=[case.pk]),
        get_url=reverse("caseloads:case_detail", args=[case.pk]),
    )


def _profile(tree: OrgTree) -> tuple[User, SupporterProfile]:
    supporter = make_supporter(
        tree.support_a,
        municipality=tree.municipality_a2,
        expertise=(Topic.LANGUAGE_DEVELOPMENT, Topic.PLACEMENT),
        languages=("nl", "tr"),
        hours=12.5,
    )
    return supporter, SupporterProfile.objects.get(user=supporter)


def _own_profile(tree: OrgTree) -> EditCase:
    supporter, profile = _profile(tree)
    return EditCase(supporter, profile, reverse("caseloads:profile_edit"))


def _supporter_profile(tree: OrgTree) -> EditCase:
    supporter, profile = _profile(tree)
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    return EditCase(coordinator, profile, reverse("caseloads:supporter_profile_edit", args=[supporter.pk]))


def _edition(tree: OrgTree) -> EditCase:
    start = _minute(days=30)
    edition = make_edition(
        make_module(tree.region_a),
        start=start,
        label="Voorjaar 2027",
        enrol_opens_at=_minute(days=-2, hours=3),
        enrol_closes_at=start - timedelta(days=1, hours=2),
        cancel_deadline=start - timedelta(days=3),
        reservation_deadline=start - timedelta(days=5),
        requires_school_approval=True,
        requires_organiser_approval=True,
        promotion_mode=PromotionMode.OFFER,
        offer_hours=24,
        required_meetings=1,
        remind_school_leader=True,
    )
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    return EditCase(organiser, edition, reverse("courses:edition_edit", args=[edition.pk]))


def _module(tree: OrgTree) -> EditCase:
    module = make_module(
        tree.region_a,
        title="Ouders als partners",
        summary="Samen met ouders in gesprek.",
        description="Drie middagen met oefeningen.",
        themes=[Theme.MULTILINGUALISM, Theme.PARENT_CONTACT],
        format=Format.TRAINING_MODULE,
        activity_type=ActivityType.COURSE,
        audience_stage=AudienceStage.PRIMARY,
        audience_role=AudienceRole.SCHOOL_STAFF,
        pd_hours=Decimal("12.5"),
        self_study_hours=Decimal("4.5"),
        provider="Hogeschool Rotterdam",
    )
    make_edition(module)  # published: editing after publishing is the point
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    return EditCase(organiser, module, reverse("courses:module_edit", args=[module.pk]))


def _meeting(tree: OrgTree) -> EditCase:
    start = _minute(days=20)
    edition = make_edition(make_module(tree.region_a), start=start)
    meeting = edition.meetings.get()
    meeting.online_url = "https://meet.example.nl/ouders"
    meeting.save()
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    return EditCase(organiser, meeting, reverse("courses:meeting_edit", args=[meeting.pk]))


def _series(tree: OrgTree) -> EditCase:
    """A series of two future editions; the round trip must leave each of them as it was."""
    from courses.models import EditionSeries

    module = make_module(tree.region_a)
    made = EditionSeries.objects.create(module=module, title="Netwerk NT2")
    editions = [
        make_edition(
            module,
            start=_minute(days=30 + 42 * i),
            capacity=24,
            school_seat_limit=3,
            requires_school_approval=True,
            requires_organiser_approval=True,
            promotion_mode=PromotionMode.OFFER,
            offer_hours=36,
            series=made,
        )
        for i in range(2)
    ]
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    return EditCase(organiser, editions[1], reverse("courses:series_edit", args=[made.pk]))


def _group(tree: OrgTree) -> EditCase:
    group = make_group(
        make_location(tree.municipality_a1, "Haarlem-Noord"),
        name="Instroom 6-9",
        stage="primary",
        age_min=6,
        age_max=9,
        capacity=12,
        intake_days=[1, 3, 5],
        active=True,
    )
    officer = make_membership(Role.PLACEMENT_OFFICER, tree.region_a)
    return EditCase(officer, group, reverse("placement:group_edit", args=[group.pk]))


BUILDERS: dict[str, Callable[[OrgTree], EditCase]] = {
    "matching:buddy_edit": _buddy,
    "matching:pupil_edit": _pupil,
    "caseloads:case_edit": _case,
    "caseloads:profile_edit": _own_profile,
    "caseloads:supporter_profile_edit": _supporter_profile,
    "courses:edition_edit": _edition,
    "courses:module_edit": _module,
    "courses:meeting_edit": _meeting,
    "courses:series_edit": _series,
    "placement:group_edit": _group,
}


#: Lists of codes that are sets: a multiple select posts them in its options' order. Nothing reads their
#: order (matching compares sets of languages), so only their members must survive.
UNORDERED = {"languages", "home_languages", "other_languages", "expertise"}


def snapshot(obj: models.Model) -> dict[str, object]:
    """Every stored field (``auto_now`` ones excepted) and every many-to-many set, read afresh."""
    fresh = type(obj).objects.get(pk=obj.pk)
    values: dict[str, object] = {
        f.attname: getattr(fresh, f.attname)
        for f in fresh._meta.concrete_fields
        if not getattr(f, "auto_now", False)
    }
    for name in UNORDERED & set(values):
        values[name] = sorted(values[name])  # type: ignore[call-overload]
    for m2m in fresh._meta.many_to_many:
        values[m2m.name] = sorted(getattr(fresh, m2m.name).values_list("pk", flat=True))
    return values


def test_it_has_a_filled_object_for_every_edit_form() -> None:
    missing = [name for name in edit_form_names() if name not in BUILDERS]
    assert not missing, (
        f"edit forms without a fully filled object in tests/test_form_round_trip.py BUILDERS: {missing}; "
        "add a builder so the Dutch round trip covers them"
    )
    assert set(BUILDERS) <= set(edit_form_names()), "a builder for a form the URL conf no longer has"


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("name", edit_form_names())
def test_it_keeps_every_value_when_the_rendered_form_is_posted_back(
    name: str, language: str, tree: OrgTree, client: object
) -> None:
    if name not in BUILDERS:
        pytest.fail(f"{name}: no fully filled object to edit; add a builder to BUILDERS")
    case = BUILDERS[name](tree)
    client.force_login(case.user)  # type: ignore[attr-defined]
    client.cookies["django_language"] = language  # type: ignore[attr-defined]
    before = snapshot(case.obj)

    page = client.get(case.page, HTTP_ACCEPT_LANGUAGE=language)  # type: ignore[attr-defined]
    assert page.status_code == 200, f"{name}: GET {case.page} answered {page.status_code}"
    assert page["Content-Language"] == language
    action = case.post_url if case.get_url else ""
    values = submitted_values(page.content.decode(), action)
    empty = [k for k, v in values.items() if not any(v)]
    assert not empty, f"{name} ({language}) rendered empty fields for a fully filled object: {empty}"
    response = client.post(case.post_url, values, HTTP_ACCEPT_LANGUAGE=language)  # type: ignore[attr-defined]

    assert response.status_code == 302, f"{name} ({language}) refused its own values: {values}"
    after = snapshot(case.obj)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{name} ({language}) changed on a round trip: {changed}"


def test_it_renders_dates_in_iso_inside_date_inputs_in_dutch(tree: OrgTree, client: object) -> None:
    case = _buddy(tree)
    client.force_login(case.user)  # type: ignore[attr-defined]
    client.cookies["django_language"] = "nl"  # type: ignore[attr-defined]

    values = submitted_values(client.get(case.post_url).content.decode(), "")  # type: ignore[attr-defined]

    assert values["available_until"] == [case.obj.available_until.isoformat()]  # type: ignore[attr-defined]
    assert values["trained_on"] == [case.obj.trained_on.isoformat()]  # type: ignore[attr-defined]
