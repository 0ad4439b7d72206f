"""ISO 639 language codes that schools meet among newcomer pupils, with names in Dutch and English.

Languages serve communication between a pupil and a buddy or supporter; they never rank or select pupils.
"""

from django.utils.translation import gettext_lazy as _

LANGUAGES: dict[str, object] = {
    "nl": _("Dutch"),
    "en": _("English"),
    "ar": _("Arabic"),
    "uk": _("Ukrainian"),
    "ru": _("Russian"),
    "pl": _("Polish"),
    "tr": _("Turkish"),
    "ti": _("Tigrinya"),
    "am": _("Amharic"),
    "so": _("Somali"),
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "zh": _("Chinese"),
    "hi": _("Hindi"),
    "ur": _("Urdu"),
    "fa": _("Persian"),
    "ps": _("Pashto"),
    "ku": _("Kurdish"),
    "fr": _("French"),
    "de": _("German"),
    "it": _("Italian"),
    "ro": _("Romanian"),
    "bg": _("Bulgarian"),
    "hu": _("Hungarian"),
    "lt": _("Lithuanian"),
    "lv": _("Latvian"),
    "el": _("Greek"),
    "sq": _("Albanian"),
    "sr": _("Serbian"),
    "hr": _("Croatian"),
    "bs": _("Bosnian"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "vi": _("Vietnamese"),
    "th": _("Thai"),
    "id": _("Indonesian"),
    "ta": _("Tamil"),
    "te": _("Telugu"),
    "bn": _("Bengali"),
    "ml": _("Malayalam"),
    "mr": _("Marathi"),
    "pa": _("Punjabi"),
    "gu": _("Gujarati"),
    "tl": _("Tagalog"),
    "sw": _("Swahili"),
    "ha": _("Hausa"),
    "yo": _("Yoruba"),
    "ig": _("Igbo"),
    "hy": _("Armenian"),
    "ka": _("Georgian"),
    "he": _("Hebrew"),
    "ber": _("Berber (Tamazight)"),
    "prs": _("Dari"),
    "ckb": _("Sorani Kurdish"),
    "sk": _("Slovak"),
    "cs": _("Czech"),
    "sl": _("Slovenian"),
    "mk": _("Macedonian"),
    "be": _("Belarusian"),
    "pap": _("Papiamento"),
    "srn": _("Sranan Tongo"),
    "fy": _("Frisian"),
}

LANGUAGE_CHOICES = sorted(((code, name) for code, name in LANGUAGES.items()), key=lambda c: str(c[1]))


def validate_codes(codes: list[str]) -> list[str]:
    """Normalise a list of codes; raise ValueError naming the first unknown one."""
    result: list[str] = []
    for raw in codes:
        code = str(raw).strip().lower()
        if not code:
            continue
        if code not in LANGUAGES:
            raise ValueError(code)
        if code not in result:
            result.append(code)
    return result


def language_name(code: str) -> str:
    return str(LANGUAGES.get(code, code))
