"""Load: a mentor within capacity in each academic year; a mentee in one active pair of a form."""

from __future__ import annotations

from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, Context, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.load import mentor_load
from nastavnik_xl.rules.people import id_key


@rule("mentor-over-capacity", title="у наставника не больше наставляемых, чем он может взять")
def mentor_capacity(ctx: Context) -> Iterator[Finding]:
    load = mentor_load(ctx.rows("pairs"), ctx.on)
    for key, mentor in ctx.mentors.items():
        capacity = mentor.get("capacity")
        if not isinstance(capacity, int) or isinstance(capacity, bool):
            continue
        over = {year: len(ids) for year, ids in load.get(key, {}).items() if len(ids) > capacity}
        if over:
            year = max(over, key=lambda y: (over[y], y))
            yield ctx.finding("mentor-over-capacity", ERROR, "mentors", mentor, "capacity",
                              f"В {year}/{year + 1} учебном году у наставника {over[year]} наставляемых, а в карточке — "
                              f"не более {capacity}. Увеличьте «{ctx.header('mentors', 'capacity')}» или передайте "
                              "часть наставляемых другому наставнику.")


@rule("mentee-double-pair", title="наставляемый не состоит в двух действующих парах одной формы")
def one_pair_per_form(ctx: Context) -> Iterator[Finding]:
    for pairs in ctx.pairs_of_mentee.values():
        ordered = sorted((p for p in pairs if hasattr(p.get("start_date"), "year")),
                         key=lambda p: (p["start_date"], p["_row"]))
        for i, later in enumerate(ordered):
            for earlier in ordered[:i]:
                if (earlier.get("form") == later.get("form") and id_key(earlier.get("pair_id") or "")
                        != id_key(later.get("pair_id") or "") and _still_open(earlier, later["start_date"])):
                    yield ctx.finding("mentee-double-pair", ERROR, "pairs", later, "mentee_id",
                                      f"Наставляемый «{later['mentee_id']}» уже в действующей паре "
                                      f"«{earlier.get('pair_id')}» той же формы (строка {earlier['_row']}, с "
                                      f"{ru(earlier['start_date'])}). Завершите прежнюю пару или исправьте запись.")
                    break


def _still_open(pair: dict, day: object) -> bool:
    end = pair.get("actual_end")
    return end is None or (hasattr(end, "year") and end > day)  # type: ignore[operator]
