"""A school's cohorts: orders (waves), pairs and groups by form and variant, and each mentee's pair row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from nastavnik_xl.actions.demo.common import day_between, days, pick, ru_date, working_day
from nastavnik_xl.actions.demo.forms import (
    EMPLOYER_PUPIL,
    EMPLOYER_STUDENT,
    GROUP_SIZE,
    MATCH_METHODS,
    PUPIL,
    SCORED_METHODS,
    STUDENT_PUPIL,
    TEACHER,
    TEACHERS,
    VARIANT_BY_CATEGORY,
    YOUNG,
)
from nastavnik_xl.actions.demo.mentees import MenteeDrawing
from nastavnik_xl.actions.demo.mentors import MentorDrawing
from nastavnik_xl.actions.demo.people import Group, Mentee, Wave
from nastavnik_xl.actions.demo.words import pick_text, words
from nastavnik_xl.schema import variants_by_form


class CohortFormation(MenteeDrawing, MentorDrawing):
    """Cohorts of pairs per academic year: formed in October–December, ending in May."""

    def waves(self, cohort: int) -> list[Wave]:
        rng = self.rng
        number = rng.randint(150, 210)
        out = []
        for month, (first, last) in ((10, (5, 20)), (11, (5, 20)), (12, (1, 12))):
            day = working_day(day_between(rng, dt.date(cohort, month, first), dt.date(cohort, month, last)))
            out.append(Wave(day, f"Приказ № {number} от {ru_date(day)}"))
            number += rng.randint(12, 40)
        return out

    def variant(self, form: str, mentee: Mentee) -> str:
        allowed = variants_by_form()[form]
        preferred = VARIANT_BY_CATEGORY.get(form, {}).get(mentee.category or "")
        if preferred in allowed and self.rng.random() < 0.85:
            return preferred
        if form == EMPLOYER_STUDENT:
            return pick(self.rng, {"работодатель – будущий сотрудник": 0.5, "коллега – молодой коллега": 0.3,
                                   "активный профессионал – равнодушный потребитель": 0.2})
        return self.rng.choice(allowed)

    def cohort_groups(self, cohort: int, mentees: list[Mentee]) -> list[Group]:
        """Split a cohort's mentees into pairs and groups by form and variant; find their mentors."""
        buckets: dict[tuple[str, str], list[Mentee]] = defaultdict(list)
        for mentee in mentees:
            form = TEACHERS if mentee.participant_type in (TEACHER, YOUNG) else mentee.form
            buckets[(form, self.variant(form, mentee))].append(mentee)
        waves = self.waves(cohort)
        groups = []
        taken: set[str] = set()
        for (form, variant), members in sorted(buckets.items()):
            members.sort(key=lambda m: (m.grade_in(cohort) or 0, m.id))
            i = 0
            while i < len(members):
                size = min(pick(self.rng, GROUP_SIZE[form]), len(members) - i)
                chunk = members[i:i + size]
                i += size
                mentor = self.mentor_for(cohort, form, chunk, taken)
                taken.add(mentor.id)
                wave = waves[0] if form == TEACHERS else self.rng.choices(waves, weights=(0.5, 0.3, 0.2))[0]
                start = working_day(wave.day + days(self.rng.randint(0, 3)))
                method = pick(self.rng, MATCH_METHODS[form])
                if cohort >= 2025 and self.rng.random() < 0.2:
                    method = "автоподбор"
                groups.append(Group(cohort, form, variant, mentor, chunk, start, wave.order_ref, method))
        groups.sort(key=lambda g: (g.start, g.form, g.mentor.id, g.members[0].id))
        return groups

    def run_cohort(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        """Form a cohort's pairs; return the mentees who had a pair in it."""
        mentees = self.student_mentees(cohort, previous) + self.teacher_mentees(cohort, previous)
        mentees = [m for m in mentees if m.row["entry_date"] <= self.today]
        self.unpaired_mentees(cohort)
        paired: list[Mentee] = []
        for group in self.cohort_groups(cohort, mentees):
            if group.start > self.today:
                continue
            group.pair_id = f"П-{len(self.groups) + 1:04d}"
            group.mentor.load[cohort] = group.mentor.load.get(cohort, 0) + len(group.members)
            group.mentor.forms.add(group.form)
            group.rows = [self.pair_row(group, m) for m in group.members]
            self.enter_shortly_before(group)
            self.groups.append(group)
            paired.extend(group.members)
        if cohort == self.current_cohort:
            self.candidate_mentors(cohort)
        return paired

    def enter_shortly_before(self, group: Group) -> None:
        """Seed 001: pairs form within two weeks, so most new mentees enter the base shortly before."""
        for mentee in group.members:
            entry = mentee.row["entry_date"]
            if mentee.entry_year == group.cohort and (group.start - entry).days > 14 and self.rng.random() < 0.9:
                mentee.row["entry_date"] = group.start - days(self.rng.randint(2, 13))
                mentee.row["pd_consent_date"] = mentee.row["entry_date"] - days(self.rng.randint(0, 10))

    def pair_row(self, group: Group, mentee: Mentee) -> dict[str, Any]:
        rng, cohort = self.rng, group.cohort
        planned_end = dt.date(cohort + 1, 5, 31)
        end = day_between(rng, dt.date(cohort + 1, 5, 12), dt.date(cohort + 1, 5, 30))
        terminated = rng.random() < 0.05
        if terminated:
            end = day_between(rng, dt.date(cohort + 1, 1, 15), dt.date(cohort + 1, 4, 10))
        method = group.method
        row: dict[str, Any] = {
            "form": group.form, "variant": group.variant, "mentor_id": group.mentor.id, "mentee_id": mentee.id,
            "match_method": method,
            "match_score": round(rng.uniform(0.55, 0.96), 2) if method in SCORED_METHODS else None,
            "order_ref": group.order_ref, "start_date": group.start, "planned_end": planned_end,
        }
        if end <= self.today:
            row.update(actual_end=end, plan_approved=True)
            if terminated:
                row.update(status="расторгнута", plan_pct=round(rng.uniform(0.2, 0.6), 1),
                           outcome=rng.choice(words()["outcomes"]["terminated"]))
            else:
                row.update(status="завершена", plan_pct=rng.choice((0.8, 0.85, 0.9, 0.95, 1.0, 1.0)),
                           outcome=self.outcome(group.form, mentee, cohort))
        else:
            elapsed = (self.today - group.start).days / max((planned_end - group.start).days, 1)
            fresh = (self.today - group.start).days < 14
            row.update(status="сформирована" if fresh else "действует",
                       plan_approved=False if fresh else rng.random() < 0.95,
                       plan_pct=round(min(max(elapsed + rng.uniform(-0.15, 0.1), 0.0), 1.0) * 20) / 20)
        mentee.cohorts.append(cohort)
        mentee.row.setdefault("_pairs", []).append(row)
        return row

    def outcome(self, form: str, mentee: Mentee, cohort: int) -> str:
        outcomes = words()["outcomes"]
        if form == TEACHERS:
            options = outcomes["teacher"]
        elif form == EMPLOYER_STUDENT:
            options = outcomes["spo"]
        elif form in (EMPLOYER_PUPIL, STUDENT_PUPIL) or mentee.category == "профессиональная ориентация":
            options = outcomes["career"] + outcomes["student"]
        else:
            options = outcomes["student"]
        grade = mentee.grade_in(cohort) if mentee.participant_type == PUPIL else None
        return pick_text(self.rng, options, grade).format(po=mentee.po)
