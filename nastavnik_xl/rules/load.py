"""A mentor's load: distinct mentees per academic year, against the capacity in their card."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from nastavnik_xl.dates import academic_year_start
from nastavnik_xl.rules.people import id_key

Pair = Mapping[str, Any]


def academic_year(year: int) -> tuple[dt.date, dt.date]:
    """1 June ``year`` … 31 May ``year + 1`` (the convention of ``dates.academic_year_start``)."""
    return dt.date(year, 6, 1), dt.date(year + 1, 5, 31)


def overlaps(pair: Pair, first: dt.date, last: dt.date) -> bool:
    start, end = pair.get("start_date"), pair.get("actual_end")
    if not isinstance(start, dt.date) or start > last:
        return False
    return not isinstance(end, dt.date) or end >= first


def pair_years(pair: Pair, until: dt.date) -> range:
    """The academic years a pair touches, up to the one containing ``until`` for an open pair."""
    start, end = pair.get("start_date"), pair.get("actual_end")
    if not isinstance(start, dt.date):
        return range(0)
    last = end if isinstance(end, dt.date) and end >= start else max(start, until)
    return range(academic_year_start(start), academic_year_start(last) + 1)


def mentor_load(pairs: Iterable[Pair], until: dt.date) -> dict[str, dict[int, set[str]]]:
    """Mentor ID key → academic year → mentee ID keys of their pairs active in that year."""
    load: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for p in pairs:
        mentor, mentee = p.get("mentor_id"), p.get("mentee_id")
        if not mentor or not mentee:
            continue
        for year in pair_years(p, until):
            load[id_key(mentor)][year].add(id_key(mentee))
    return load


def free_capacity(capacity: int | None, pairs: Iterable[Pair], mentor_id: str, on: dt.date) -> int | None:
    """Places a mentor still has on ``on`` (None: capacity not stated)."""
    if capacity is None:
        return None
    active = {id_key(p.get("mentee_id")) for p in pairs
              if id_key(p.get("mentor_id") or "") == id_key(mentor_id) and p.get("mentee_id")
              and overlaps(p, on, on)}
    return max(capacity - len(active), 0)
