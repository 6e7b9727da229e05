"""Meetings: within the pair's period, the cycle in order, no long silence of an active pair."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context, is_date, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.book.model import Row
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.people import id_key

FIRST, LAST = "встреча-знакомство", "итоговая встреча"


def pair_period(rows: list[Row]) -> tuple[dt.date | None, dt.date | None, bool]:
    """First start, last end of a pair or group, and whether every row has ended."""
    starts = [r["start_date"] for r in rows if is_date(r.get("start_date"))]
    ends = [r.get("actual_end") for r in rows]
    closed = bool(ends) and all(is_date(e) for e in ends)
    start, end = (min(starts) if starts else None), (max(ends) if closed else None)  # type: ignore[type-var]
    if start is not None and end is not None and end < start:
        end = None  # end-before-start reports the pair; its meetings are not judged by a wrong end
    return start, end, closed


@rule("meeting-outside-pair", title="встреча в сроки работы пары")
def meeting_in_period(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("meetings"):
        day, pair = r.get("date"), ctx.pairs_by_id.get(id_key(r.get("pair_id") or ""))
        if not is_date(day) or not pair:
            continue
        start, end, _ = pair_period(pair)
        if start is not None and day < start:
            yield ctx.finding("meeting-outside-pair", ERROR, "meetings", r, "date",
                              f"Встреча {ru(day)} раньше начала работы пары «{r['pair_id']}» ({ru(start)}): "
                              "проверьте дату встречи или дату начала пары.")
        elif end is not None and day > end:
            yield ctx.finding("meeting-outside-pair", ERROR, "meetings", r, "date",
                              f"Встреча {ru(day)} позже окончания пары «{r['pair_id']}» ({ru(end)}): "
                              "проверьте дату встречи или дату окончания пары.")


@rule("meeting-cycle-order", title="цикл встреч: знакомство первым, итоговая последней")
def cycle_order(ctx: Context) -> Iterator[Finding]:
    for meetings in ctx.meetings_by_pair.values():
        dated = sorted((m for m in meetings if is_date(m.get("date"))), key=lambda m: (m["date"], m["_row"]))
        if len(dated) < 2:
            continue
        intro = [m for m in dated if m.get("meeting_type") == FIRST]
        if intro and dated[0]["date"] < intro[0]["date"]:
            yield ctx.finding("meeting-cycle-order", WARNING, "meetings", intro[0], "date",
                              f"Встреча-знакомство пары «{intro[0]['pair_id']}» ({ru(intro[0]['date'])}) не первая: "
                              f"раньше была встреча {ru(dated[0]['date'])}. Проверьте даты или типы встреч.")
        final = [m for m in dated if m.get("meeting_type") == LAST]
        if final and dated[-1]["date"] > final[-1]["date"]:
            yield ctx.finding("meeting-cycle-order", WARNING, "meetings", final[-1], "date",
                              f"После итоговой встречи пары «{final[-1]['pair_id']}» ({ru(final[-1]['date'])}) "
                              f"была ещё встреча {ru(dated[-1]['date'])}. Проверьте даты или типы встреч.")


@rule("pair-no-meetings", title="действующая пара встречается регулярно")
def regular_meetings(ctx: Context) -> Iterator[Finding]:
    gap = dt.timedelta(weeks=ctx.settings.meeting_gap_weeks)
    for pair_key, rows in ctx.pairs_by_id.items():
        start, _, closed = pair_period(rows)
        if closed or start is None or start > ctx.on:
            continue
        days = [m["date"] for m in ctx.meetings_by_pair.get(pair_key, []) if is_date(m.get("date"))
                and m["date"] <= ctx.on]
        last = max(days) if days else start
        if ctx.on - last > gap:
            first_row = min(rows, key=lambda r: r["_row"])
            since = f"последняя встреча {ru(last)}" if days else f"встреч нет с начала работы ({ru(start)})"
            yield ctx.finding("pair-no-meetings", WARNING, "pairs", first_row, "pair_id",
                              f"Пара «{first_row['pair_id']}» действует, но {since} — больше "
                              f"{ctx.settings.meeting_gap_weeks} недель на {ru(ctx.on)}. Внесите встречи в журнал "
                              "или завершите пару.")
