"""The people of a school's programme — mentees and mentors — and the pairs and groups they form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Mentee:
    row: dict[str, Any]
    participant_type: str
    category: str | None
    form: str
    grade: int | None  # grade (course in СПО) in the entry year
    entry_year: int
    po: str  # the subject as «по математике»
    cohorts: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row["mentee_id"]

    def grade_in(self, year: int) -> int | None:
        return None if self.grade is None else self.grade + year - self.entry_year


@dataclass
class Mentor:
    row: dict[str, Any]
    category: str
    capacity: int
    grade: int | None  # grade or course in first_year
    first_year: int
    forms: set[str] = field(default_factory=set)
    load: dict[int, int] = field(default_factory=dict)  # cohort → mentees

    @property
    def id(self) -> str:
        return self.row["mentor_id"]

    def grade_in(self, year: int) -> int | None:
        return None if self.grade is None else self.grade + year - self.first_year


@dataclass
class Group:
    """One pair or group of a cohort: one pair_id, one mentor, one row per mentee."""

    cohort: int
    form: str
    variant: str
    mentor: Mentor
    members: list[Mentee]
    start: dt.date
    order_ref: str
    method: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    pair_id: str = ""


@dataclass
class Wave:
    """Pairs fixed by one order (приказ) of the school."""

    day: dt.date
    order_ref: str
