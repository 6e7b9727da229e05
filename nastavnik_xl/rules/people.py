"""Facts about people the rules share: identity keys, ages, look-alike letters, contacts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

# Latin letters that look like Cyrillic ones (and back), as they slip into typed IDs.
LATIN_TO_CYRILLIC: dict[str, str] = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т",
    "X": "Х", "Y": "У", "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к",
}
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_PHONE_CHARS = re.compile(r"[\s\-()\u2010-\u2015.]")
_EMAIL = re.compile(r"^[\w.+\-]+@[\w\-]+(\.[\w\-]+)+$", re.UNICODE)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def person_key(row: Mapping[str, Any]) -> tuple[str, dt.date] | None:
    """Normalised full name (case, ё/е, spaces) plus birth date; None without both."""
    name, birth = row.get("full_name"), row.get("birth_date")
    if not isinstance(name, str) or not name.strip() or not isinstance(birth, dt.date):
        return None
    return " ".join(name.replace("ё", "е").replace("Ё", "Е").casefold().split()), birth


def id_key(value: object) -> str:
    """IDs compare as Excel's lookups do: case-insensitive, spaces trimmed."""
    return str(value).strip().casefold()


def has_lookalike(value: str) -> bool:
    """A Cyrillic ID with Latin letters in it («НК-1» typed as «HК-1»), or a Latin-only prefix of a Cyrillic scheme."""
    return bool(_LATIN.search(value)) and all(ch in LATIN_TO_CYRILLIC or not _LATIN.match(ch) for ch in value)


def to_cyrillic(value: str) -> str:
    return "".join(LATIN_TO_CYRILLIC.get(ch, ch) for ch in value)


def is_mixed_script(value: str) -> bool:
    return bool(_LATIN.search(value)) and bool(_CYRILLIC.search(value))


def is_phone(text: str) -> bool:
    """Russian phone numbers: +7 or 8 and ten digits, with any spaces, dashes, brackets or dots."""
    digits = _PHONE_CHARS.sub("", text)
    if digits.startswith("+7"):
        return len(digits) == 12 and digits[2:].isdigit()
    return len(digits) == 11 and digits.isdigit() and digits[0] in "78"


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text.strip()))


def contact_parts(text: str) -> list[str]:
    """A contact cell may hold a phone and an e-mail, separated by «;», «,» or a new line."""
    return [p.strip() for p in re.split(r"[;,\n]|\s{2,}", text) if p.strip()]


def is_contact(text: str) -> bool:
    parts = contact_parts(text)
    return bool(parts) and all(is_phone(p) or is_email(p) for p in parts)
