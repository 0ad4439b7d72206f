"""Engine reason codes rendered as translated sentences ("shares Arabic; same grade; 2 shared interests").

The engine returns codes with parameters; the words live here so they follow the reader's language.
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pupils.languages import language_name
from pupils.models import Interest


def _languages(codes: Sequence[str]) -> str:
    return ", ".join(language_name(c) for c in codes)


def reason_text(code: str, params: dict[str, Any], interest_names: dict[str, str] | None = None) -> str:
    if code == "locked":
        return _("locked by a coordinator")
    if code == "shared_home_language":
        return _("shares %(languages)s") % {"languages": _languages(params.get("languages", []))}
    if code == "shared_language":
        return _("shares %(languages)s as a bridge language") % {
            "languages": _languages(params.get("languages", []))
        }
    if code == "no_shared_language":
        return _("no shared language")
    if code == "same_grade":
        return _("same grade")
    if code == "grade_distance":
        n = int(params.get("distance", 0))
        return ngettext("%(n)d grade apart", "%(n)d grades apart", n) % {"n": n}
    if code == "shared_interests":
        n = int(params.get("count", 0))
        text = ngettext("%(n)d shared interest", "%(n)d shared interests", n) % {"n": n}
        names = [interest_names.get(c, c) for c in params.get("interests", [])] if interest_names else []
        return f"{text} ({', '.join(names)})" if names else text
    if code == "buddy_load":
        n = int(params.get("load", 0))
        if n == 0:
            return _("buddy's first pupil")
        return ngettext("buddy already has %(n)d pupil", "buddy already has %(n)d pupils", n) % {"n": n}
    return code


def explain(reasons: Sequence[Sequence[Any]], interest_names: dict[str, str] | None = None) -> str:
    return "; ".join(reason_text(code, params, interest_names) for code, params in reasons)


def unmatched_text(reason: str, params: dict[str, Any], school: str = "") -> str:
    n = int(params.get("buddies", 0))
    texts = {
        "no_buddy_in_group": _("no buddy of this kind at %(school)s"),
        "no_consent": _("no buddy with consent at %(school)s"),
        "not_available": _("no buddy available on the transition date at %(school)s"),
        "gender_preference": _("no buddy at %(school)s matches the gender preference"),
        "all_excluded": _("every possible buddy at %(school)s was rejected before"),
        "no_free_capacity": _("no buddy with free capacity at %(school)s"),
        "capacity_taken": ngettext(
            "the free place at %(school)s went to another pupil (%(n)d buddy was possible)",
            "the free places at %(school)s went to other pupils (%(n)d buddies were possible)",
            n,
        ),
    }
    template = texts.get(reason)
    return template % {"school": school, "n": n} if template else reason


def interest_names() -> dict[str, str]:
    return {i.code: str(i) for i in Interest.objects.all()}
