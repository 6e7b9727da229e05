"""The pairs the curator accepted in «Подбор пар», checked again and turned into «Пары» rows.

A row is refused (as a finding, never silently) when the mentee already has an active pair, an ID
is unknown, no form of the model fits the two, or the mentor has no free place left — the
curator may have edited the sheet since the proposal was made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nastavnik_xl.actions.pairing.pool import form_names, mentee_mask, mentor_mask, pool
from nastavnik_xl.book.model import Book
from nastavnik_xl.findings import Finding, Severity
from nastavnik_xl.rules.people import id_key

ACCEPTED = "принять"
METHOD = "автоподбор"
_ID = re.compile(r"^(.*?)(\d+)$")


@dataclass
class Acceptance:
    rows: list[dict[str, Any]] = field(default_factory=list)  # field → value, for «Пары»
    findings: list[Finding] = field(default_factory=list)


def next_pair_ids(existing: list[str], count: int) -> list[str]:
    """New pair IDs in the book's own style («П-0412» after «П-0411»); «П-0001» in an empty book."""
    styles = Counter((m.group(1), len(m.group(2))) for v in existing if (m := _ID.match(v.strip())))
    prefix, width = styles.most_common(1)[0][0] if styles else ("П-", 4)
    taken = {int(m.group(2)) for v in existing if (m := _ID.match(v.strip())) and m.group(1) == prefix}
    start = max(taken, default=0) + 1
    return [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]


def planned_end(start: dt.date) -> dt.date:
    """The end of the academic year the pair starts in (31 May)."""
    return dt.date(start.year + (start.month >= 6), 5, 31)


def accept(book: Book, decisions: Mapping[tuple[str, str], str], percents: Mapping[tuple[str, str], float],
           on: dt.date) -> Acceptance:
    """«Пары» rows for the accepted proposals, with the reasons any was refused."""
    p = pool(book, on)
    mentees = {id_key(m["mentee_id"]): m for m in p.mentees}
    mentors = {id_key(m["mentor_id"]): (j, m) for j, m in enumerate(p.mentors)}
    free = list(p.free)
    out = Acceptance()
    accepted = [k for k, v in decisions.items() if v == ACCEPTED]
    existing = [str(r.get("pair_id")) for r in book.tables["pairs"].rows if r.get("pair_id")]
    ids = iter(next_pair_ids(existing, len(accepted)))
    taken: set[str] = set()
    for mentee_id, mentor_id in sorted(accepted):
        problem = _problem(mentee_id, mentor_id, mentees, mentors, free, taken)
        if problem:
            out.findings.append(Finding(code=problem[0], severity=Severity.ERROR, sheet="Подбор пар",
                                        value=f"{mentee_id} — {mentor_id}", message=problem[1]))
            continue
        mentee = mentees[id_key(mentee_id)]
        j, mentor = mentors[id_key(mentor_id)]
        free[j] -= 1
        taken.add(id_key(mentee_id))
        form = form_names(mentee_mask(mentee) & mentor_mask(mentor))[0]
        out.rows.append({"pair_id": next(ids), "form": form, "mentor_id": mentor["mentor_id"],
                         "mentee_id": mentee["mentee_id"], "match_method": METHOD,
                         "match_score": percents.get((mentee_id, mentor_id)), "start_date": on,
                         "planned_end": planned_end(on), "status": "сформирована"})
    return out


def _problem(mentee_id: str, mentor_id: str, mentees: Mapping[str, Any], mentors: Mapping[str, Any],
             free: list[int], taken: set[str]) -> tuple[str, str] | None:
    if id_key(mentee_id) in taken:
        return "accept-mentee-twice", f"Наставляемый {mentee_id} отмечен «принять» дважды: оставьте одну пару."
    mentee = mentees.get(id_key(mentee_id))
    if mentee is None:
        return ("accept-mentee-unavailable", f"Наставляемого {mentee_id} нет среди ожидающих пары (нет в базе, "
                "уже в действующей паре или выбыл): пара не добавлена.")
    found = mentors.get(id_key(mentor_id))
    if found is None:
        return ("accept-mentor-unavailable", f"Наставника {mentor_id} нет среди готовых работать (нет в базе, "
                "кандидат или выбыл): пара не добавлена.")
    j, mentor = found
    if not mentee_mask(mentee) & mentor_mask(mentor):
        return ("accept-form-mismatch", f"Для {mentee_id} и {mentor_id} нет подходящей формы наставничества "
                "(проверьте категорию наставника, тип участника и формы в карточке): пара не добавлена.")
    if free[j] <= 0:
        return ("mentor-over-capacity", f"У наставника {mentor_id} не осталось свободных мест: пара с {mentee_id} "
                "не добавлена. Увеличьте «Наставляемых не более» или выберите другого наставника.")
    return None
