"""Dates in the family's language and script, through Babel's CLDR data.

Django's own catalogs have no month names for Tigrinya or Somali, so a parent reading in those languages
would see English months; Babel covers every language we offer.
"""

from datetime import date

from babel.dates import format_date

# Parent-language codes whose CLDR locale has another name.
_CLDR = {"prs": "fa_AF", "zh-hans": "zh_Hans"}


def month_year(value: date, language: str) -> str:
    return format_date(value, "LLLL y", locale=_CLDR.get(language, language))


def long_date(value: date, language: str) -> str:
    return format_date(value, "long", locale=_CLDR.get(language, language))
