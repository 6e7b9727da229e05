"""The per-book step: read one book (or exported registry) and reduce it to a small :class:`OrgSummary`.

It runs in a worker process (or on a Dask worker) and returns only counts, sums and — for the
consolidated registry — the book's registry rows. It never raises for a bad book: an unusable
file becomes an :class:`Unreadable` with the reader's Russian message.

**What is counted** (``period``: a quarter or a month; ``on``: the day the summary is as of):

* coverage of every group in every target year up to the period's year, in people, by the rules
  of ``actions.coverage`` (the year's coverage, as the book computes it);
* pairs and groups (one ID — one pair) with a row active in the period, by form and by status
  (of the pair's first active row);
* meetings dated within the period;
* roadmap items not cancelled, those done (status «выполнено» or a done date by ``on``), and
  those overdue on ``on`` (the validation rule «roadmap-overdue»);
* satisfaction: the scores of «удовлетворённость» answers dated from 1 January of the period's
  year to ``on`` (their sum and number, so that means are taken over people, not books);
* validation status: errors and warnings of ``validate_book`` when ``validate``, otherwise what
  the reader found in the columns the summary reads.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nastavnik_xl.actions.coverage import (
    book_targets,
    covered_mentees,
    default_targets,
    denominator,
    first_rows,
    mentee_year_codes,
)
from nastavnik_xl.actions.coverage_report import people_needed
from nastavnik_xl.actions.registry import build_registry, pair_active_in_quarter
from nastavnik_xl.actions.summary.export import read_export
from nastavnik_xl.actions.summary.model import (
    BOOK,
    GroupYear,
    OrgCard,
    OrgSummary,
    Period,
    Roadmap,
    Unreadable,
    Validation,
    book_registry,
)
from nastavnik_xl.actions.validate import validate_book
from nastavnik_xl.actions.validate.context import Context
from nastavnik_xl.actions.validate.programme import roadmap_on_time
from nastavnik_xl.book.fast import WHOLE, Keep, Needs, read_fast
from nastavnik_xl.book.model import Book, Row
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import BookError, Severity
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import YEAR_CODE_BASE, YEAR_CODE_SPAN, YEAR_CODE_WINDOWS, coverage_groups, target_years

SATISFACTION = "удовлетворённость"
DONE, CANCELLED = "выполнено", "отменено"
NO_VALUE = "не указано"
CONTINGENT_FIELDS = ("students_total", "students_10_19", "teachers", "young_specialists")

_FIGURE_FIELDS: dict[str, tuple[str, ...]] = {
    "mentors": ("mentor_id",),
    "mentees": ("mentee_id", "participant_type"),
    "pairs": ("pair_id", "form", "mentee_id", "start_date", "actual_end", "status"),
    "meetings": ("date",),
    "surveys": ("survey", "score", "date"),
}
_REGISTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "mentors": ("full_name", "birth_date", "mentor_category", "pd_consent_date", "mentoring_consent_date"),
    "mentees": ("full_name", "birth_date", "mentee_category", "pd_consent_date"),
    "pairs": ("variant", "mentor_id", "planned_end", "outcome"),
}


def needs(registry: bool) -> Needs:
    """The sheets and fields the summary reads (the registry's people need more of them)."""
    out: dict[str, Any] = {"organisation": WHOLE, "roadmap": ("activity", "due_date", "status", "done_date"),
                           "targets": ("year", "group", "target_pct")}
    for key, fields in _FIGURE_FIELDS.items():
        out[key] = fields + (_REGISTRY_FIELDS.get(key, ()) if registry else ())
    return out


# --- one book ----------------------------------------------------------------------------------


def _rows(book: Book, key: str) -> list[Row]:
    table = book.tables.get(key)
    return table.rows if table else []


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def book_card(book: Book) -> OrgCard:
    card = book.organisation.card if book.organisation else {}
    year = card.get("reporting_year")
    return OrgCard(org_name=_text(card.get("org_name")), short_name=_text(card.get("short_name")),
                   inn=_text(card.get("inn")), municipality=_text(card.get("municipality")),
                   org_type=_text(card.get("org_type")), reporting_year=year if isinstance(year, int) else None)


def _window(year: int) -> int | None:
    """The window of the book's year-code helper columns that holds ``year``."""
    return next((w for w in YEAR_CODE_WINDOWS if w <= year < w + YEAR_CODE_SPAN), None)


def covered_by_year(mentees: Sequence[Row], pairs: Sequence[Row], years: Sequence[int]) -> dict[int, Counter[str]]:
    """Year → participant type → mentees with a pair active in the year (people, first row of an ID).

    The years of the book's helper columns come from ``mentee_year_codes`` (one pass over the pairs
    for six years, the same rule as ``pair_active_in``); any other year from ``covered_mentees``.
    """
    out: dict[int, Counter[str]] = {}
    for window in sorted({w for y in years if (w := _window(y)) is not None}):
        codes = mentee_year_codes(mentees, pairs, window)
        for year in (y for y in years if _window(y) == window):
            shift = YEAR_CODE_BASE ** (year - window)
            out[year] = Counter(str(m.get("participant_type")) for m, code in zip(mentees, codes)
                                if code and (code // shift) % YEAR_CODE_BASE)
    every_type = {t for g in coverage_groups() for t in g.participant_types}
    type_of = {m["mentee_id"]: m.get("participant_type") for m in first_rows(mentees)}
    for year in (y for y in years if y not in out):
        out[year] = Counter(str(type_of[i]) for i in covered_mentees(mentees, pairs, year, every_type))
    return out


def coverage_years(mentees: Sequence[Row], pairs: Sequence[Row], contingent: Sequence[Row],
                   targets: Mapping[tuple[int, str], float | None], years: Sequence[int]) -> tuple[GroupYear, ...]:
    """People covered per group and year against the contingent and the book's targets."""
    covered = covered_by_year(mentees, pairs, years)
    out = []
    for year in years:
        for g in coverage_groups():
            den = denominator(contingent, year, g)
            target = targets.get((year, g.key))
            out.append(GroupYear(year, g.key, den, sum(covered[year][t] for t in g.participant_types),
                                 people_needed(target, den), target))
    return tuple(out)


def _summary_years(period: Period) -> list[int]:
    return list(range(min(target_years().start, period.year), period.year + 1))


def pairs_in_period(pairs: Iterable[Row], period: Period) -> dict[str, Row]:
    """Pair ID → the pair's first row active in the period (a group is one pair)."""
    out: dict[str, Row] = {}
    for p in pairs:
        if pair_active_in_quarter(p, period):  # type: ignore[arg-type]  # the registry's rule: any period
            key = id_key(p["pair_id"]) if p.get("pair_id") else f"#{p.get('_row')}"
            out.setdefault(key, p)
    return out


def _counts(rows: Iterable[Row], field: str) -> dict[str, int]:
    return dict(Counter(_text(r.get(field)) or NO_VALUE for r in rows))


def meetings_in(meetings: Iterable[Row], first: dt.date, last: dt.date) -> int:
    return sum(1 for m in meetings if isinstance(m.get("date"), dt.date) and first <= m["date"] <= last)


def roadmap_figures(book: Book, on: dt.date) -> Roadmap | None:
    if "roadmap" not in book.tables:
        return None
    items = [r for r in _rows(book, "roadmap") if r.get("status") != CANCELLED]
    done = sum(1 for r in items if r.get("status") == DONE
               or (isinstance(r.get("done_date"), dt.date) and r["done_date"] <= on))
    overdue = sum(1 for _ in roadmap_on_time(Context(book, on)))
    return Roadmap(len(items), done, overdue)


def satisfaction(surveys: Iterable[Row], first: dt.date, on: dt.date) -> tuple[float, int]:
    scores = [float(r["score"]) for r in surveys if r.get("survey") == SATISFACTION
              and isinstance(r.get("score"), (int, float)) and not isinstance(r.get("score"), bool)
              and isinstance(r.get("date"), dt.date) and first <= r["date"] <= on]
    return sum(scores), len(scores)


def validation(book: Book, on: dt.date, validate: bool) -> Validation:
    if validate:
        report = validate_book(book, on)
        return Validation(True, report.errors, report.warnings)
    severities = Counter(f.severity for f in book.all_findings())
    return Validation(False, severities[Severity.ERROR], severities[Severity.WARNING])


def _contingent(book: Book, year: int) -> dict[str, int | None]:
    row = book.organisation.contingent_for(year) if book.organisation else None
    return {f: (row.get(f) if row and isinstance(row.get(f), int) else None) for f in CONTINGENT_FIELDS}


def summarise_book(book: Book, modified: dt.datetime, period: Period, validate: bool = False,
                   registry: bool = True) -> OrgSummary:
    """Reduce a book that was read to the figures of the summary."""
    mentees, pairs = _rows(book, "mentees"), _rows(book, "pairs")
    contingent = book.organisation.contingent.rows if book.organisation else []
    targets = book_targets(_rows(book, "targets")) or default_targets()
    active = pairs_in_period(pairs, period).values()
    reg = build_registry(book, period) if registry else None  # type: ignore[arg-type]
    return OrgSummary(
        source=str(book.path), kind=BOOK, modified=modified, card=book_card(book),
        contingent=_contingent(book, period.year),
        coverage=coverage_years(mentees, pairs, contingent, targets, _summary_years(period)),
        mentors=len({id_key(m["mentor_id"]) for m in _rows(book, "mentors") if m.get("mentor_id")}),
        mentees=len(first_rows(mentees)), pairs=len(active),
        pairs_by_form=_counts(active, "form"), pairs_by_status=_counts(active, "status"),
        meetings=meetings_in(_rows(book, "meetings"), period.first, period.last),
        roadmap=roadmap_figures(book, period.on),
        satisfaction=satisfaction(_rows(book, "surveys"), dt.date(period.year, 1, 1), period.on),
        validation=validation(book, period.on, validate),
        registry=book_registry(reg.rows, reg.excluded, period.label) if reg else None,
    )


# --- one file, whatever it is --------------------------------------------------------------------


def modified_at(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


INTERNAL = ("Внутренняя ошибка программы при чтении этой книги ({error}). Остальные книги сведены; сообщите "
            "об ошибке разработчикам и приложите книгу, если это возможно.")


@contextmanager
def no_cycle_collector() -> Iterator[None]:
    """Python's cycle collector off while a book is reduced, as it was after.

    A book is read into some ten thousand rows that all live until it is reduced; the collector
    walked them again and again (measured: 16 % of the per-book time). Reading and reducing make
    no reference cycles, so reference counting frees everything as before.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def collect(path: str | Path, period: Period, validate: bool = False, registry: bool = True) -> OrgSummary | Unreadable:
    """Reduce one file; never raises for a bad file (one bad book never stops the batch)."""
    path = Path(path)
    modified = modified_at(path)
    try:
        with no_cycle_collector():
            return _collect(path, modified or dt.datetime.min, period, validate, registry)
    except BookError as exc:
        return Unreadable(str(path), modified, exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 — a bug on one book must not cost the МНЦ the other 799
        return Unreadable(str(path), modified, "internal", INTERNAL.format(error=f"{type(exc).__name__}: {exc}"))


def rows_kept(period: Period) -> dict[str, Keep]:
    """Of meetings and answers, the summary keeps those it counts: meetings of the period, satisfaction answers."""
    return {"meetings": Keep("date", lambda d: isinstance(d, dt.date) and period.first <= d <= period.last),
            "surveys": Keep("survey", lambda s: s == SATISFACTION)}


def _collect(path: Path, modified: dt.datetime, period: Period, validate: bool, registry: bool) -> OrgSummary:
    try:
        book = read_book(path) if validate else read_fast(path, needs(registry), rows_kept(period))
    except BookError as exc:
        export = read_export(path, modified) if exc.code == "missing-sheet" else None
        if export is None:
            raise
        return export
    return summarise_book(book, modified, period, validate, registry)
