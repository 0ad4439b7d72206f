"""Edition series: create several editions of a module at once (the same study day on five dates across
the region, a network meeting every six weeks), each with its own capacity, seats and waitlist, and
change them as a series (every edition that has not started yet) or one by one (the edition's own pages).

Built from the single-edition verbs, so every rule holds per edition: ``create_edition``,
``add_meeting`` and ``publish_edition``; capacity through ``change_capacity`` and the school limit
through ``school_limit.set_school_limit``, which lock each edition as ``enrol`` does and promote from its
waitlist. One transaction for the whole series: a refused edition leaves no half-made series.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ServiceError
from courses import school_limit, services
from courses.models import Edition, EditionSeries, EditionStatus, Module, PromotionMode

MAX_EDITIONS = 52


@dataclass(frozen=True)
class SeriesDate:
    starts_at: datetime
    ends_at: datetime
    venue: str


def plan_dates(
    first_starts_at: datetime, first_ends_at: datetime, *, count: int, interval_weeks: int, venues: list[str]
) -> list[SeriesDate]:
    """``count`` dates, ``interval_weeks`` apart, at the same local time of day (across the change to or
    from summer time); venue ``i`` for date ``i``, the last venue for the dates beyond the list."""
    if not 1 <= count <= MAX_EDITIONS:
        raise ServiceError(
            _("A series has 1 to %(n)d editions.") % {"n": MAX_EDITIONS}, code="invalid", field="count"
        )
    if interval_weeks < 1:
        raise ServiceError(_("At least one week between editions."), code="invalid", field="interval_weeks")
    if first_ends_at <= first_starts_at:
        raise ServiceError(_("A meeting must end after it starts."), code="invalid", field="first_ends_at")
    venues = [v.strip() for v in venues if v.strip()]
    if not venues:
        raise ServiceError(_("Give at least one venue."), code="required", field="venues")
    start, end = timezone.localtime(first_starts_at), timezone.localtime(first_ends_at)
    zone = start.tzinfo
    dates = []
    for i in range(count):
        day = start.date() + timedelta(weeks=interval_weeks * i)
        s = datetime.combine(day, start.time().replace(tzinfo=None)).replace(tzinfo=zone)
        e = datetime.combine(day + (end.date() - start.date()), end.time().replace(tzinfo=None)).replace(
            tzinfo=zone
        )
        dates.append(SeriesDate(_aware(s), _aware(e), venues[min(i, len(venues) - 1)]))
    return dates


def _aware(moment: datetime) -> datetime:
    """Re-attach the current zone so the offset follows summer time on that date."""
    naive = moment.replace(tzinfo=None)
    return timezone.make_aware(naive, timezone.get_current_timezone())


@transaction.atomic
def create_series(
    actor: User,
    module: Module,
    *,
    title: str,
    dates: list[SeriesDate],
    capacity: int,
    enrol_opens_at: datetime,
    close_days_before: int = 1,
    cancel_days_before: int = 2,
    school_seat_limit: int | None = None,
    requires_school_approval: bool = False,
    requires_organiser_approval: bool = False,
    promotion_mode: str = PromotionMode.IMMEDIATE,
    offer_hours: int = 48,
    publish: bool = False,
) -> EditionSeries:
    services.editions._require_organiser(actor, module)
    title = title.strip()
    if not title:
        raise ServiceError(_("Give the series a name."), code="required", field="title")
    if school_seat_limit is not None and not 1 <= school_seat_limit <= capacity:
        raise ServiceError(
            _("The seats per school lie between 1 and the capacity."),
            code="invalid",
            field="school_seat_limit",
        )
    if close_days_before < 0 or cancel_days_before < 0:
        raise ServiceError(
            _("Give a number of days of 0 or more."), code="invalid", field="close_days_before"
        )
    series = EditionSeries.objects.create(module=module, title=title, created_by=actor)
    for date in sorted(dates, key=lambda d: d.starts_at):
        closes = date.starts_at - timedelta(days=close_days_before)
        if closes <= enrol_opens_at:
            raise ServiceError(
                _("Enrolment must open before it closes for the first edition."),
                code="invalid_window",
                field="enrol_opens_at",
            )
        edition = services.create_edition(
            actor,
            module,
            label=f"{title} · {timezone.localtime(date.starts_at):%d-%m-%Y}"[:100],
            capacity=capacity,
            enrol_opens_at=enrol_opens_at,
            enrol_closes_at=closes,
            cancel_deadline=date.starts_at - timedelta(days=cancel_days_before),
            requires_school_approval=requires_school_approval,
            requires_organiser_approval=requires_organiser_approval,
            promotion_mode=promotion_mode,
            offer_hours=offer_hours,
        )
        edition.series = series
        edition.school_seat_limit = school_seat_limit
        edition.save(update_fields=["series", "school_seat_limit"])
        services.add_meeting(actor, edition, starts_at=date.starts_at, ends_at=date.ends_at, venue=date.venue)
        if publish:
            services.publish_edition(actor, edition)
    return series


def future_editions(series: EditionSeries) -> list[Edition]:
    """The editions a series edit changes: open (draft or published) and not started yet."""
    return list(
        series.editions.filter(status__in=[EditionStatus.DRAFT, EditionStatus.PUBLISHED])
        .filter(starts_at__gt=timezone.now())
        .order_by("pk")  # ascending ids: the lock order of every multi-edition verb
    )


#: What a series edit sets on every future edition; each edition's own page changes one alone.
SERIES_FIELDS = (
    "capacity",
    "school_seat_limit",
    "requires_school_approval",
    "requires_organiser_approval",
    "promotion_mode",
    "offer_hours",
)


@transaction.atomic
def update_series(actor: User, series: EditionSeries, **data: object) -> list[Edition]:
    """Apply the given settings to every future edition of the series; capacity and the school limit go
    through their own verbs (each edition locked, its waitlist promoted). A refusal for one edition
    names it and changes none."""
    services.editions._require_organiser(actor, series.module)
    editions = future_editions(series)
    if not editions:
        raise ServiceError(_("This series has no editions left to change."), code="nothing_to_change")
    for edition in editions:
        try:
            if "capacity" in data and data["capacity"] != edition.capacity:
                services.change_capacity(actor, edition, int(data["capacity"]))  # type: ignore[call-overload]
            if "school_seat_limit" in data and data["school_seat_limit"] != edition.school_seat_limit:
                school_limit.set_school_limit(actor, edition, data["school_seat_limit"])  # type: ignore[arg-type]
            plain = {k: v for k, v in data.items() if k in SERIES_FIELDS[2:]}
            if plain:
                services.update_edition(actor, edition, **plain)
        except ServiceError as exc:
            when = timezone.localtime(edition.starts_at).strftime("%d-%m-%Y") if edition.starts_at else ""
            exc.message = _("Edition of %(date)s: %(message)s") % {"date": when, "message": exc.message}
            raise
    return editions


@transaction.atomic
def publish_series(actor: User, series: EditionSeries) -> int:
    """Publish every draft edition of the series (each invites its interest list and theme followers)."""
    services.editions._require_organiser(actor, series.module)
    drafts = list(series.editions.filter(status=EditionStatus.DRAFT).order_by("pk"))
    for edition in drafts:
        services.publish_edition(actor, edition)
    return len(drafts)
