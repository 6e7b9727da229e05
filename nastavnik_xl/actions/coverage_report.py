"""Coverage against targets for the curator: per year and group, the gap in people, the mentor role,
and who could close the gap this year. Counts people, not pairs (see ``actions.coverage``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from nastavnik_xl.actions.coverage import (
    active_mentee_ids,
    book_targets,
    coverage,
    default_targets,
    denominator,
    first_rows,
    pair_active_in,
)
from nastavnik_xl.book.model import Book
from nastavnik_xl.findings import BookError
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import coverage_groups

PUPIL_MENTORS = ("обучающийся", "студент")
LEFT = ("выбыл", "завершил программу")


class GroupYear(BaseModel):
    year: int
    group: str  # key
    title: str
    contingent: int | None
    covered: int | None  # people with a pair active in the year (None after the reporting year)
    share: float | None  # fraction
    target: float | None  # fraction
    gap_pp: float | None  # percentage points, share − target
    gap_people: int | None  # covered − people the target asks for (negative: short of it)
    needed: int | None  # more mentees needed to reach the target (0 when reached)


class MentorRole(BaseModel):
    year: int
    mentors: int  # pupils and students who mentor in the year
    contingent: int | None  # the pupil contingent
    share: float | None


class Unpaired(BaseModel):
    group: str
    title: str
    mentees: int  # in the base, not left, with no pair active in the year


class CoverageReport(BaseModel):
    book: str
    organisation: str
    year: int  # the year the gap is counted for
    reporting_year: int | None
    rows: list[GroupYear]
    mentor_role: list[MentorRole]
    unpaired: list[Unpaired]

    def row(self, year: int, group: str) -> GroupYear | None:
        return next((r for r in self.rows if r.year == year and r.group == group), None)


def people_needed(target: float | None, contingent: int | None) -> int | None:
    """People the target asks for: the share rounded up (70 % of 31 is 22 people)."""
    if target is None or not contingent:
        return None
    return math.ceil(round(target * contingent, 9))


def _group_year(c: Any) -> GroupYear:
    wanted = people_needed(c.target, c.denominator)
    gap_people = c.actual - wanted if wanted is not None and c.actual is not None else None
    return GroupYear(year=c.year, group=c.group, title=c.title, contingent=c.denominator or None,
                     covered=c.actual, share=c.actual_pct, target=c.target, gap_pp=c.gap_pp,
                     gap_people=gap_people, needed=max(-gap_people, 0) if gap_people is not None else None)


def mentor_role(mentors: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]],
                contingent: Sequence[Mapping[str, Any]], years: Sequence[int]) -> list[MentorRole]:
    """Pupils and students in the mentor role, as a share of the pupil contingent, per year."""
    pupils = {id_key(m["mentor_id"]) for m in mentors if m.get("mentor_id")
              and m.get("mentor_category") in PUPIL_MENTORS}
    students = next(g for g in coverage_groups() if g.key == "students")
    out = []
    for year in years:
        active = {id_key(p["mentor_id"]) for p in pairs if p.get("mentor_id") and pair_active_in(p, year)}
        count = len(active & pupils)
        den = denominator(contingent, year, students) or None
        out.append(MentorRole(year=year, mentors=count, contingent=den, share=count / den if den else None))
    return out


def unpaired(mentees: Sequence[Mapping[str, Any]], pairs: Sequence[Mapping[str, Any]], year: int) -> list[Unpaired]:
    """Mentees in the base by the end of ``year``, still in the programme, with no pair active in it."""
    active = active_mentee_ids(pairs, year)
    last_day = dt.date(year, 12, 31)
    out = []
    for group in coverage_groups():
        count = sum(1 for m in first_rows(mentees)
                    if m.get("participant_type") in group.participant_types and m.get("status") not in LEFT
                    and id_key(m["mentee_id"]) not in active
                    and not (isinstance(m.get("entry_date"), dt.date) and m["entry_date"] > last_day))
        out.append(Unpaired(group=group.key, title=group.title, mentees=count))
    return out


def coverage_report(book: Book, year: int | None = None) -> CoverageReport:
    """Coverage of ``book`` for every target year up to the reporting year; the gap for ``year``."""
    if book.organisation is None:
        raise BookError("В книге нет листа «Организация» с контингентом: без него охват не посчитать.",
                        code="missing-sheet")
    rows = {k: t.rows for k, t in book.tables.items()}
    reporting = book.organisation.reporting_year
    year = year or reporting or dt.date.today().year
    targets = book_targets(rows.get("targets", [])) or default_targets()
    contingent = book.organisation.contingent.rows
    horizon = max(year, reporting or year)
    result = [_group_year(c) for c in coverage(rows.get("mentees", []), rows.get("pairs", []), contingent,
                                               targets, horizon=horizon) if c.year <= horizon]
    years = sorted({r.year for r in result})
    result.sort(key=lambda r: ([g.key for g in coverage_groups()].index(r.group), r.year))
    return CoverageReport(
        book=str(book.path), organisation=book.organisation.name, year=year, reporting_year=reporting,
        rows=result, mentor_role=mentor_role(rows.get("mentors", []), rows.get("pairs", []), contingent, years),
        unpaired=unpaired(rows.get("mentees", []), rows.get("pairs", []), year),
    )
