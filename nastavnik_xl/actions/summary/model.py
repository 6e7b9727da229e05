"""The data of the regional summary: the period, what one book reduces to, and the whole summary.

Everything a worker returns is a small frozen dataclass of plain values (it is pickled back to
the client). Personal data travels only in ``OrgSummary.registry`` and goes only into the
consolidated registry file, never into the summary book or its JSON.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from nastavnik_xl.actions.registry import ExcludedPerson, Quarter, RegistryRow
from nastavnik_xl.rules.people import person_key

PersonKey = tuple[str, dt.date]  # normalised full name and birth date (``rules.people.person_key``)

MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь")
BOOK, EXPORT = "книга", "выгрузка персучёта"

class RegistryPerson(NamedTuple):
    """A ``RegistryRow`` as a plain tuple: it crosses from the worker to the client several times cheaper
    than the model, and the registry's column functions read it the same way (same field names)."""

    role: str
    person_id: str
    full_name: str
    birth_date: dt.date | None
    person_type: str
    mentee_category: str
    forms: list[str]
    variants: list[str]
    pair_ids: list[str]
    other_ids: list[str]
    other_names: list[str]
    start_date: dt.date | None
    planned_end: dt.date | None
    actual_end: dt.date | None
    statuses: list[str]
    outcomes: list[str]
    pd_consent_date: dt.date
    mentoring_consent_date: dt.date | None
    mentoring_consent: str


if RegistryPerson._fields != tuple(RegistryRow.model_fields):
    raise ImportError("RegistryRow changed: update RegistryPerson in actions/summary/model.py")


def registry_person(row: RegistryRow) -> RegistryPerson:
    return RegistryPerson(*(getattr(row, f) for f in RegistryPerson._fields))


@dataclass(frozen=True)
class Period:
    """A quarter or a month; ``on`` is the day the figures are as of (overdue items, validation).

    It has the ``first``, ``last``, ``label`` and ``title`` that ``actions.registry`` reads from a
    quarter, so the registry of a month is built by the same code.
    """

    year: int
    first: dt.date
    last: dt.date
    on: dt.date
    label: str  # «2024-Q3», «2024-09»
    title: str  # «III квартал 2024 г.», «сентябрь 2024 г.»
    quarter_label: str  # the quarter it lies in: an exported registry of that quarter matches a quarter period

    @property
    def is_quarter(self) -> bool:
        return self.label == self.quarter_label


def quarter_period(quarter: Quarter) -> Period:
    return Period(quarter.year, quarter.first, quarter.last, quarter.last, quarter.label, quarter.title,
                  quarter.label)


def month_period(day: dt.date) -> Period:
    """The month containing ``day``, as of ``day``."""
    last = dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    quarter = Quarter(day.year, (day.month - 1) // 3 + 1)
    return Period(day.year, day.replace(day=1), last, day, f"{day.year}-{day.month:02d}",
                  f"{MONTHS_RU[day.month - 1]} {day.year} г.", quarter.label)


@dataclass(frozen=True)
class OrgCard:
    org_name: str = ""
    short_name: str = ""
    inn: str = ""
    municipality: str = ""
    org_type: str = ""
    reporting_year: int | None = None

    @property
    def name(self) -> str:
        return self.short_name or self.org_name


@dataclass(frozen=True)
class GroupYear:
    """Coverage of one group in one year, in people: summed over organisations, then divided."""

    year: int
    group: str  # coverage group key (students, teachers, young)
    contingent: int  # 0 when the book gives none
    covered: int
    wanted: int | None  # people the target asks for (the share rounded up); None without a target
    target: float | None  # the book's target, a fraction

    @property
    def share(self) -> float | None:
        return self.covered / self.contingent if self.contingent else None

    @property
    def met(self) -> bool | None:
        return None if self.wanted is None else self.covered >= self.wanted


@dataclass(frozen=True)
class Roadmap:
    items: int  # not cancelled
    done: int
    overdue: int  # due before the day of the summary, not done

    @property
    def done_share(self) -> float | None:
        return self.done / self.items if self.items else None


@dataclass(frozen=True)
class Validation:
    checked: bool  # False: only what the reader found in the columns the summary reads
    errors: int
    warnings: int


@dataclass(frozen=True)
class BookRegistry:
    """The book's «Персонифицированный учёт» for the period (names: the consolidated registry only)."""

    rows: tuple[RegistryPerson, ...]
    excluded: tuple[ExcludedPerson, ...]
    label: str  # the period it was built for (an export: its own quarter)
    keys: tuple[PersonKey | None, ...] = ()  # each row's person key, computed where the book was read


def book_registry(rows: Iterable[RegistryRow | RegistryPerson], excluded: Iterable[ExcludedPerson],
                  label: str) -> BookRegistry:
    """The registry as it travels: plain rows, and the person keys that flag one person in several organisations."""
    people = tuple(r if isinstance(r, RegistryPerson) else registry_person(r) for r in rows)
    keys = tuple(person_key({"full_name": p.full_name, "birth_date": p.birth_date}) for p in people)
    return BookRegistry(people, tuple(excluded), label, keys)


@dataclass(frozen=True)
class OrgSummary:
    """One book (or one exported registry) reduced to what the summary shows."""

    source: str
    kind: str  # BOOK or EXPORT
    modified: dt.datetime
    card: OrgCard
    contingent: dict[str, int | None] = field(default_factory=dict)  # the period's year
    coverage: tuple[GroupYear, ...] = ()  # every group, every target year up to the period's
    mentors: int | None = None  # in the base (an export: in the registry)
    mentees: int | None = None
    pairs: int | None = None  # pairs and groups active in the period
    pairs_by_form: dict[str, int] = field(default_factory=dict)
    pairs_by_status: dict[str, int] = field(default_factory=dict)
    meetings: int | None = None  # in the period
    roadmap: Roadmap | None = None
    satisfaction: tuple[float, int] = (0.0, 0)  # sum and number of «удовлетворённость» scores
    validation: Validation | None = None
    registry: BookRegistry | None = None

    def group(self, year: int, key: str) -> GroupYear | None:
        return next((g for g in self.coverage if g.year == year and g.group == key), None)


@dataclass(frozen=True)
class Unreadable:
    source: str
    modified: dt.datetime | None
    code: str
    message: str  # Russian, from the reader


@dataclass(frozen=True)
class SetAside:
    """A book not used: a duplicate of an organisation (the newer one is used), or an export of another period."""

    org: OrgSummary
    kept: str  # the source used instead ('' when none)
    reason: str  # Russian
