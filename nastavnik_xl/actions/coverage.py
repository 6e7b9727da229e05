"""Coverage: unique mentees of a group with a pair active in a year, over that group's contingent.

The same rule is written as formulas into «Целевые показатели» (see ``book.formulas``), so the
book computes it where Python is absent; tests check that LibreOffice and this module agree.
A pair is active in year Y when its start date is on or before 31 Dec Y and it has no actual
end date or ends on or after 1 Jan Y. People are counted, not pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nastavnik_xl.schema import (
    YEAR_CODE_BASE,
    YEAR_CODE_SPAN,
    CoverageGroup,
    coverage_group_by_title,
    coverage_groups,
    target_years,
)


@dataclass(frozen=True)
class CoverageRow:
    year: int
    group: str  # group key
    title: str  # group title as shown in the book
    target: float | None  # fraction
    denominator: int | None
    actual: int | None  # None after the reporting year
    actual_pct: float | None  # fraction
    gap_pp: float | None  # percentage points, actual − target


def pair_active_in(pair: Mapping[str, Any], year: int) -> bool:
    start, end = pair.get("start_date"), pair.get("actual_end")
    if not isinstance(start, dt.date) or start > dt.date(year, 12, 31):
        return False
    if end is None:
        return True
    return isinstance(end, dt.date) and end >= dt.date(year, 1, 1)


def _key(value: object) -> str:
    """IDs compare as Excel's COUNTIFS and MATCH do: case-insensitive."""
    return str(value).casefold()


def first_rows(mentees: Iterable[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """Mentee rows with an ID, the first row of each ID only (a repeated ID is one person)."""
    seen: set[str] = set()
    out = []
    for m in mentees:
        mid = m.get("mentee_id")
        if mid and _key(mid) not in seen:
            seen.add(_key(mid))
            out.append(m)
    return out


def active_mentee_ids(pairs: Iterable[Mapping[str, Any]], year: int) -> set[str]:
    return {_key(p.get("mentee_id")) for p in pairs if p.get("mentee_id") and pair_active_in(p, year)}


def covered_mentees(mentees: Iterable[Mapping[str, Any]], pairs: Iterable[Mapping[str, Any]],
                    year: int, participant_types: Iterable[str]) -> set[str]:
    """IDs of mentees of these participant types with a pair active in ``year``."""
    active = active_mentee_ids(pairs, year)
    types = set(participant_types)
    return {m["mentee_id"] for m in first_rows(mentees)
            if m.get("participant_type") in types and _key(m["mentee_id"]) in active}


def pair_year_code(pair: Mapping[str, Any], window: int, span: int = YEAR_CODE_SPAN,
                   base: int = YEAR_CODE_BASE) -> int:
    """The pair's active years in [window, window+span-1] as base-``base`` digits (the book's helper column)."""
    start, end = pair.get("start_date"), pair.get("actual_end")
    if not isinstance(start, dt.date) or not (end is None or isinstance(end, dt.date)):
        return 0
    first = max(start.year, window)
    last = min(9999 if end is None else end.year, window + span - 1)
    return sum(base ** (y - window) for y in range(first, last + 1))


def mentee_year_codes(mentees: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]],
                      window: int) -> list[int]:
    """Per mentee row: the sum of its pairs' codes (0 for a repeated ID), as the book's helper column."""
    totals: dict[str, int] = {}
    for p in pairs:
        if p.get("mentee_id"):
            totals[_key(p["mentee_id"])] = totals.get(_key(p["mentee_id"]), 0) + pair_year_code(p, window)
    firsts = {id(m) for m in first_rows(mentees)}
    return [totals.get(_key(m["mentee_id"]), 0) if id(m) in firsts else 0 for m in mentees]


def pair_years(mentees: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]],
               years: Iterable[int]) -> list[str]:
    """«Годы с парой (расчёт)» for each mentee row, as the book's formula writes it."""
    active = {y: active_mentee_ids(pairs, y) for y in years}
    firsts = {id(m) for m in first_rows(mentees)}
    return [" ".join(str(y) for y, ids in active.items() if _key(m["mentee_id"]) in ids)
            if id(m) in firsts else "" for m in mentees]


def denominator(contingent: Iterable[Mapping[str, Any]], year: int, group: CoverageGroup) -> int:
    """The group's contingent in ``year`` (summed as SUMIFS does; fallback column when 0)."""
    rows = [r for r in contingent if r.get("year") == year]

    def total(field: str | None) -> int:
        return sum(r[field] for r in rows if field and isinstance(r.get(field), int))

    value = total(group.denominator)
    return value if value or not group.fallback_denominator else total(group.fallback_denominator)


def book_targets(target_rows: Iterable[Mapping[str, Any]]) -> dict[tuple[int, str], float | None]:
    """(year, group key) → target fraction, from the rows of «Целевые показатели»."""
    out: dict[tuple[int, str], float | None] = {}
    for row in target_rows:
        group = coverage_group_by_title(row.get("group"))
        year = row.get("year")
        if group and isinstance(year, int):
            target = row.get("target_pct")
            out[(year, group.key)] = target if isinstance(target, float) else None
    return out


def default_targets() -> dict[tuple[int, str], float | None]:
    return {(y, g.key): g.targets.get(y) for g in coverage_groups() for y in target_years()}


def coverage(mentees: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]],
             contingent: Sequence[Mapping[str, Any]],
             targets: Mapping[tuple[int, str], float | None] | None = None,
             years: Iterable[int] | None = None, horizon: int | None = None) -> list[CoverageRow]:
    """Coverage per year and group, in the order of «Целевые показатели» (year, then group).

    Years after ``horizon`` (the book's reporting year) have no actual figure: an open pair
    says nothing about the future.
    """
    targets = default_targets() if targets is None else targets
    year_list = sorted({y for y, _ in targets}) if years is None else list(years)
    rows: list[CoverageRow] = []
    for year in year_list:
        for group in coverage_groups():
            if years is None and (year, group.key) not in targets:
                continue
            target = targets.get((year, group.key))
            den = denominator(contingent, year, group)
            actual = None
            if horizon is None or year <= horizon:
                actual = len(covered_mentees(mentees, pairs, year, group.participant_types))
            pct = actual / den if actual is not None and den > 0 else None
            gap = (pct - target) * 100 if pct is not None and target is not None else None
            rows.append(CoverageRow(year, group.key, group.title, target, den, actual, pct, gap))
    return rows
