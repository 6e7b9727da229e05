"""Turn a raw cell (what calamine returns) into the typed value a column expects.

Each converter returns ``(value, problem)``: when the cell cannot be converted, the raw value
is kept and ``problem`` says in Russian what is wrong, so the reader can report it. Some
problems are only warnings: the value was understood (a date typed as text, a synonym of a
list value) but the book's own formulas and dropdowns will not see it the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nastavnik_xl.dates import from_serial, parse_date_text
from nastavnik_xl.schema import ColType, Column, lookups, norm


@dataclass(frozen=True)
class Problem:
    code: str  # stable kebab-case finding code
    message: str  # Russian, lower-case start, no final period
    warning: bool = False


Converted = tuple[Any, Problem | None]

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


NOT_A_NUMBER = Problem("bad-number", "здесь нужно число цифрами, без слов и единиц (например, 3 или 2,5)")
WITH_UNIT = Problem("number-with-unit", "число записано с единицей измерения: программа его прочитала, но формулы "
                                        "Excel его не учтут. Оставьте в ячейке только число", warning=True)
# Units a count or a duration is typed with; the column's own unit, so the number means the same.
_UNIT_RE = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*(?:чел|человек|человека|мин|минут|минуты|лет|год|года|шт)\.?",
                      re.IGNORECASE)
NOT_AN_INTEGER = Problem("bad-number", "здесь нужно целое число цифрами, без слов и единиц (например, 3)")


def to_number(raw: object) -> Converted:
    if isinstance(raw, bool):
        return raw, NOT_A_NUMBER
    if isinstance(raw, (int, float)):
        return float(raw), None
    num = _number_from_text(str(raw))
    if num is not None:
        return num, None
    unit = _UNIT_RE.fullmatch(" ".join(str(raw).split()))
    if unit:
        return float(unit.group(1).replace(",", ".")), WITH_UNIT
    return raw, NOT_A_NUMBER


def to_int(raw: object) -> Converted:
    value, problem = to_number(raw)
    if (problem and problem is not WITH_UNIT) or not float(value).is_integer():
        return raw, NOT_AN_INTEGER
    return int(value), problem


def to_percent(raw: object) -> Converted:
    """70 %, "70", 0.7 and "0,7" all mean seventy per cent; the result is a fraction."""
    value, problem = to_number(raw)
    if problem:
        return raw, Problem("bad-number", "здесь нужен процент цифрами (например, 70 %)")
    frac = float(value)
    if frac > 1 or (isinstance(raw, str) and "%" in raw):
        frac /= 100
    return frac, None


DATE_AS_TEXT = Problem(
    "date-as-text",
    "дата введена текстом: программа её прочитала, но формулы Excel её не учтут. "
    "Введите дату заново (ДД.ММ.ГГГГ) в ячейку с форматом даты",
    warning=True,
)


def to_date(raw: object) -> Converted:
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, bool):
        return raw, Problem("bad-date", "здесь нужна дата в формате ДД.ММ.ГГГГ")
    if isinstance(raw, (int, float)):
        day = from_serial(float(raw))
        return (day, None) if day else (raw, Problem("bad-date", "число не похоже на дату: введите дату как ДД.ММ.ГГГГ"))
    day = parse_date_text(str(raw))
    if day is None:
        return raw, Problem("bad-date", "такой даты нет или её не удалось прочитать: введите дату как ДД.ММ.ГГГГ")
    return day, DATE_AS_TEXT


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
    return raw, Problem("bad-yesno", "здесь нужно «да» или «нет»")


def _in_list(text: str, column: Column) -> tuple[str | None, Problem | None]:
    """The list's spelling of ``text``: exact, normalised, or a known synonym (with a warning)."""
    lookup = lookups()[column.lookup] if column.lookup else None
    if lookup is None:
        return text, None
    canonical = lookup.canonical(text)
    if canonical is not None:
        return canonical, None
    synonym = lookup.synonym(text)
    if synonym is not None:
        return synonym, Problem("lookup-synonym", f"«{text}» понято как «{synonym}»: выберите значение из "
                                                  f"выпадающего списка «{lookup.title}»", warning=True)
    return None, Problem("unknown-value", f"значения нет в списке «{lookup.title}»: выберите его из выпадающего "
                                           "списка или дополните лист «Справочники»", warning=True)


def to_lookup(raw: object, column: Column) -> Converted:
    text, _ = to_text(raw)
    value, problem = _in_list(text, column)
    return (text if value is None else value), problem


_MULTI_SPLIT = re.compile(r"\s*[;\n]\s*|\s*,\s*(?![^()]*\))")


def to_multi(raw: object, column: Column) -> Converted:
    text, _ = to_text(raw)
    parts = [p for p in _MULTI_SPLIT.split(text) if p]
    if not column.lookup:
        return tuple(parts), None
    out: list[str] = []
    bad: list[str] = []
    for part in parts:
        value, problem = _in_list(part, column)
        if value is None:
            bad.append(part)
        else:
            out.append(value)
    if bad:
        title = lookups()[column.lookup].title
        return tuple(out + bad), Problem("unknown-value", f"нет в списке «{title}»: {', '.join(bad)}. "
                                                          "Пишите значения из списка через «;»", warning=True)
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
    """Typed value of ``raw`` for ``column``; blanks, and the texts its formula writes for no value, become None."""
    if is_blank(raw) or (column.no_value and isinstance(raw, str) and norm(raw) in map(norm, column.no_value)):
        return None, None
    if column.type is ColType.LOOKUP:
        return to_lookup(raw, column)
    if column.type is ColType.MULTI:
        return to_multi(raw, column)
    return _SIMPLE[column.type](raw)
