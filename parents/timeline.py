"""The school path of a child by birth month, as Dutch law and practice set it (no account, no storage).

* A child may go to primary school from the fourth birthday (groep 1).
* Compulsory education (leerplicht) starts on the first day of the month after the fifth birthday.
* Primary school has eight groups; children move to secondary school after groep 8, usually in the
  summer of the year they turn twelve (a child born after 1 October often a year later).
* Newcomer classes: ITK for primary-school ages (about 6 to 12), ISK for secondary ages (12 to 18).
* Leerplicht ends at the end of the school year in which the child turns sixteen; after that the
  qualification duty (kwalificatieplicht) holds until eighteen or a basic qualification.

Pure functions of (birth month, today): the page formats the dates in the family's language.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    BEFORE_SCHOOL = "before_school"
    MAY_START = "may_start"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    QUALIFICATION = "qualification"
    ADULT = "adult"


class Step(StrEnum):
    MAY_START = "may_start"
    COMPULSORY = "compulsory"
    SECONDARY = "secondary"
    LEERPLICHT_ENDS = "leerplicht_ends"
    QUALIFICATION_ENDS = "qualification_ends"


@dataclass(frozen=True)
class Timeline:
    stage: Stage
    newcomer_class: str  # "ITK", "ISK" or "" when neither fits the age
    steps: list[tuple[Step, date, bool]]  # (step, from when, already passed)


def _add_months(year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def school_year_end(year: int) -> date:
    """The last day of the school year that ends in ``year`` (the summer holiday starts in July)."""
    return date(year, 7, 31)


def timeline(birth_year: int, birth_month: int, today: date) -> Timeline:
    may_start = _add_months(birth_year, birth_month, 4 * 12)
    compulsory = _add_months(birth_year, birth_month, 5 * 12 + 1)
    secondary_year = birth_year + 12 + (1 if birth_month >= 10 else 0)
    secondary = date(secondary_year, 9, 1)
    # Leerplicht ends at the end of the school year in which the child turns 16.
    sixteen = _add_months(birth_year, birth_month, 16 * 12)
    leerplicht_ends = school_year_end(sixteen.year + (1 if sixteen.month >= 8 else 0))
    qualification_ends = _add_months(birth_year, birth_month, 18 * 12)
    steps = [
        (Step.MAY_START, may_start),
        (Step.COMPULSORY, compulsory),
        (Step.SECONDARY, secondary),
        (Step.LEERPLICHT_ENDS, leerplicht_ends),
        (Step.QUALIFICATION_ENDS, qualification_ends),
    ]
    if today < may_start:
        stage = Stage.BEFORE_SCHOOL
    elif today < compulsory:
        stage = Stage.MAY_START
    elif today < secondary:
        stage = Stage.PRIMARY
    elif today <= leerplicht_ends:
        stage = Stage.SECONDARY
    elif today < qualification_ends:
        stage = Stage.QUALIFICATION
    else:
        stage = Stage.ADULT
    age_years = (today.year - birth_year) - (1 if today.month < birth_month else 0)
    newcomer_class = "ITK" if 6 <= age_years < 12 else "ISK" if 12 <= age_years < 18 else ""
    return Timeline(stage, newcomer_class, [(step, when, when <= today) for step, when in steps])
