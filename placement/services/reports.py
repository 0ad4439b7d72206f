"""Reporting a newcomer child: validation, eligibility with its reason, and the route for a child who does not
qualify (a regular class with an ambulant supporter's help, through caseloads' own verb)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from caseloads import services as caseloads
from caseloads.models import Subject, Topic, Urgency
from core.errors import ServiceError
from placement.models import EligibilityRule, Interim, Report, ReportStatus
from placement.services.common import age_on, months_between, region_of, require, rule_for, today
from pupils import access
from pupils.models import AccessAction, AccessSubject
from pupils.services import clean_languages


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    age: int


def eligibility(
    rule: EligibilityRule, birth_year: int, birth_month: int, arrival: date, on: date
) -> Eligibility:
    age = age_on(birth_year, birth_month, on)
    months = months_between(arrival, on)
    if age < rule.min_age:
        reason = _("Younger than %(n)s: the child starts in a regular class.") % {"n": rule.min_age}
        return Eligibility(False, reason, age)
    if age > rule.max_age:
        reason = _("Older than %(n)s: the newcomer classes of this region take children up to that age.") % {
            "n": rule.max_age
        }
        return Eligibility(False, reason, age)
    if months > rule.max_months_in_country:
        reason = _("In the Netherlands for more than %(n)s months.") % {"n": rule.max_months_in_country}
        return Eligibility(False, reason, age)
    months = max(months, 0)
    reason = ngettext(
        "Qualifies: %(age)s years old, in the Netherlands for %(months)s month.",
        "Qualifies: %(age)s years old, in the Netherlands for %(months)s months.",
        months,
    ) % {"age": age, "months": months}
    return Eligibility(True, reason, age)


def _check_dates(birth_year: int, birth_month: int, arrival: date, on: date) -> None:
    if not 1 <= birth_month <= 12:
        raise ServiceError(_("Choose a month from 1 to 12."), field="birth_month")
    if (birth_year, birth_month) > (on.year, on.month):
        raise ServiceError(_("The birth month lies in the future."), field="birth_year")
    if on.year - birth_year > 25:
        raise ServiceError(_("Check the birth year."), field="birth_year")
    if arrival > on:
        raise ServiceError(_("The arrival date lies in the future."), field="arrival_date")
    if (arrival.year, arrival.month) < (birth_year, birth_month):
        raise ServiceError(_("The arrival date lies before the birth month."), field="arrival_date")


def _check_child(
    first_name: str,
    last_initial: str,
    home_languages: Sequence[str],
    letter_language: str,
    prior_schooling_years: int,
) -> tuple[list[str], str]:
    """Refuse a report without a name, a home language or believable schooling; the language codes (home,
    then the letters' or "") as stored."""
    if not first_name.strip() or not last_initial.strip():
        raise ServiceError(_("Give the first name and the initial."), field="first_name")
    codes = clean_languages(list(home_languages), "home_languages")
    if not codes:
        raise ServiceError(_("Give at least one home language."), field="home_languages")
    letter = clean_languages([letter_language], "letter_language")[0] if letter_language else ""
    if prior_schooling_years > 15:
        raise ServiceError(_("Give the years of prior schooling (0-15)."), field="prior_schooling_years")
    return codes, letter


def _join_family(report: Report, family: list[Report]) -> None:
    """Siblings are one family: link the new child to each sibling and to the siblings' siblings."""
    everyone = {r.pk for r in family} | {pk for r in family for pk in r.siblings.values_list("pk", flat=True)}
    report.siblings.set(sorted(everyone))


def _siblings(user: User, ids: Sequence[int], school_region: Organisation | None) -> list[Report]:
    from placement.queries import reports_for

    wanted = sorted(set(ids))
    found = list(reports_for(user).filter(pk__in=wanted, anonymised_at__isnull=True))
    if len(found) != len(wanted) or any(region_of(r.school) != school_region for r in found):
        raise ServiceError(
            _("A sibling must be a child reported in your reach, in the same region."), field="siblings"
        )
    return found


@transaction.atomic
def file_report(
    user: User,
    school: Organisation,
    *,
    first_name: str,
    last_initial: str,
    birth_year: int,
    birth_month: int,
    arrival_date: date,
    home_languages: Sequence[str],
    prior_schooling_years: int = 0,
    siblings: Sequence[int] = (),
    parent_name: str = "",
    parent_phone: str = "",
    parent_email: str = "",
    letter_language: str = "",
) -> Report:
    """Register a newcomer child reported by ``school``. An eligible child joins the waiting list; a child who
    does not qualify gets the reason and a support request for the regular class, filed for the school."""
    if school.kind != OrganisationKind.SCHOOL:
        raise ServiceError(_("Choose a school."), field="school")
    require(user, Capability.REPORT_NEWCOMERS, school, field="school")
    on = today()
    _check_dates(birth_year, birth_month, arrival_date, on)
    codes, letter = _check_child(
        first_name, last_initial, home_languages, letter_language, prior_schooling_years
    )
    region = region_of(school)
    family = _siblings(user, siblings, region)
    verdict = eligibility(rule_for(region), birth_year, birth_month, arrival_date, on)
    report = Report.objects.create(
        school=school,
        first_name=first_name.strip(),
        last_initial=last_initial.strip().rstrip(".")[:3],
        birth_year=birth_year,
        birth_month=birth_month,
        arrival_date=arrival_date,
        home_languages=codes,
        prior_schooling_years=prior_schooling_years,
        parent_name=parent_name.strip(),
        parent_phone=parent_phone.strip(),
        parent_email=parent_email.strip(),
        letter_language=letter,
        status=ReportStatus.WAITING if verdict.eligible else ReportStatus.NOT_ELIGIBLE,
        eligibility_reason=verdict.reason,
        reported_by=user,
        reported_at=timezone.now(),
    )
    if family:
        _join_family(report, family)
    if not verdict.eligible:
        _route_to_regular_class(user, report)
    access.record(
        user, [report.pk], AccessAction.CREATE, context="placement.report", subject=AccessSubject.REPORT
    )
    return report


def _route_to_regular_class(user: User, report: Report) -> None:
    """File the support request for the regular class; the description carries no child data."""
    request = caseloads.file_request(
        user,
        school=report.school,
        subject=Subject.CLASS,
        topic=Topic.LANGUAGE_DEVELOPMENT,
        description=_(
            "A newcomer child reported to the register does not qualify for a newcomer class and starts in a "
            "regular class. Please help the class (register record %(id)s)."
        )
        % {"id": report.pk},
        urgency=Urgency.NORMAL,
        languages=report.home_languages,
    )
    report.support_request_id = request.pk
    report.interim = Interim.REGULAR_WITH_SUPPORT
    report.interim_since = today()
    report.save(update_fields=["support_request_id", "interim", "interim_since"])


@transaction.atomic
def record_interim(user: User, report: Report) -> Report:
    """A waiting child goes to a regular class at the registering school, with support, until a place frees."""
    require(user, Capability.KEEP_REGISTER, report.school)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.WAITING:
        raise ServiceError(_("Only a waiting child gets an interim arrangement."), code="not_waiting")
    if not report.support_request_id:
        _route_to_regular_class(user, report)
    report.interim = Interim.REGULAR_WITH_SUPPORT
    report.interim_since = today()
    report.save(update_fields=["interim", "interim_since"])
    return report
