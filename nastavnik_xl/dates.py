"""Dates as people write them: Excel serials, datetimes, ``01.09.2024``, «1 сентября 2024 г.»,
and the free-text terms of a roadmap («май–июнь 2020 г.», «до 02.09.2024», «ежегодно»)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dateutil import parser as dateutil_parser

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials outside this window are not dates anybody in the programme typed (1930–2100).
_MIN_SERIAL, _MAX_SERIAL = 10959, 73415

MONTHS: dict[str, int] = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
_MONTH_RE = re.compile(
    r"(январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|августе|"
    r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s?[./,-]\s?(\d{1,2})\s?[./,-]\s?(\d{2,4})")
_ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


def from_serial(value: float) -> dt.date | None:
    """An Excel serial day number as a date, if it is plausibly one."""
    if _MIN_SERIAL <= value <= _MAX_SERIAL:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return None


def to_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _month_number(word: str) -> int:
    w = word.lower()
    for stem, num in sorted(MONTHS.items(), key=lambda kv: -len(kv[0])):
        if w.startswith(stem):
            return num
    raise ValueError(word)


def parse_date_text(text: str) -> dt.date | None:
    """Parse one date typed as text; None if it is not a date."""
    s = text.strip().lower().replace("\u00a0", " ")
    s = re.sub(r"\s*(г\.?|года?)\s*$", "", s).strip()
    if not s:
        return None
    m = _ISO_DATE.fullmatch(s)
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _NUMERIC_DATE.fullmatch(s)
    if m:
        year = int(m[3])
        if year < 100:
            year += 2000 if year < 70 else 1900
        return _safe_date(year, int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2})\s+([а-я]+)\s+(\d{4})", s)
    if m and _MONTH_RE.fullmatch(m[2]):
        return _safe_date(int(m[3]), _month_number(m[2]), int(m[1]))
    if re.search(r"[a-z]", s) and not re.search(r"[а-я]", s):
        try:
            return dateutil_parser.parse(s, dayfirst=True).date()
        except (ValueError, OverflowError):
            return None
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def due_range(text: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a term written in words.

    «май–июнь 2020 г.» → (2020-05-01, 2020-06-30); «до 02.09.2024» → (None, 2024-09-02);
    «Сентябрь, 2021г.» → (2021-09-01, 2021-09-30); «ежегодно» → (None, None).
    """
    s = text.lower().replace("\u00a0", " ")
    parsed = [_safe_date(int(y) + (2000 if len(y) == 2 else 0), int(mo), int(d))
              for d, mo, y in _NUMERIC_DATE.findall(s)]
    dates = [d for d in parsed if d is not None]
    if dates:
        if re.search(r"\bдо\b|не позднее", s):
            return None, max(dates)
        return min(dates), max(dates)
    months = [_month_number(m) for m in _MONTH_RE.findall(s)]
    years = [int(y) for y in _YEAR.findall(s)]
    if not months or not years:
        if years and not months:
            return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        return None, None
    first_m, last_m = months[0], months[-1]
    first_y = years[0]
    last_y = years[-1]
    if len(years) == 1 and last_m < first_m:  # «декабрь–январь 2021» crosses the new year
        last_y = first_y + 1
    last_day = calendar.monthrange(last_y, last_m)[1]
    return dt.date(first_y, first_m, 1), dt.date(last_y, last_m, last_day)


def academic_year_start(today: dt.date) -> int:
    """The year an academic year began in: 2026 for any day from June 2026 to May 2027."""
    return today.year if today.month >= 6 else today.year - 1
