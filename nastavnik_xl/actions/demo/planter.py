"""Where a planted mistake is (``Mistake``) and the ``Planter`` that writes mistakes into a book's content."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nastavnik_xl.book.builder import BookContent, contingent_header_row
from nastavnik_xl.schema import sheet


@dataclass(frozen=True)
class Mistake:
    """One planted mistake, where the curator would see it."""

    book: str  # file name
    sheet: str  # Russian sheet name
    row: int  # Excel row number
    column: str  # Russian header
    kind: str  # stable kebab-case code (MISTAKE_KINDS)
    value: Any  # as written: text, number, ISO date, or None for a blank cell
    written_as: str  # "text", "number", "date" or "blank"

    def as_json(self) -> dict[str, Any]:
        return {"book": self.book, "sheet": self.sheet, "row": self.row, "column": self.column,
                "kind": self.kind, "value": self.value, "written_as": self.written_as}


def excel_row(sheet_key: str, index: int) -> int:
    """The Excel row of the ``index``-th data row as the builder writes it."""
    if sheet_key == "organisation":
        return contingent_header_row() + 1 + index
    return index + 2  # headers in row 1


def _jsonable(value: Any) -> tuple[Any, str]:
    if value is None:
        return None, "blank"
    if isinstance(value, dt.date):
        return value.isoformat(), "date"
    if isinstance(value, bool):
        return ("да" if value else "нет"), "text"
    if isinstance(value, (int, float)):
        return value, "number"
    return str(value), "text"


class Planter:
    """Plants mistakes into a book's content, one per row, and records where they are."""

    def __init__(self, content: BookContent, rng: random.Random, today: dt.date, book: str) -> None:
        self.content = content
        self.tables = content.rows
        self.rng = rng
        self.today = today
        self.book = book
        self.used: set[tuple[str, int]] = set()
        self.mistakes: list[Mistake] = []
        self.pair_index = self.index_pairs("pair_id")  # pair IDs are never changed by a mistake

    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.content.contingent if key == "organisation" else self.tables.get(key, [])

    def free(self, key: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> list[int]:
        return [i for i, r in enumerate(self.rows(key)) if (key, i) not in self.used and test(r)]

    def choose(self, key: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> int | None:
        options = self.free(key, test)
        return self.rng.choice(options) if options else None

    def lock(self, key: str, indexes: Sequence[int]) -> None:
        self.used.update((key, i) for i in indexes)

    def put(self, key: str, index: int, field_name: str, value: Any, kind: str) -> Mistake:
        self.rows(key)[index][field_name] = value
        self.used.add((key, index))
        spec = sheet(key)
        shown, written_as = _jsonable(value)
        mistake = Mistake(self.book, spec.name, excel_row(key, index), spec.column(field_name).header, kind,
                          shown, written_as)
        self.mistakes.append(mistake)
        return mistake

    def referenced(self, field_name: str) -> set[str]:
        return {r.get(field_name) for r in self.tables.get("pairs", [])}

    def index_pairs(self, field_name: str) -> dict[str, list[int]]:
        """Value of a «Пары» column → the rows holding it, as the rows are now."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.tables.get("pairs", [])):
            out[r.get(field_name)].append(i)
        return out

    def next_free_id(self, key: str, field_name: str) -> str:
        ids = [r.get(field_name) for r in self.rows(key) if isinstance(r.get(field_name), str)]
        prefix, _, digits = max(ids).partition("-")
        return f"{prefix}-{int(digits) + self.rng.randint(3, 60):0{len(digits)}d}"
