"""Turn a raw cell (what calamine returns) into the typed value a column expects.

Each converter returns ``(value, problem)``: when the cell cannot be converted, the raw value
is kept and ``problem`` says in Russian what is wrong, so the reader can report it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from nastavnik_xl.dates import from_serial, parse_date_text
from nastavnik_xl.schema import Column, ColType, lookups, norm

Converted = tuple[Any, str | None]

_NUMBER_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
YES = {"да", "д", "yes", "y", "+", "1", "true", "истина", "пройдено", "проведено", "есть", "v", "✓"}
NO = {"нет", "н", "no", "n", "-", "0", "false", "ложь", "не пройдено", "не проведено"}


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def to_text(raw: object) -> Converted:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw)), None
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.strftime("%d.%m.%Y"), None
    return " ".join(str(raw).split()), None


def to_id(raw: object) -> Converted:
    text, _ = to_text(raw)
    return text.strip(), None


def _number_from_text(text: str) -> float | None:
    s = text.replace("\u00a0", "").replace(" ", "").replace("%", "")
    if _NUMBER_RE.fullmatch(s):
        return float(s.replace(",", "."))
    return None


def to_number(raw: object) -> Converted:
    if isinstance(raw, bool):
        return raw, "здесь нужно число цифрами, без слов и единиц (например, 3 или 2,5)"
    if isinstance(raw, (int, float)):
        return float(raw), None
    num = _number_from_text(str(raw))
    if num is None:
        return raw, "здесь нужно число цифрами, без слов и единиц (например, 3 или 2,5)"
    return num, None


def to_int(raw: object) -> Converted:
    value, problem = to_number(raw)
    if problem:
        return raw, "здесь нужно целое число цифрами, без слов и единиц (например, 3)"
    if not float(value).is_integer():
        return raw, "здесь нужно целое число цифрами, без слов и единиц (например, 3)"
    return int(value), None


def to_percent(raw: object) -> Converted:
    """70 %, "70", 0.7 and "0,7" all mean seventy per cent; the result is a fraction."""
    value, problem = to_number(raw)
    if problem:
        return raw, "здесь нужен процент цифрами (например, 70 %)"
    frac = float(value)
    if frac > 1 or (isinstance(raw, str) and "%" in raw):
        frac /= 100
    return frac, None


def to_date(raw: object) -> Converted:
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, bool):
        return raw, "здесь нужна дата в формате ДД.ММ.ГГГГ"
    if isinstance(raw, (int, float)):
        day = from_serial(float(raw))
        return (day, None) if day else (raw, "число не похоже на дату: введите дату как ДД.ММ.ГГГГ")
    day = parse_date_text(str(raw))
    if day is None:
        return raw, "такой даты нет или её не удалось прочитать: введите дату как ДД.ММ.ГГГГ"
    return day, None


def to_yesno(raw: object) -> Converted:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw), None
    if isinstance(raw, (dt.date, dt.datetime)):
        return True, None  # a date in a yes/no column means "done on that day"
    key = norm(raw)
    if key in YES:
        return True, None
    if key in NO:
        return False, None
    return raw, "здесь нужно «да» или «нет»"


def to_lookup(raw: object, column: Column) -> Converted:
    text, _ = to_text(raw)
    lookup = lookups()[column.lookup] if column.lookup else None
    if lookup is None:
        return text, None
    canonical = lookup.canonical(text)
    if canonical is None:
        return text, f"значения нет в списке «{lookup.title}»: выберите его из выпадающего списка или дополните лист «Справочники»"
    return canonical, None


_MULTI_SPLIT = re.compile(r"\s*[;\n]\s*|\s*,\s*(?![^()]*\))")


def to_multi(raw: object, column: Column) -> Converted:
    text, _ = to_text(raw)
    parts = [p for p in _MULTI_SPLIT.split(text) if p]
    if not column.lookup:
        return tuple(parts), None
    lookup = lookups()[column.lookup]
    out: list[str] = []
    bad: list[str] = []
    for part in parts:
        canonical = lookup.canonical(part)
        (out if canonical else bad).append(canonical or part)
    if bad:
        return tuple(out + bad), f"нет в списке «{lookup.title}»: {', '.join(bad)}. Пишите значения из списка через «;»"
    return tuple(out), None


_SIMPLE: dict[ColType, Callable[[object], Converted]] = {
    ColType.ID: to_id,
    ColType.TEXT: to_text,
    ColType.INT: to_int,
    ColType.NUMBER: to_number,
    ColType.DATE: to_date,
    ColType.YESNO: to_yesno,
    ColType.PERCENT: to_percent,
}


def convert(raw: object, column: Column) -> Converted:
    """Typed value of ``raw`` for ``column``; blanks become None."""
    if is_blank(raw):
        return None, None
    if column.type is ColType.LOOKUP:
        return to_lookup(raw, column)
    if column.type is ColType.MULTI:
        return to_multi(raw, column)
    return _SIMPLE[column.type](raw)
