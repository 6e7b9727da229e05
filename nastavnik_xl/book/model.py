"""Typed tables of one workbook, as the reader returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nastavnik_xl.findings import Finding
from nastavnik_xl.schema import Sheet

Row = dict[str, Any]  # field → typed value, plus "_row": the Excel row number


@dataclass
class HeaderMatch:
    """How one header of the book was understood."""

    field: str
    header: str  # canonical Russian header
    written: str  # as written in the book
    column: int  # 1-based column number
    how: str  # "точно", "после нормализации", "синоним"


@dataclass
class Table:
    sheet: Sheet
    sheet_name: str  # the sheet's name as written in the book
    header_row: int  # 1-based Excel row of the headers
    rows: list[Row] = field(default_factory=list)
    headers: list[HeaderMatch] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers we did not recognise
    skipped_rows: int = 0  # blank rows and column-numbering rows
    findings: list[Finding] = field(default_factory=list)

    def column_header(self, field_name: str) -> str:
        """The header as written in the book (for messages), else the canonical one."""
        for h in self.headers:
            if h.field == field_name:
                return h.written
        return self.sheet.column(field_name).header

    def has(self, field_name: str) -> bool:
        return any(h.field == field_name for h in self.headers)

    def values(self, field_name: str) -> list[Any]:
        return [r.get(field_name) for r in self.rows]


@dataclass
class Organisation:
    card: dict[str, Any]
    card_rows: dict[str, int]  # field → Excel row where its label stands
    contingent: Table

    @property
    def name(self) -> str:
        return str(self.card.get("short_name") or self.card.get("org_name") or "")

    @property
    def reporting_year(self) -> int | None:
        year = self.card.get("reporting_year")
        return year if isinstance(year, int) else None

    def contingent_for(self, year: int) -> Row | None:
        for row in self.contingent.rows:
            if row.get("year") == year:
                return row
        return None


@dataclass
class Book:
    path: Path
    file_kind: str  # xlsx, xlsm, xls, ods
    sheet_names: list[str]
    organisation: Organisation | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    missing_sheets: list[str] = field(default_factory=list)  # schema sheets not in the book
    extra_sheets: list[str] = field(default_factory=list)  # book sheets we do not use
    findings: list[Finding] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return self.tables[key]

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        if self.organisation:
            out.extend(self.organisation.contingent.findings)
        for t in self.tables.values():
            out.extend(t.findings)
        return out
