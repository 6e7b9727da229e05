"""One school: statuses of its people, its roadmap and targets, and the whole content of its book."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from faker import Faker

from nastavnik_xl.actions.coverage import default_targets
from nastavnik_xl.actions.demo.cohorts import CohortFormation
from nastavnik_xl.actions.demo.common import days
from nastavnik_xl.actions.demo.forms import EMPLOYER_PUPIL, EMPLOYER_STUDENT, PEER, STUDENT_PUPIL, TEACHERS
from nastavnik_xl.actions.demo.indicators import IndicatorRecords
from nastavnik_xl.actions.demo.people import Mentee, Mentor
from nastavnik_xl.actions.demo.region import SchoolProfile
from nastavnik_xl.actions.demo.words import words
from nastavnik_xl.actions.template import roadmap_rows
from nastavnik_xl.book.builder import BookContent
from nastavnik_xl.dates import due_range
from nastavnik_xl.schema import coverage_groups

LABOUR_CODE_351_8 = dt.date(2025, 3, 1)  # written consent of employee mentors since this day


class SchoolData(CohortFormation, IndicatorRecords):
    """Everything drawn for one organisation; ``content()`` turns it into a book's content."""

    def finish_people(self) -> None:
        current = self.current_cohort
        for mentee in self.mentees:
            pairs = mentee.row.pop("_pairs", [])
            if not pairs:
                recent = mentee.entry_year == current
                mentee.row["status"] = "в базе" if recent else "выбыл"
                if not mentee.row.get("no_pair_reason"):
                    options = words()["no_pair_reasons"]["current" if recent else "past"]
                    mentee.row["no_pair_reason"] = self.rng.choice(options)
            elif any(p.get("actual_end") is None for p in pairs):
                mentee.row["status"] = "в паре"
            else:
                mentee.row["status"] = "выбыл" if pairs[-1]["status"] == "расторгнута" else "завершил программу"
        by_mentor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for group in self.groups:
            by_mentor[group.mentor.id].extend(group.rows)
        for mentor in self.mentors:
            self.finish_mentor(mentor, by_mentor.get(mentor.id, []))

    def finish_mentor(self, mentor: Mentor, rows: list[dict[str, Any]]) -> None:
        row = mentor.row
        row["forms"] = tuple(f for f in (PEER, TEACHERS, STUDENT_PUPIL, EMPLOYER_PUPIL, EMPLOYER_STUDENT)
                             if f in mentor.forms) or None
        if any(r.get("actual_end") is None for r in rows):
            row["status"] = "активен"
        elif rows:
            grade = mentor.grade_in(self.current_cohort)
            gone = (mentor.category == "обучающийся" and (grade or 0) > 11) or \
                   (mentor.category == "студент" and (grade or 0) > 4) or self.rng.random() < 0.15
            row["status"] = "выбыл" if gone else "обучен"
        else:
            row["status"] = "обучен" if row.get("trained_on") else "отобран" if row.get("interview_done") else "кандидат"
        if row.get("trained_on") and row["trained_on"] > self.today:
            row["trained_on"] = None
        row["pd_consent_date"] = min(row["pd_consent_date"], self.today)
        if mentor.category in ("педагог", "сотрудник предприятия") and rows:
            row["mentoring_consent_date"] = self.mentoring_consent(rows)

    def mentoring_consent(self, rows: list[dict[str, Any]]) -> dt.date | None:
        """Art. 351.8 of the Labour Code: an employee mentor (teacher, enterprise employee) signs it from 01.03.2025."""
        active_after = [r for r in rows if r.get("actual_end") is None or r["actual_end"] >= LABOUR_CODE_351_8]
        if not active_after or self.today < LABOUR_CODE_351_8:
            return None
        first = min(r["start_date"] for r in active_after)
        if first >= LABOUR_CODE_351_8:
            return first - days(self.rng.randint(1, 10))
        return min(LABOUR_CODE_351_8 + days(self.rng.randint(2, 30)), self.today)

    def roadmap(self) -> list[dict[str, Any]]:
        """The current academic year's roadmap, with what is past marked as done (mostly)."""
        rows = roadmap_rows(self.current_cohort)
        for row in rows:
            first, last = due_range(row["due"])
            if last is None:
                row["status"] = "в работе"
            elif last < self.today:
                roll = self.rng.random()
                if roll < 0.88:
                    done = last - days(self.rng.randint(0, 20)) if self.rng.random() < 0.8 else \
                        last + days(self.rng.randint(1, 20))
                    row.update(status="выполнено", done_date=min(max(done, first or done), self.today))
                else:
                    row["status"] = "перенесено" if roll < 0.96 else "в работе"
            elif first is not None and first <= self.today:
                row["status"] = "в работе"
        return rows

    def targets(self) -> list[dict[str, Any]]:
        """Default targets, plus the school's own for students after 2024."""
        titles = {g.key: g.title for g in coverage_groups()}
        out = []
        for (year, key), target in sorted(default_targets().items(), key=lambda kv: kv[0]):
            if key == "students" and target is None and year <= self.reporting_year + 4:
                target = self.own_target
            out.append({"year": year, "group": titles[key], "target_pct": target})
        return out

    def build(self) -> None:
        previous: list[Mentee] = []
        for cohort in self.cohort_years:
            previous = self.run_cohort(cohort, previous)
        self.meetings = self.meeting_rows()
        self.surveys = self.survey_rows()
        self.indicators = self.indicator_rows()
        self.finish_people()

    def content(self) -> BookContent:
        return BookContent(
            card=self.card,
            contingent=self.contingent,
            rows={
                "roadmap": self.roadmap(),
                "mentors": [m.row for m in self.mentors],
                "mentees": [m.row for m in self.mentees if m.row["entry_date"] <= self.today],
                "pairs": [{"pair_id": g.pair_id, **row} for g in self.groups for row in g.rows],
                "meetings": self.meetings,
                "surveys": self.surveys,
                "indicators": self.indicators,
            },
            targets=self.targets(),
        )


def school_content(profile: SchoolProfile, fake: Faker, today: dt.date) -> BookContent:
    """The clean content of one organisation's book (no mistakes; targets not yet computed)."""
    school = SchoolData(profile, fake, today)
    school.build()
    return school.content()
