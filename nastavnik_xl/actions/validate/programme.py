"""Roadmap and targets: overdue items, missing contingent, coverage over 100 %, pairs left open, pairs formed late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from nastavnik_xl.actions.coverage import book_targets, coverage, default_targets, pair_active_in
from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context, is_date, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.findings import Finding
from nastavnik_xl.schema import coverage_groups

FINISHED_ITEMS = ("выполнено", "отменено")


@rule("roadmap-overdue", title="мероприятия дорожной карты выполнены в срок")
def roadmap_on_time(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("roadmap"):
        due = r.get("due_date")
        if is_date(due) and due < ctx.on and r.get("status") not in FINISHED_ITEMS and not is_date(r.get("done_date")):
            yield ctx.finding("roadmap-overdue", WARNING, "roadmap", r, "status",
                              f"Срок мероприятия «{_short(r.get('activity'))}» прошёл {ru(due)}, а оно не отмечено "
                              "выполненным. Отметьте статус и дату выполнения или перенесите срок.")


def _short(text: object, limit: int = 60) -> str:
    s = str(text or "")
    return s if len(s) <= limit else s[:limit - 1].rstrip() + "…"


def _horizon(ctx: Context) -> int:
    org = ctx.book.organisation
    return org.reporting_year if org and org.reporting_year else ctx.on.year


def _targets(ctx: Context) -> dict[tuple[int, str], float | None]:
    rows = ctx.rows("targets")
    return book_targets(rows) if rows else default_targets()


@rule("contingent-missing", title="контингент указан за годы с целевыми показателями")
def contingent_for_targets(ctx: Context) -> Iterator[Finding]:
    org = ctx.book.organisation
    if org is None:
        return
    horizon = _horizon(ctx)
    targets = _targets(ctx)
    groups = {g.key: g for g in coverage_groups()}
    pairs = ctx.rows("pairs")
    for (year, key), target in sorted(targets.items()):
        if target is None or year > horizon or (year != horizon and not any(pair_active_in(p, year) for p in pairs)):
            continue  # a year with no pairs has nothing to count, whatever its contingent
        group = groups[key]
        row = org.contingent_for(year)
        fields = [f for f in (group.denominator, group.fallback_denominator) if f]
        if row is not None and any(row.get(f) not in (None, 0) for f in fields):
            continue  # a number, or a typed value the reader already reported
        column = ctx.header("organisation", group.denominator)
        yield ctx.finding("contingent-missing", ERROR, "organisation", row, group.denominator if row else "",
                          f"Для {year} года есть цель охвата «{group.title}» ({target:.0%}), но нет контингента "
                          f"(«{column}»): без него охват не посчитать. Впишите численность на листе "
                          f"«{ctx.sheet_name('organisation')}».")


@rule("coverage-over-100", title="охват не больше 100 %")
def coverage_within_contingent(ctx: Context) -> Iterator[Finding]:
    org = ctx.book.organisation
    if org is None:
        return
    for c in coverage(ctx.rows("mentees"), ctx.rows("pairs"), org.contingent.rows, _targets(ctx),
                      horizon=_horizon(ctx)):
        if c.actual is not None and c.denominator and c.actual > c.denominator:
            row = org.contingent_for(c.year)
            group = next(g for g in coverage_groups() if g.key == c.group)
            yield ctx.finding("coverage-over-100", ERROR, "organisation", row, group.denominator if row else "",
                              f"В {c.year} году в парах {c.actual} чел. («{c.title}»), а контингент — "
                              f"{c.denominator}: охват больше 100 %. Проверьте контингент или типы участников.")


@rule("pair-open-too-long", title="пара не остаётся открытой через год после планового окончания")
def pairs_closed(ctx: Context) -> Iterator[Finding]:
    limit = dt.timedelta(days=ctx.settings.open_after_planned_days)
    for p in ctx.rows("pairs"):
        planned = p.get("planned_end")
        if p.get("actual_end") is None and is_date(planned) and ctx.on - planned > limit:
            yield ctx.finding("pair-open-too-long", WARNING, "pairs", p, "actual_end",
                              f"Пара должна была закончиться {ru(planned)}, прошло больше года, а фактического "
                              "окончания нет. Впишите дату окончания и статус пары.")


@rule("pair-formed-late", title="пара сформирована в течение двух недель после включения в базу")
def pairs_formed_in_time(ctx: Context) -> Iterator[Finding]:
    limit = dt.timedelta(days=ctx.settings.pair_within_days)
    for key, mentee in ctx.mentees.items():
        entry = mentee.get("entry_date")
        starts = [p for p in ctx.pairs_of_mentee.get(key, []) if is_date(p.get("start_date"))]
        if not is_date(entry) or not starts:
            continue
        first = min(starts, key=lambda p: (p["start_date"], p["_row"]))
        if first["start_date"] - entry > limit:
            yield ctx.finding("pair-formed-late", WARNING, "pairs", first, "start_date",
                              f"Наставляемый «{first['mentee_id']}» включён в базу {ru(entry)}, а пара сформирована "
                              f"{ru(first['start_date'])} — позже двух недель. Формируйте пары быстрее или "
                              "уточните дату включения в базу.")
