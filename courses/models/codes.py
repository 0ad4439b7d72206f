"""Generated codes and tokens (check-in, verification, calendar feed) and the school year of a date."""

import secrets
import string
from datetime import date

# Check-in and verification codes avoid look-alike characters (0/O, 1/I/L) so they survive being read
# aloud in a hall and typed on a phone.
CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "01OIL")


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def checkin_code() -> str:
    return random_code(6)


def verification_code() -> str:
    return random_code(12)


def feed_token() -> str:
    return secrets.token_urlsafe(32)


def school_year(day: date) -> str:
    """Dutch school years run from 1 August to 31 July: 2026-10-01 -> "2026-2027"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"
