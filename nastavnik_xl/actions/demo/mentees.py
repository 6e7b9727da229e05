"""Drawing a school's mentees: pupils or students by form, teachers and young specialists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nastavnik_xl.actions.demo.common import day_between, days, pick
from nastavnik_xl.actions.demo.forms import (
    MENTEE_GRADES,
    PEER,
    PUPIL,
    STUDENT,
    STUDENT_CATEGORIES,
    TEACHER,
    TEACHERS,
    YOUNG,
)
from nastavnik_xl.actions.demo.organisation import OrganisationData
from nastavnik_xl.actions.demo.people import Mentee
from nastavnik_xl.actions.demo.region import SPO
from nastavnik_xl.actions.demo.words import pick_text, words
from nastavnik_xl.schema import coverage_groups


class MenteeDrawing(OrganisationData):
    """New and returning mentees of each cohort, sized so coverage lands near the targets."""

    def new_mentee(self, cohort: int, participant_type: str, form: str) -> Mentee:
        rng = self.rng
        entry = day_between(rng, dt.date(cohort, 9, 3), dt.date(cohort, 10, 5))
        sex = "m" if rng.random() < 0.5 else "f"
        row: dict[str, Any] = {"mentee_id": f"НЛ-{len(self.mentees) + 1:04d}", "participant_type": participant_type}
        if participant_type in (PUPIL, STUDENT):
            grade = pick(rng, MENTEE_GRADES[form])
            grade = min(max(grade, self.kind.grades[0]), self.kind.grades[1] - (1 if form == PEER else 0))
            category = pick(rng, STUDENT_CATEGORIES[form])
            subject, po = self.subject()
            request_list = words()["requests"][category]
            if participant_type == STUDENT:
                code = next(c for n, c, _ in words()["org"]["specialities"] if n == subject)
                birth = self.birthday(cohort - 15 - grade)
                position = self.group_label(grade, cohort, code)
                request_list = words()["requests"]["spo"] if rng.random() < 0.7 else request_list
            else:
                birth = self.pupil_birthday(grade, cohort)
                position = self.class_label(grade)
            pupil_grade = grade if participant_type == PUPIL else None
            row.update({
                "full_name": self.full_name(sex, adult=False), "birth_date": birth,
                "mentee_category": category, "grade_or_position": position, "subject": subject,
                "request": pick_text(rng, request_list, pupil_grade).format(po=po, subject=subject),
            })
        else:
            grade = None
            young = participant_type == YOUNG
            category = YOUNG if young else rng.choice(
                ("эмоциональное выгорание", "адаптация на новом месте работы", "цифровые навыки (ИКТ)", None))
            subject, position = self.teacher_post()
            if self.kind.org_type == SPO and rng.random() < 0.3:
                position = "мастер производственного обучения"
            po = f"по предмету «{subject}»"
            sex = "f" if rng.random() < 0.82 else "m"
            requests = words()["requests"][category] if category else words()["requests"]["teacher"]
            row.update({
                "full_name": self.full_name(sex, adult=True),
                "birth_date": self.birthday(cohort - rng.randint(22, 26) if young else rng.randint(1962, 1994)),
                "mentee_category": category, "grade_or_position": position, "subject": subject,
                "request": rng.choice(requests),
            })
        sources = words()["request_sources"].get(category or "", ("администрация", "сам наставляемый"))
        row.update({
            "request_source": rng.choice(sources),
            "interests": self.interests() if participant_type in (PUPIL, STUDENT) else self.interests((0, 2)) or None,
            "availability": rng.choice(words()["people"]["availability"]),
            "pd_consent_date": entry - days(rng.randint(0, 10)),
            "entry_date": entry,
        })
        mentee = Mentee(row, participant_type, category, form, grade, cohort, po)
        self.mentees.append(mentee)
        return mentee

    def student_form(self) -> str:
        return pick(self.rng, self.kind.forms)

    def student_mentees(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        """Returning mentees of last year plus new ones, sized so coverage lands near the target."""
        participant = STUDENT if self.kind.org_type == SPO else PUPIL
        den = self.contingent_of(cohort, "students_10_19")
        wanted = round(den * self.student_share(cohort) * self.rng.uniform(0.97, 1.03))
        last_grade = self.kind.grades[1]
        last_year = [m for m in previous if m.participant_type == participant]
        eligible = [m for m in last_year if not self.left(m) and (m.grade_in(cohort) or 99) <= last_grade
                    and not (m.form == PEER and (m.grade_in(cohort) or 99) >= last_grade)]  # a peer mentor is older
        returning = self.rng.sample(eligible, min(len(eligible), round(len(last_year) * self.rng.uniform(0.2, 0.35))))
        returning.sort(key=lambda m: m.id)
        # coverage of the calendar year = last year's cohort (active until May) + the new mentees of this one
        new = max(wanted - len(last_year), round(den * 0.04))
        new = min(new, max(0, round(den * 0.9) - len(returning)))
        fresh = [self.new_mentee(cohort, participant, self.student_form()) for _ in range(new)]
        return returning + fresh

    def student_share(self, year: int) -> float:
        """Students to cover in a calendar year: the programme's target, else the school's own (at most 82 %)."""
        group = next(g for g in coverage_groups() if g.key == "students")
        if year in group.targets:
            return group.targets[year] * self.diligence
        return min(self.own_target * self.diligence, 0.82)

    def teacher_mentees(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        teachers = self.contingent_of(cohort, "teachers")
        group = next(g for g in coverage_groups() if g.key == "teachers")
        target = group.targets.get(cohort, 0.22)  # the school's own choice after the seed's years
        wanted = round(teachers * target * self.diligence)
        prev_teachers = [m for m in previous if m.participant_type == TEACHER and not self.left(m)]
        returning = [m for m in prev_teachers if self.rng.random() < 0.35]
        new = max(wanted - len(prev_teachers), 1)
        out = returning + [self.new_mentee(cohort, TEACHER, TEACHERS) for _ in range(new)]
        prev_young = [m for m in previous if m.participant_type == YOUNG and not self.left(m)
                      and m.entry_year >= cohort - 2]
        out += [m for m in prev_young if self.rng.random() < 0.75]
        young = min(self.contingent_of(cohort, "young_specialists"),
                    self.contingent_of(cohort + 1, "young_specialists"))
        # A calendar year sees the previous cohort (to May) and this one (from autumn): together
        # they must not outnumber the school's young specialists.
        last_year = sum(1 for m in previous if m.participant_type == YOUNG)
        new_young = min(max(1, round(young * 0.45)), max(young - last_year, 0))
        out += [self.new_mentee(cohort, YOUNG, TEACHERS) for _ in range(new_young)]
        return out

    def unpaired_mentees(self, cohort: int) -> None:
        """A few mentees who are in the base but got no pair (with the reason)."""
        participant = STUDENT if self.kind.org_type == SPO else PUPIL
        n = max(2, round(self.contingent_of(cohort, "students_10_19") * 0.012))
        reasons = words()["no_pair_reasons"]["current" if cohort == self.current_cohort else "past"]
        for _ in range(n):
            mentee = self.new_mentee(cohort, participant, self.student_form())
            mentee.row["no_pair_reason"] = self.rng.choice(reasons)

    @staticmethod
    def left(mentee: Mentee) -> bool:
        """The mentee's last pair was terminated: they do not come back."""
        return any(r.get("status") == "расторгнута" for r in mentee.row.get("_pairs", ()))
