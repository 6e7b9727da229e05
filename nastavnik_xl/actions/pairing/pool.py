"""Who takes part in a round of pairing: mentees without an active pair, mentors with free places.

The hard constraints come from ``rules.forms`` — the same functions validation reports with —
turned into bitmasks of forms: a mentor's mask holds only the forms they serve and may serve
(category, listed forms, the employer's five years); a mentee's mask the forms their type allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nastavnik_xl.book.model import Book, Row
from nastavnik_xl.rules.forms import FORM_RULES, PEER, grade_of, mentor_forms, mentor_problems
from nastavnik_xl.rules.people import id_key

FORM_BITS: dict[str, int] = {form: 1 << k for k, form in enumerate(FORM_RULES)}
MENTOR_OUT = ("выбыл", "кандидат")  # a candidate is not yet selected and trained (seed 004, stage 4)
MENTEE_OUT = ("выбыл", "завершил программу")
UNKNOWN_MENTOR_GRADE = 99  # a pupil mentor whose class is not written: allowed, no gap points
DEFAULT_CAPACITY = 1


def active_on(pair: Row, day: dt.date) -> bool:
    start, end = pair.get("start_date"), pair.get("actual_end")
    return isinstance(start, dt.date) and start <= day and (end is None or (isinstance(end, dt.date) and end >= day))


def forms_mask(forms: set[str] | list[str] | tuple[str, ...]) -> int:
    mask = 0
    for f in forms:
        mask |= FORM_BITS.get(f, 0)
    return mask


def form_names(mask: int) -> list[str]:
    return [f for f, bit in FORM_BITS.items() if mask & bit]


def mentee_mask(mentee: Row) -> int:
    ptype = mentee.get("participant_type")
    return forms_mask([r.form for r in FORM_RULES.values() if ptype in r.mentee_types])


def mentor_mask(mentor: Row) -> int:
    """Forms this mentor may serve: listed (or allowed by category) and breaking no form rule."""
    return forms_mask([f for f in mentor_forms(mentor) if not mentor_problems(f, mentor)])


def mentee_level(mentee: Row) -> int:
    if mentee.get("participant_type") != "обучающийся":
        return 0
    return grade_of(mentee.get("grade_or_position")) or 0


def mentor_level(mentor: Row) -> int:
    if mentor.get("mentor_category") != "обучающийся":
        return 0
    return grade_of(mentor.get("position_or_grade")) or UNKNOWN_MENTOR_GRADE


ABOVE_FORMS = FORM_BITS[PEER]


@dataclass
class Pool:
    mentees: list[Row]  # candidates, in ID order
    mentors: list[Row]  # everyone who may mentor now (full ones too, for the reasons), in ID order
    free: list[int]  # free places of each mentor
    busy: dict[str, int] = field(default_factory=dict)  # mentor ID key → mentees they have now
    assumed_capacity: list[str] = field(default_factory=list)  # mentor IDs without a stated capacity


def _first_rows(rows: list[Row], id_field: str) -> list[Row]:
    seen: dict[str, Row] = {}
    for r in rows:
        value = r.get(id_field)
        if isinstance(value, str) and value.strip():
            seen.setdefault(id_key(value), r)
    return sorted(seen.values(), key=lambda r: id_key(r[id_field]))


def pool(book: Book, on: dt.date) -> Pool:
    pairs = book.tables["pairs"].rows if "pairs" in book.tables else []
    active = [p for p in pairs if active_on(p, on)]
    paired = {id_key(p["mentee_id"]) for p in active if p.get("mentee_id")}
    busy: dict[str, set[str]] = {}
    for p in active:
        if p.get("mentor_id") and p.get("mentee_id"):
            busy.setdefault(id_key(p["mentor_id"]), set()).add(id_key(p["mentee_id"]))
    mentees = [m for m in _first_rows(book.tables["mentees"].rows, "mentee_id")
               if id_key(m["mentee_id"]) not in paired and m.get("status") not in MENTEE_OUT
               and not (isinstance(m.get("entry_date"), dt.date) and m["entry_date"] > on)]
    mentors = [m for m in _first_rows(book.tables["mentors"].rows, "mentor_id") if m.get("status") not in MENTOR_OUT]
    free, assumed = [], []
    for m in mentors:
        capacity = m.get("capacity")
        if not isinstance(capacity, int) or isinstance(capacity, bool):
            capacity = DEFAULT_CAPACITY
            assumed.append(m["mentor_id"])
        free.append(max(capacity - len(busy.get(id_key(m["mentor_id"]), ())), 0))
    return Pool(mentees, mentors, free, {k: len(v) for k, v in busy.items()}, assumed)
