"""«Персонифицированный учёт»: who took part in mentoring in a quarter, person by person.

The quarterly registry a school sends to its municipality. Plain functions that return data;
``book/output/registry_sheet.py`` renders it.

**Who is in the quarter.** A pair row is active in a quarter when its start is on or before the
quarter's last day and it has no actual end or ends on or after the quarter's first day (the
coverage rule of ``actions/coverage.py``, by quarter): a pair that ends on 30.09 is in Q3 and not
in Q4; one that starts on 01.10 is in Q4 only. A pair row whose start or actual end is not a
date cannot be placed and is left out with a warning. A person is in the quarter when one of
their pair rows is active.

**Rows: one per person and role** (someone who mentors and is mentored has two rows). A mentor
of a group (several pair rows with one pair ID) or of several pairs gets one row; so does a
mentee in two pairs. The row lists the pair IDs, forms, variants, statuses and results of the
person's active pair rows and the other side's IDs and names (every mentee of a mentor, every
mentor of a mentee): each without repeats, joined with «; », in the order of the pair rows'
start date, then pair ID, then row. Dates: the earliest start, the latest planned end, and the
latest actual end — empty while any of those pair rows has no actual end (the person is still in
a pair).

**Consent (ФЗ-152).** A row goes in only when the person's ПДн consent date is recorded and is
not after the quarter's last day. Everyone else active in the quarter is in ``excluded`` with
what is missing and where to fix it, and no personal data of theirs goes into the rows: as the
other side of a pair they are shown by ID, with «(нет согласия)» instead of the name. An employee
mentor (педагог, сотрудник предприятия) whose active pair runs on or after 01.03.2025 also needs
written consent under ст. 351.8 ТК РФ: without it (or with one dated after the quarter) the row
still goes in — the ПДн consent decides — the column says «нет» and a warning is returned.
Mentors who do not need it show «не требуется».

**The book's years.** A quarter can be asked of a book when its year lies from the earliest of
the pair starts, contingent years and reporting year to the latest of the reporting year, pair
starts and actual ends (planned ends are plans, not data).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from nastavnik_xl.actions.validate.consent import EMPLOYEE_CATEGORIES, LABOUR_CODE_351_8
from nastavnik_xl.book.model import Book, Row, Table
from nastavnik_xl.findings import BookError, Finding, Severity
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import MENTEES, MENTORS, PAIRS

SEPARATOR = "; "
NO_CONSENT_NAME = "(нет согласия)"
NOT_IN_BASE_NAME = "(нет в базе)"
NOT_REQUIRED = "не требуется"
MISSING = "нет"
MENTOR, MENTEE = "наставник", "наставляемый"

# --- quarters ----------------------------------------------------------------------------------

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_LAST_DAY = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> dt.date:
        month, day = _LAST_DAY[self.number]
        return dt.date(self.year, month, day)

    @property
    def label(self) -> str:
        """«2024-Q3»: in file names and JSON."""
        return f"{self.year}-Q{self.number}"

    @property
    def title(self) -> str:
        """«III квартал 2024 г.»: what the curator reads."""
        return f"{_ROMAN[self.number]} квартал {self.year} г."


_LETTER = r"(?:[qkк]|кв\.?|квартал[а]?)"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
_NUMBER = r"(?P<n>\d|iv|i{1,3})"
_YEAR_WORD = r"(?:\s*г(?:\.|ода?)?)?"
_QUARTER_PATTERNS = (
    re.compile(rf"{_YEAR}\s*(?:г\.?)?\s*[-/.,]?\s*{_LETTER}\s*-?\s*{_NUMBER}"),  # 2024Q3, 2024-Q3, 2024 кв. 3
    re.compile(rf"{_LETTER}\s*-?\s*{_NUMBER}\s*[-/.,]?\s*{_YEAR}{_YEAR_WORD}"),  # Q3 2024, К3-2024
    re.compile(rf"{_NUMBER}\s*(?:-?(?:й|ый|ий))?\s*{_LETTER}\s*,?\s*{_YEAR}{_YEAR_WORD}"),  # 3 кв. 2024, III квартал
)
_ROMAN_NUMBERS = {v.lower(): k for k, v in _ROMAN.items()}
QUARTER_EXAMPLES = "2024Q3, 2024-Q3 или «3 кв. 2024»"


def _quarter_text(text: str) -> str:
    s = unicodedata.normalize("NFC", text).replace("\u00a0", " ").lower()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    return " ".join(s.split())


def parse_quarter(text: str) -> Quarter:
    """«2024Q3», «2024-Q3», «2024 Q3», «3 кв. 2024», «Q3 2024», «III квартал 2024 г.» (Q or К, any case).

    Anything else is a :class:`BookError` with code "usage" (the CLI's exit 2).
    """
    s = _quarter_text(str(text))
    for pattern in _QUARTER_PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            number = _ROMAN_NUMBERS.get(m["n"]) or int(m["n"])
            if not 1 <= number <= 4:
                raise BookError(f"В году четыре квартала, а указан {number}-й («{text}»): укажите номер "
                                f"квартала от 1 до 4, например {QUARTER_EXAMPLES}.", code="usage")
            return Quarter(int(m["y"]), number)
    raise BookError(f"Не понял квартал «{text}»: укажите год и номер квартала, например {QUARTER_EXAMPLES}.",
                    code="usage")


def _dates(rows: Iterable[Row], *fields: str) -> list[dt.date]:
    return [r[f] for r in rows for f in fields if isinstance(r.get(f), dt.date)]


def book_years(book: Book) -> tuple[int, int] | None:
    """The first and last year a quarter can be asked of this book (see the module docstring)."""
    pairs = _rows(book, "pairs")
    reporting = book.organisation.reporting_year if book.organisation else None
    contingent = book.organisation.contingent.rows if book.organisation else []
    lows = [d.year for d in _dates(pairs, "start_date")]
    lows += [r["year"] for r in contingent if isinstance(r.get("year"), int)]
    highs = [d.year for d in _dates(pairs, "start_date", "actual_end")]
    if reporting is not None:
        lows.append(reporting)
        highs.append(reporting)
    if not lows or not highs:
        return None
    return min(lows), max(highs)


def check_quarter_in_book(book: Book, quarter: Quarter) -> None:
    """BookError (code "usage") when ``quarter`` lies outside the book's years."""
    years = book_years(book)
    if years is None:
        raise BookError(f"В книге «{book.path.name}» нет ни отчётного года, ни пар с датой начала: не понять, "
                        "за какие годы в ней данные. Впишите отчётный год на листе «Организация».",
                        path=str(book.path), code="usage")
    first, last = years
    if first <= quarter.year <= last:
        return
    span = f"{first} г." if first == last else f"{first}–{last} гг."
    raise BookError(f"{quarter.title} ({quarter.label}) — вне лет книги «{book.path.name}»: в ней данные за {span} "
                    f"Укажите квартал с {first}Q1 по {last}Q4.", path=str(book.path), code="usage")


# --- the registry's data -----------------------------------------------------------------------


class RegistryRow(BaseModel):
    """One person in one role, with everything of their pairs active in the quarter."""

    role: str  # «наставник» / «наставляемый»
    person_id: str
    full_name: str
    birth_date: dt.date | None = None
    person_type: str = ""  # a mentee's participant type, a mentor's category
    mentee_category: str = ""
    forms: list[str] = Field(default_factory=list)
    variants: list[str] = Field(default_factory=list)
    pair_ids: list[str] = Field(default_factory=list)
    other_ids: list[str] = Field(default_factory=list)
    other_names: list[str] = Field(default_factory=list)
    start_date: dt.date | None = None
    planned_end: dt.date | None = None
    actual_end: dt.date | None = None
    statuses: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    pd_consent_date: dt.date
    mentoring_consent_date: dt.date | None = None  # ст. 351.8, mentors only, on or before the quarter's end
    mentoring_consent: str = ""  # mentors without that date: «нет» (required) or «не требуется»


class ExcludedPerson(BaseModel):
    """Someone active in the quarter who cannot go in: no consent recorded (or not a person of the bases)."""

    role: str
    person_id: str
    # for the curator's screen only: neither the file nor the JSON carries the name of someone without consent
    full_name: str = Field(default="", exclude=True)
    pair_ids: list[str] = Field(default_factory=list)
    missing: str  # Russian: what is missing
    sheet: str  # where to fix it
    row: int | None = None


class Registry(BaseModel):
    quarter: str  # «2024-Q3»
    quarter_title: str  # «III квартал 2024 г.»
    period_start: dt.date
    period_end: dt.date
    org_name: str = ""
    short_name: str = ""
    inn: str = ""
    municipality: str = ""
    rows: list[RegistryRow] = Field(default_factory=list)
    excluded: list[ExcludedPerson] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Everyone active in the quarter is in the rows (the CLI exits 1 otherwise)."""
        return not self.excluded

    @property
    def file_name(self) -> str:
        return registry_file_name(self.short_name or self.org_name, self.quarter)

    def as_json(self) -> str:
        return self.model_dump_json(indent=2)


# --- building it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    role: str
    key: str  # the base: "mentors" / "mentees"
    id_field: str
    other_field: str
    type_field: str
    base_name: str  # for messages when the base sheet is absent


_SIDES = (
    _Side(MENTOR, "mentors", "mentor_id", "mentee_id", "mentor_category", MENTORS.name),
    _Side(MENTEE, "mentees", "mentee_id", "mentor_id", "participant_type", MENTEES.name),
)
_OTHER = {MENTOR: _SIDES[1], MENTEE: _SIDES[0]}


def _rows(book: Book, key: str) -> list[Row]:
    table = book.tables.get(key)
    return table.rows if table else []


def _sheet_name(book: Book, key: str, default: str) -> str:
    table = book.tables.get(key)
    return table.sheet_name if table else default


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return SEPARATOR.join(_text(v) for v in value)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _natural(value: str) -> list[tuple[int, int | str]]:
    """«НК-2» before «НК-10»."""
    return [(0, int(t)) if t.isdigit() else (1, t.casefold()) for t in re.split(r"(\d+)", value) if t]


def _first_by_id(rows: Iterable[Row], id_field: str) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for r in rows:
        if r.get(id_field):
            out.setdefault(id_key(r[id_field]), r)
    return out


def _unique(values: Iterable[object]) -> list[str]:
    """Non-empty texts without repeats (compared as IDs are: case and outer spaces aside), first spelling kept."""
    seen: dict[str, str] = {}
    for v in values:
        text = _text(v).strip()
        if text:
            seen.setdefault(id_key(text), text)
    return list(seen.values())


def pair_active_in_quarter(pair: Mapping[str, Any], quarter: Quarter) -> bool:
    start, end = pair.get("start_date"), pair.get("actual_end")
    if not isinstance(start, dt.date) or start > quarter.last:
        return False
    return end is None or (isinstance(end, dt.date) and end >= quarter.first)


def _unplaced_warning(pair: Row, table: Table | None, book: Book) -> Finding | None:
    """A pair row whose start or actual end is not a date: it cannot be placed in any quarter."""
    if not (pair.get("mentor_id") or pair.get("mentee_id")):
        return None
    start, end = pair.get("start_date"), pair.get("actual_end")
    if isinstance(start, dt.date) and (end is None or isinstance(end, dt.date)):
        return None
    bad = "start_date" if not isinstance(start, dt.date) else "actual_end"
    value = start if bad == "start_date" else end
    what = "нет даты начала" if value is None else f"дата «{_text(value)}» не прочитана"
    column = table.column_header(bad) if table else PAIRS.column(bad).header
    return Finding(code="registry-pair-undated", severity=Severity.WARNING,
                   sheet=_sheet_name(book, "pairs", PAIRS.name), row=pair.get("_row"), column=column, field=bad,
                   value=_text(value) or None,
                   message=f"Пара {_text(pair.get('pair_id')) or 'без ID'}: {what} — пара не попала в учёт. "
                           "Впишите дату как ДД.ММ.ГГГГ.")


def _consent_problem(person: Row, quarter: Quarter) -> str | None:
    """What is missing for the person to go in, or None."""
    consent = person.get("pd_consent_date")
    if consent is None or consent == "":
        return "нет согласия на обработку ПДн"
    if not isinstance(consent, dt.date):
        return f"нет согласия на обработку ПДн: дата «{_text(consent)}» не прочитана"
    if consent > quarter.last:
        return f"согласие датировано позже квартала ({_text(consent)})"
    return None


def _needs_351_8(person: Row, pairs: list[Row], quarter: Quarter) -> bool:
    """An employee mentor with an active pair on or after 01.03.2025 (within the quarter)."""
    if person.get("mentor_category") not in EMPLOYEE_CATEGORIES or quarter.last < LABOUR_CODE_351_8:
        return False
    return any(p.get("actual_end") is None or p["actual_end"] >= LABOUR_CODE_351_8 for p in pairs)


def _sort_key(pair: Row) -> tuple[dt.date, list[tuple[int, int | str]], int]:
    return pair["start_date"], _natural(_text(pair.get("pair_id"))), pair.get("_row") or 0


@dataclass
class _Builder:
    book: Book
    quarter: Quarter
    people: dict[str, dict[str, Row]] = field(init=False)  # role → id key → the first base row
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.people = {s.role: _first_by_id(_rows(self.book, s.key), s.id_field) for s in _SIDES}
        self.registry = _empty_registry(self.book, self.quarter)

    def build(self) -> Registry:
        pairs_table = self.book.tables.get("pairs")
        active: list[Row] = []
        for pair in _rows(self.book, "pairs"):
            warning = _unplaced_warning(pair, pairs_table, self.book)
            if warning:
                self.registry.warnings.append(warning)
            elif pair_active_in_quarter(pair, self.quarter):
                active.append(pair)
        active.sort(key=_sort_key)
        for side in _SIDES:
            for pid, pairs in _by_person(active, side.id_field).items():
                self._add(side, pid, pairs)
        self.registry.rows.sort(key=lambda r: (r.role != MENTOR, _natural(r.person_id)))
        self.registry.excluded.sort(key=lambda e: (e.role != MENTOR, _natural(e.person_id)))
        return self.registry

    def _consents(self, role: str, pid: str) -> bool:
        person = self.people[role].get(pid)
        return person is not None and _consent_problem(person, self.quarter) is None

    def _add(self, side: _Side, pid: str, pairs: list[Row]) -> None:
        person = self.people[side.role].get(pid)
        pair_ids = _unique(p.get("pair_id") for p in pairs)
        if person is None:
            self.registry.excluded.append(ExcludedPerson(
                role=side.role, person_id=_text(pairs[0][side.id_field]), pair_ids=pair_ids,
                missing=f"нет в базе «{_sheet_name(self.book, side.key, side.base_name)}»: нет данных и согласия "
                        "на обработку ПДн",
                sheet=_sheet_name(self.book, "pairs", PAIRS.name), row=pairs[0].get("_row")))
            return
        problem = _consent_problem(person, self.quarter)
        if problem:
            self.registry.excluded.append(ExcludedPerson(
                role=side.role, person_id=_text(person[side.id_field]), full_name=_text(person.get("full_name")),
                pair_ids=pair_ids, missing=problem, sheet=_sheet_name(self.book, side.key, side.base_name),
                row=person.get("_row")))
            return
        self.registry.rows.append(self._row(side, person, pairs, pair_ids))

    def _others(self, side: _Side, pairs: list[Row]) -> tuple[list[str], list[str]]:
        other = _OTHER[side.role]
        ids: dict[str, str] = {}
        for p in pairs:
            key = id_key(p[side.other_field]) if p.get(side.other_field) else ""
            if key and key not in ids:
                row = self.people[other.role].get(key)
                ids[key] = _text(row[other.id_field] if row else p[side.other_field])
        names = [self._other_name(other.role, key) for key in ids]
        return list(ids.values()), names

    def _other_name(self, role: str, key: str) -> str:
        row = self.people[role].get(key)
        if row is None:
            return NOT_IN_BASE_NAME
        return _text(row.get("full_name")) if self._consents(role, key) else NO_CONSENT_NAME

    def _row(self, side: _Side, person: Row, pairs: list[Row], pair_ids: list[str]) -> RegistryRow:
        other_ids, other_names = self._others(side, pairs)
        open_pair = any(p.get("actual_end") is None for p in pairs)
        ends, planned = _dates(pairs, "actual_end"), _dates(pairs, "planned_end")
        birth = person.get("birth_date")
        row = RegistryRow(
            role=side.role, person_id=_text(person[side.id_field]), full_name=_text(person.get("full_name")),
            birth_date=birth if isinstance(birth, dt.date) else None,
            person_type=_text(person.get(side.type_field)),
            mentee_category=_text(person.get("mentee_category")) if side.role == MENTEE else "",
            forms=_unique(p.get("form") for p in pairs), variants=_unique(p.get("variant") for p in pairs),
            pair_ids=pair_ids, other_ids=other_ids, other_names=other_names,
            start_date=min(p["start_date"] for p in pairs),
            planned_end=max(planned) if planned else None,
            actual_end=None if open_pair or not ends else max(ends),
            statuses=_unique(p.get("status") for p in pairs), outcomes=_unique(p.get("outcome") for p in pairs),
            pd_consent_date=person["pd_consent_date"],
        )
        if side.role == MENTOR:
            self._mentoring_consent(row, person, pairs)
        return row

    def _mentoring_consent(self, row: RegistryRow, person: Row, pairs: list[Row]) -> None:
        consent = person.get("mentoring_consent_date")
        if isinstance(consent, dt.date) and consent <= self.quarter.last:
            row.mentoring_consent_date = consent
        elif _needs_351_8(person, pairs, self.quarter):
            row.mentoring_consent = MISSING
            self.registry.warnings.append(self._351_8_warning(person, consent))
        else:
            row.mentoring_consent = NOT_REQUIRED

    def _351_8_warning(self, person: Row, consent: object) -> Finding:
        table = self.book.tables.get("mentors")
        later = ("" if consent in (None, "") else f" (в книге — {_text(consent)}, позже квартала)"
                 if isinstance(consent, dt.date) else f" (дата «{_text(consent)}» не прочитана)")
        return Finding(
            code="registry-mentoring-consent-missing", severity=Severity.WARNING,
            sheet=_sheet_name(self.book, "mentors", MENTORS.name), row=person.get("_row"),
            column=table.column_header("mentoring_consent_date") if table else "", field="mentoring_consent_date",
            value=_text(consent) or None,
            message=f"Наставник {_text(person.get('mentor_id'))} — работник, его пара действует после 01.03.2025, "
                    f"а письменного согласия на наставничество (ст. 351.8 ТК РФ) на конец квартала нет{later}. "
                    "В учёт он включён, в столбце согласия стоит «нет». Получите согласие и впишите дату.")


def _by_person(pairs: list[Row], id_field: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for p in pairs:
        if p.get(id_field):
            out.setdefault(id_key(p[id_field]), []).append(p)
    return out


def _empty_registry(book: Book, quarter: Quarter) -> Registry:
    card = book.organisation.card if book.organisation else {}
    return Registry(
        quarter=quarter.label, quarter_title=quarter.title, period_start=quarter.first, period_end=quarter.last,
        org_name=_text(card.get("org_name")), short_name=_text(card.get("short_name")), inn=_text(card.get("inn")),
        municipality=_text(card.get("municipality")),
    )


def build_registry(book: Book, quarter: Quarter) -> Registry:
    """The registry of ``quarter``: rows of people with consent, the excluded, and warnings."""
    return _Builder(book, quarter).build()


# --- the file name -----------------------------------------------------------------------------

FILE_PREFIX = "Персучёт"
MAX_FILE_NAME = 120
_FORBIDDEN = re.compile(r'[\\/:*?"<>|]')


def _clean_name(name: str) -> str:
    s = unicodedata.normalize("NFC", name)
    s = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in s)
    return " ".join(_FORBIDDEN.sub(" ", s).split())


def registry_file_name(short_name: str, quarter: Quarter | str) -> str:
    """«Персучёт_<краткое имя ОО>_<2024-Q3>.xlsx», safe on Windows and at most 120 characters."""
    label = quarter.label if isinstance(quarter, Quarter) else _clean_name(quarter)
    suffix = f"_{label}.xlsx"
    room = MAX_FILE_NAME - len(FILE_PREFIX) - 1 - len(suffix)
    name = _clean_name(short_name)[:room].rstrip(" .") or "ОО"
    return f"{FILE_PREFIX}_{name}{suffix}"
