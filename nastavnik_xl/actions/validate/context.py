"""What every rule needs: the book, the day of the check, settings, and indexes by ID."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nastavnik_xl.book.model import Book, Row, Table
from nastavnik_xl.findings import Finding, Severity
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import sheet

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Settings:
    """The curator's settings of the checks (defaults until the book states its own)."""

    meeting_gap_weeks: int = 6  # an active pair with no meeting for longer is reported
    pair_within_days: int = 14  # seed 001: pairs are formed within two weeks
    open_after_planned_days: int = 365  # a pair still open this long after its planned end


@dataclass
class Context:
    book: Book
    on: dt.date
    settings: Settings = field(default_factory=Settings)

    def table(self, key: str) -> Table | None:
        return self.book.tables.get(key)

    def rows(self, key: str) -> list[Row]:
        table = self.table(key)
        return table.rows if table else []

    def sheet_name(self, key: str) -> str:
        table = self.table(key)
        if table is not None:
            return table.sheet_name
        if key == "organisation" and self.book.organisation:
            return self.book.organisation.contingent.sheet_name
        return sheet(key).name

    def header(self, key: str, field_name: str) -> str:
        table = self.table(key) if key != "organisation" else (
            self.book.organisation.contingent if self.book.organisation else None)
        if table is not None:
            return table.column_header(field_name)
        return sheet(key).column(field_name).header

    def finding(self, code: str, severity: Severity, key: str, row: Row | None, field_name: str,
                message: str, value: Any = None) -> Finding:
        """A finding on a cell of sheet ``key`` (row None: on the sheet as a whole)."""
        if value is None and row is not None and field_name:
            value = row.get(field_name)
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        message = clip_values(message)
        return Finding(code=code, severity=severity, sheet=self.sheet_name(key),
                       row=row.get("_row") if row is not None else None,
                       column=self.header(key, field_name) if field_name else "", field=field_name,
                       value=_jsonable(value), message=message)

    # --- indexes ---------------------------------------------------------------------------

    def _first_by_id(self, key: str, id_field: str) -> dict[str, Row]:
        out: dict[str, Row] = {}
        for r in self.rows(key):
            value = r.get(id_field)
            if value:
                out.setdefault(id_key(value), r)
        return out

    @cached_property
    def mentors(self) -> dict[str, Row]:
        return self._first_by_id("mentors", "mentor_id")

    @cached_property
    def mentees(self) -> dict[str, Row]:
        return self._first_by_id("mentees", "mentee_id")

    def _grouped(self, key: str, field_name: str) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows(key):
            if r.get(field_name):
                out[id_key(r[field_name])].append(r)
        return dict(out)

    @cached_property
    def pairs_by_id(self) -> dict[str, list[Row]]:
        return self._grouped("pairs", "pair_id")

    @cached_property
    def meetings_by_pair(self) -> dict[str, list[Row]]:
        return self._grouped("meetings", "pair_id")

    def pair_people(self) -> Iterator[tuple[Row, Row | None, Row | None]]:
        """Each pair row with its mentor and mentee rows (None when the ID is unknown)."""
        for p in self.rows("pairs"):
            mentor = self.mentors.get(id_key(p["mentor_id"])) if p.get("mentor_id") else None
            mentee = self.mentees.get(id_key(p["mentee_id"])) if p.get("mentee_id") else None
            yield p, mentor, mentee

    @cached_property
    def pairs_of_mentor(self) -> dict[str, list[Row]]:
        return self._grouped("pairs", "mentor_id")

    @cached_property
    def pairs_of_mentee(self) -> dict[str, list[Row]]:
        return self._grouped("pairs", "mentee_id")


_LONG_VALUE = re.compile(r"([«(])([^«»()]{80})[^«»()]{20,}([»)])")


def clip_values(message: str) -> str:
    """A message quotes names and values «…» or (…): a megabyte typed into a cell stays in the cell."""
    return _LONG_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}…{m.group(3)}", message)


def is_date(value: object) -> bool:
    return isinstance(value, dt.date)


def ru(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.date):
        return ru(value)
    if isinstance(value, (tuple, list)):
        return "; ".join(str(v) for v in value)
    return str(value)
