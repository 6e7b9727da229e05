"""Errors are data: a finding names what is wrong and where, in Russian, for the curator."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Severity(StrEnum):
    ERROR = "ошибка"
    WARNING = "предупреждение"


class Finding(BaseModel):
    """One problem in a book: a stable code, where it is, and what to do about it."""

    code: str  # kebab-case, stable
    severity: Severity = Severity.ERROR
    sheet: str = ""
    row: int | None = None  # the Excel row number the curator sees
    column: str = ""  # the header as written in the book
    field: str = ""  # the schema field behind the column, for programs
    value: Any = None
    message: str  # Russian, says what to do

    def where(self) -> str:
        parts = [f"лист «{self.sheet}»"] if self.sheet else []
        if self.row is not None:
            parts.append(f"строка {self.row}")
        if self.column:
            parts.append(f"столбец «{self.column}»")
        return ", ".join(parts)


class Report(BaseModel):
    """All findings of one run (never only the first)."""

    findings: list[Finding] = Field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


class BookError(Exception):
    """The input cannot be used at all (missing file, not a workbook, missing sheet…).

    The CLI turns it into a Russian message on stderr and exit code 2.
    """

    def __init__(self, message: str, *, path: str = "", sheet: str = "", code: str = "bad-book") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.sheet = sheet
        self.code = code

    def __str__(self) -> str:
        return self.message
