"""Validate a curator's book: every rule of the model as a named check; all findings, never only the first.

``validate_book(book, on=date)`` is what the CLI and the Excel button call. The reader's own cell
findings (bad dates, numbers, list values) come first; each rule adds what it finds; one
problem is reported once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

# Importing the rule modules registers their checks, in this order.
from nastavnik_xl.actions.validate import (  # noqa: F401
    consent,
    fields,
    forms,
    identity,
    load,
    meetings,
    programme,
    references,
)
from nastavnik_xl.actions.validate.context import Context, Settings
from nastavnik_xl.actions.validate.registry import RULES, Rule
from nastavnik_xl.book.model import Book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import Finding, Severity
from nastavnik_xl.schema import DATA_SHEETS

__all__ = ["RULES", "Rule", "Settings", "ValidationReport", "validate_book", "validate_path"]


class ValidationReport(BaseModel):
    """All findings of one book as of a day, with counts per code and severity."""

    book: str
    organisation: str = ""
    on: dt.date
    valid: bool
    errors: int
    warnings: int
    counts: dict[str, int]
    findings: list[Finding] = Field(default_factory=list)


def _sheet_order(book: Book) -> dict[str, int]:
    names = {s.key: i for i, s in enumerate(DATA_SHEETS)}
    order: dict[str, int] = {}
    for key, table in book.tables.items():
        order[table.sheet_name] = names.get(key, 99)
    if book.organisation:
        order[book.organisation.contingent.sheet_name] = names["organisation"]
    return order


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for f in findings:
        key = (f.code, f.sheet, f.row, f.column)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check_rules(book: Book, on: dt.date, settings: Settings | None = None) -> list[Finding]:
    """The findings of the model's rules alone (without the reader's)."""
    ctx = Context(book, on, settings or Settings())
    out: list[Finding] = []
    for r in RULES:
        out.extend(r.check(ctx))
    return out


def validate_book(book: Book, on: dt.date | None = None, settings: Settings | None = None) -> ValidationReport:
    """Check ``book`` as of ``on`` (default today): the reader's findings plus every rule's."""
    on = on or dt.date.today()
    findings = _unique(book.all_findings() + check_rules(book, on, settings))
    order = _sheet_order(book)
    findings.sort(key=lambda f: (order.get(f.sheet, 50), f.sheet, f.row or 0, f.column, f.code))
    severities = Counter(f.severity for f in findings)
    return ValidationReport(
        book=str(book.path),
        organisation=book.organisation.name if book.organisation else "",
        on=on,
        valid=severities[Severity.ERROR] == 0,
        errors=severities[Severity.ERROR],
        warnings=severities[Severity.WARNING],
        counts=dict(sorted(Counter(f.code for f in findings).items())),
        findings=findings,
    )


def validate_path(path: Path, on: dt.date | None = None) -> ValidationReport:
    """Read and validate one book (BookError when it cannot be used)."""
    return validate_book(read_book(path), on)
