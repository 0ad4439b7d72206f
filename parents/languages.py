"""The families' languages: which ones the parents' side offers, their names in their own script, their
direction and the fonts that show their script.

Django's own ``LANG_INFO`` lacks some of these (Tigrinya, Somali) and knows nothing of fonts, so the
parents' side keeps this small table and reads the configured codes from ``settings.PARENT_LANGUAGES``.
Dutch is always first: it is the source every translation is made from.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Language:
    code: str
    name_local: str  # the name as its speakers write it
    bidi: bool  # written right to left
    script: str  # ISO 15924, for the font stack in parents.css (``[data-script=...]``)


KNOWN: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("nl", "Nederlands", False, "Latn"),
        Language("en", "English", False, "Latn"),
        Language("ar", "العربية", True, "Arab"),
        Language("uk", "Українська", False, "Cyrl"),
        Language("pl", "Polski", False, "Latn"),
        Language("tr", "Türkçe", False, "Latn"),
        Language("ti", "ትግርኛ", False, "Ethi"),
        Language("so", "Soomaali", False, "Latn"),
        Language("fa", "فارسی", True, "Arab"),
        Language("es", "Español", False, "Latn"),
        Language("ru", "Русский", False, "Cyrl"),
        Language("fr", "Français", False, "Latn"),
        Language("de", "Deutsch", False, "Latn"),
        Language("pt", "Português", False, "Latn"),
        Language("prs", "دری", True, "Arab"),
        Language("ps", "پښتو", True, "Arab"),
        Language("am", "አማርኛ", False, "Ethi"),
        Language("zh-hans", "中文", False, "Hans"),
    )
}

SOURCE = "nl"


def configured() -> list[Language]:
    """The languages parents can choose, Dutch first, in the configured order."""
    codes = [SOURCE, *(c for c in settings.PARENT_LANGUAGES if c != SOURCE)]
    return [KNOWN[c] for c in codes]


def codes() -> list[str]:
    return [lang.code for lang in configured()]


def get(code: str) -> Language | None:
    return KNOWN.get(code) if code in codes() else None


def best_match(accept_language: str) -> str:
    """The first configured language in an Accept-Language header, else Dutch."""
    offered = codes()
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        weighted.append((-quality, i, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        for candidate in (tag, tag.split("-")[0]):
            if candidate in offered:
                return candidate
    return SOURCE
