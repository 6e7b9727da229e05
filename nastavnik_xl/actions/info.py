"""What the reader sees in a book: organisation, sheets, rows, how headers were understood."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from nastavnik_xl.book.model import Book, Table
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import Finding, Report
from nastavnik_xl.schema import DATA_SHEETS


class HeaderInfo(BaseModel):
    written: str
    header: str
    field: str
    how: str


class SheetInfo(BaseModel):
    key: str
    name: str  # canonical
    name_in_book: str
    header_row: int
    rows: int
    skipped_rows: int
    headers: list[HeaderInfo]
    ignored: list[str]
    missing_optional: list[str] = Field(default_factory=list)


class BookInfo(BaseModel):
    file: str
    file_kind: str
    organisation: dict[str, object]
    sheets: list[SheetInfo]
    missing_sheets: list[str]
    extra_sheets: list[str]
    counts: dict[str, int]
    findings: list[Finding]


def _sheet_info(table: Table) -> SheetInfo:
    present = {h.field for h in table.headers}
    return SheetInfo(
        key=table.sheet.key,
        name=table.sheet.name,
        name_in_book=table.sheet_name,
        header_row=table.header_row,
        rows=len(table.rows),
        skipped_rows=table.skipped_rows,
        headers=[HeaderInfo(written=h.written, header=h.header, field=h.field, how=h.how) for h in table.headers],
        ignored=table.ignored,
        missing_optional=[c.header for c in table.sheet.columns if c.field not in present and not c.computed],
    )


def describe(book: Book) -> BookInfo:
    sheets: list[SheetInfo] = []
    org: dict[str, object] = {}
    if book.organisation:
        org = {k: (v if isinstance(v, (str, int, float)) or v is None else str(v))
               for k, v in book.organisation.card.items()}
        sheets.append(_sheet_info(book.organisation.contingent))
    order = [s.key for s in DATA_SHEETS]
    sheets.extend(_sheet_info(t) for t in sorted(book.tables.values(), key=lambda t: order.index(t.sheet.key)))
    report = Report(findings=book.all_findings())
    return BookInfo(
        file=str(book.path),
        file_kind=book.file_kind,
        organisation=org,
        sheets=sheets,
        missing_sheets=book.missing_sheets,
        extra_sheets=book.extra_sheets,
        counts=report.counts,
        findings=report.findings,
    )


def book_info(path: Path) -> BookInfo:
    """Read ``path`` and describe it (raises BookError when it cannot be used)."""
    return describe(read_book(path))
