"""Drawing a school's mentors: their background by category, reuse from last year, volunteers without a pair."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from nastavnik_xl.actions.demo.common import day_between, days, pick
from nastavnik_xl.actions.demo.forms import CAPACITY, MENTOR_CATEGORIES, REUSE, STUDENT_PUPIL, TEACHERS
from nastavnik_xl.actions.demo.organisation import OrganisationData
from nastavnik_xl.actions.demo.people import Mentee, Mentor
from nastavnik_xl.actions.demo.region import SPO
from nastavnik_xl.actions.demo.words import words


class MentorDrawing(OrganisationData):
    """Mentors for the groups of a cohort, and a few candidates who have not taken a pair."""

    def new_mentor(self, cohort: int, category: str, form: str, members: Sequence[Mentee]) -> Mentor:
        rng = self.rng
        adult = category != "обучающийся"
        sex = "m" if rng.random() < (0.5 if not adult else 0.15 if category in ("педагог", "ветеран педагогического труда")
                                      else 0.6) else "f"
        org, position, subject, experience, grade, birth = self.mentor_background(cohort, category, form, members)
        capacity = max(pick(rng, CAPACITY[category]), len(members))
        trained = day_between(rng, dt.date(cohort, 9, 15), dt.date(cohort, 10, 3))
        circle = ("pupil" if not adult else "teacher" if category in ("педагог", "ветеран педагогического труда")
                  else "employer")
        competencies = words()["people"][{"pupil": "competencies_pupil", "teacher": "competencies_teacher",
                                          "employer": "competencies_adult"}[circle]]
        row: dict[str, Any] = {
            "mentor_id": f"Н-{len(self.mentors) + 1:04d}",
            "full_name": self.full_name(sex, adult=adult),
            "birth_date": birth,
            "mentor_category": category,
            "org": org,
            "position_or_grade": position,
            "subject": subject,
            "experience_years": experience,
            "contact": self.fake.phone_number() if adult else None,
            "interests": self.interests(),
            "competencies": tuple(rng.sample(competencies, rng.randint(1, 3))),
            "mentor_type": ("предметник" if rng.random() < 0.55 else "консультант") if category == "педагог"
            else "консультант" if adult and rng.random() < 0.5 else None,
            "preferred_mentees": rng.choice(words()["people"][f"preferred_{circle}"]),
            "availability": rng.choice(words()["people"]["availability"]),
            "capacity": capacity,
            "trained_on": trained,
            "interview_done": True,
            "pd_consent_date": trained - days(rng.randint(3, 20)),
        }
        mentor = Mentor(row, category, capacity, grade, cohort)
        self.mentors.append(mentor)
        return mentor

    def mentor_background(self, cohort: int, category: str, form: str, members: Sequence[Mentee]
                          ) -> tuple[str, str, str | None, int | None, int | None, dt.date]:
        """Organisation, position or grade, subject, experience, grade/course and birthday."""
        rng, short = self.rng, self.profile.short_name
        if category == "обучающийся":
            last = self.last_grade()
            top = max((m.grade_in(cohort) or 5) for m in members) if members else 7
            grade = min(max(rng.randint(min(max(8, top + 1), last), last), top + 1), last)
            subject, _ = self.subject()
            return short, self.class_label(grade), subject, None, grade, self.pupil_birthday(grade, cohort)
        if category in ("педагог", "ветеран педагогического труда"):
            subject, position = self.teacher_post()
            if category == "ветеран педагогического труда":
                return (short, f"{position} (на пенсии)", subject, rng.randint(32, 45), None,
                        self.birthday(rng.randint(1950, 1961)))
            birth = self.birthday(rng.randint(1962, 1992))
            experience = min(cohort - birth.year - 22, rng.randint(8, 38))
            return short, position, subject, max(experience, 5), None, birth
        if category == "студент" or (category == "выпускник" and form == STUDENT_PUPIL):
            course = rng.randint(1, 4)
            college = self.org_text(rng.choice(words()["org"]["colleges"]))
            return college, f"студент {course} курса", None, None, course, self.birthday(cohort - 17 - course)
        years = {"выпускник": (1982, 1996), "родитель": (1976, 1992),
                 "предприниматель/общественный деятель": (1965, 1990)}.get(category, (1968, 1998))
        birth = self.birthday(rng.randint(*years))
        experience = max(5, min(cohort - birth.year - 21, rng.randint(3, 25)))  # seed 004: employer mentors «от 5 лет»
        if category == "предприниматель/общественный деятель":
            org, position = rng.choice(words()["org"]["public"])
            return org, position, None, experience, None, birth
        enterprise = self.enterprise(members)
        return (self.org_text(enterprise["name"]), rng.choice(enterprise["positions"]), enterprise["direction"],
                experience, None, birth)

    def enterprise(self, members: Sequence[Mentee]) -> dict[str, Any]:
        """A partner enterprise; for college students one of their speciality's field when there is one."""
        options = words()["enterprises"]
        if self.kind.org_type == SPO and members:
            direction = next((d for n, _, d in words()["org"]["specialities"] if n == members[0].row["subject"]), None)
            options = [e for e in options if e["direction"] == direction] or options
        return self.rng.choice(options)

    def mentor_for(self, cohort: int, form: str, members: Sequence[Mentee], taken: set[str]) -> Mentor:
        """Last year's mentor of the right kind if one continues (and is not taken this year), else a new one."""
        category = pick(self.rng, MENTOR_CATEGORIES[form])
        size = len(members)
        top = max((m.grade_in(cohort) or 0) for m in members)
        candidates = [m for m in self.mentors
                      if m.category == category and cohort - 1 in m.load and m.id not in taken
                      and m.capacity >= size and self.still_eligible(m, cohort, top)
                      and (m.category != "обучающийся" or (m.grade or 0) > max(x.grade or 0 for x in members))]
        if candidates and self.rng.random() < REUSE[category]:
            return self.rng.choice(candidates)
        return self.new_mentor(cohort, category, form, members)

    def last_grade(self) -> int:
        return self.kind.grades[1] if self.kind.org_type != SPO else 11

    def still_eligible(self, mentor: Mentor, cohort: int, top_grade: int) -> bool:
        """A pupil mentor is still at school and older than the group; a student still studies."""
        grade = mentor.grade_in(cohort)
        if mentor.category == "обучающийся":
            return grade is not None and top_grade < grade <= self.last_grade()
        if grade is not None:  # a student's course
            return grade <= 4
        return True

    def candidate_mentors(self, cohort: int) -> None:
        """A few volunteers who have not taken a pair (кандидат, отобран, обучен)."""
        forms = list(self.kind.forms) + [TEACHERS]
        for _ in range(max(2, len(self.mentors) // 40)):
            form = self.rng.choice(forms)
            mentor = self.new_mentor(cohort, pick(self.rng, MENTOR_CATEGORIES[form]), form, [])
            mentor.forms.add(form)
            stage = self.rng.random()
            if stage < 0.4:
                mentor.row.update(trained_on=None, interview_done=False)
            elif stage < 0.7:
                mentor.row["trained_on"] = None
