"""One organisation's drawing state: its card, its contingent, and how its people are named and dated."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker

from nastavnik_xl.actions.demo.common import day_between, ru_date
from nastavnik_xl.actions.demo.people import Group, Mentee, Mentor
from nastavnik_xl.actions.demo.region import BOARDING, OOSH, SPO, UDO, SchoolProfile
from nastavnik_xl.actions.demo.words import adjective_forms, words
from nastavnik_xl.dates import academic_year_start
from nastavnik_xl.schema import target_years

FIRST_COHORT = 2020


class OrganisationData:
    """What every part of a school's drawing shares: its random stream, dates, people so far, card and contingent."""

    def __init__(self, profile: SchoolProfile, fake: Faker, today: dt.date) -> None:
        self.profile = profile
        self.kind = profile.kind
        self.rng = random.Random(profile.seed)
        fake.seed_instance(self.rng.getrandbits(32))
        self.fake = fake
        self.today = today
        self.reporting_year = today.year
        self.current_cohort = academic_year_start(today)
        self.cohort_years = list(range(FIRST_COHORT, self.current_cohort + 1))
        self.diligence = min(max(self.rng.gauss(1.0, 0.07), 0.84), 1.16)
        self.own_target = self.rng.choice((0.65, 0.7, 0.7, 0.75, 0.8))
        self.mentors: list[Mentor] = []
        self.mentees: list[Mentee] = []
        self.groups: list[Group] = []
        self.meetings: list[dict[str, Any]] = []
        self.surveys: list[dict[str, Any]] = []
        self.contingent = self.contingent_rows()
        self.card = self.card_fields()

    # --- the organisation ---

    def card_fields(self) -> dict[str, Any]:
        p, fake = self.profile, self.fake
        curator_sex = "f" if self.rng.random() < 0.88 else "m"
        post = "заместитель директора по УВР" if self.kind.org_type != SPO else "заместитель директора по УПР"
        order_no = self.rng.randint(60, 140)
        order_day = dt.date(FIRST_COHORT, 8, self.rng.randint(20, 31))
        return {
            "org_name": p.org_name,
            "short_name": p.short_name,
            "inn": fake.businesses_inn(),
            "municipality": p.municipality,
            "org_type": p.org_type,
            "curator": self.full_name(curator_sex, adult=True),
            "curator_contact": f"{fake.phone_number()}, {fake.free_email()} ({post})",
            "order_ref": f"Приказ № {order_no} от {ru_date(order_day)} «О внедрении целевой модели наставничества»",
            "reporting_year": self.reporting_year,
        }

    def contingent_rows(self) -> list[dict[str, Any]]:
        low, high = self.kind.size
        total = self.rng.randint(low, high)
        share = self.rng.uniform(*self.kind.share_10_19)
        per_teacher = self.rng.uniform(13, 17)
        min_teachers = 14 if self.kind.org_type in (OOSH, BOARDING) else 20
        young = self.rng.randint(1, 5)
        rows = []
        for year in target_years():
            if year > self.reporting_year:
                rows.append({"year": year})
                continue
            total = max(120, round(total * self.rng.uniform(0.97, 1.04)))
            teachers = min(max(round(total / per_teacher), min_teachers), 80)
            young = min(max(young + self.rng.choice((-1, 0, 0, 1, 1)), 1), min(10, teachers // 5))
            rows.append({"year": year, "students_total": total,
                         "students_10_19": round(total * min(max(share + self.rng.uniform(-0.01, 0.01), 0.5), 0.95)),
                         "teachers": teachers, "young_specialists": young})
        return rows

    def contingent_of(self, year: int, field_name: str) -> int:
        for row in self.contingent:
            if row["year"] == year and isinstance(row.get(field_name), int):
                return row[field_name]
        last = [r for r in self.contingent if isinstance(r.get(field_name), int)]
        return last[-1][field_name] if last else 0

    # --- names and dates of people ---

    def full_name(self, sex: str, adult: bool) -> str:
        names = words()["names"]
        if sex == "m":
            first = self.rng.choice(names["men" if adult else "boys"])
            return f"{self.fake.last_name_male()} {first} {self.rng.choice(names['patronymics'])[0]}"
        first = self.rng.choice(names["women" if adult else "girls"])
        return f"{self.fake.last_name_female()} {first} {self.rng.choice(names['patronymics'])[1]}"

    def birthday(self, year: int) -> dt.date:
        return day_between(self.rng, dt.date(year, 1, 1), dt.date(year, 12, 31))

    def pupil_birthday(self, grade: int, year: int) -> dt.date:
        """A pupil in ``grade`` in the academic year starting in ``year``: 10–11 years old in grade 5."""
        return self.birthday(year - 6 - grade)

    def class_label(self, grade: int) -> str:
        letters = "АБВГ"[: max(1, min(4, self.contingent_of(self.current_cohort, "students_total") // 250))]
        if self.kind.org_type == UDO:
            return f"{grade} класс"
        return f"{grade}{self.rng.choice(letters)}"

    def group_label(self, course: int, year: int, code: str) -> str:
        return f"{course} курс, гр. {code}-{(year - course + 1) % 100:02d}"

    def interests(self, n: tuple[int, int] = (1, 3)) -> tuple[str, ...]:
        return tuple(self.rng.sample(words()["people"]["interests"], self.rng.randint(*n)))

    def subject(self) -> tuple[str, str]:
        if self.kind.org_type == SPO:
            name, _code, _direction = self.rng.choice(words()["org"]["specialities"])
            return name, f"по профессиональному модулю «{name}»"
        name, po = self.rng.choice(words()["people"]["subjects"])
        return name, po

    def teacher_post(self) -> tuple[str, str]:
        """Subject and position of a teacher of this kind of organisation."""
        if self.kind.org_type == SPO:
            return self.subject()[0], "преподаватель"
        if self.kind.org_type == UDO:
            return self.rng.choice(words()["org"]["clubs"]), "педагог дополнительного образования"
        subject, position = self.rng.choice(words()["people"]["teacher_posts"])
        return subject, position

    def org_text(self, template: str) -> str:
        return template.format(**adjective_forms(self.profile.adjective))
