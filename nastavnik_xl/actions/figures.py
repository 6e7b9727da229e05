"""Key figures of «Панель», computed in Python (the book computes the same with formulas)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nastavnik_xl.book.formulas import TEXT_DATE_FIELDS
from nastavnik_xl.book.model import Book

Rows = Sequence[Mapping[str, Any]]


def text_dates_in_rows(tables: Mapping[str, Rows]) -> int:
    """Date cells of the watched columns that hold text (rows about to be written)."""
    return sum(
        1
        for sheet, fields in TEXT_DATE_FIELDS.items()
        for row in tables.get(sheet.key, ())
        for f in fields
        if isinstance(row.get(f), str)
    )


def text_dates_in_book(book: Book) -> int:
    """The same count for a book that was read: its watched date cells that held text."""
    total = 0
    for sheet, fields in TEXT_DATE_FIELDS.items():
        table = book.tables.get(sheet.key)
        if table is None:
            continue
        total += sum(1 for f in table.findings
                     if f.code in ("date-as-text", "bad-date") and f.field in fields and isinstance(f.value, str))
    return total


def key_figures(tables: Mapping[str, Rows], text_dates: int = 0) -> dict[str, int]:
    """The counts of «Панель». ``text_dates`` comes from one of the two functions above."""
    mentors, mentees = tables.get("mentors", ()), tables.get("mentees", ())
    pairs, meetings = tables.get("pairs", ()), tables.get("meetings", ())
    paired = {p.get("mentee_id") for p in pairs if p.get("mentee_id")}
    return {
        "mentors": sum(1 for m in mentors if m.get("mentor_id")),
        "mentors_active": sum(1 for m in mentors if m.get("status") == "активен"),
        "mentees": sum(1 for m in mentees if m.get("mentee_id")),
        "mentees_without_pair": sum(1 for m in mentees if m.get("mentee_id") and m["mentee_id"] not in paired),
        "pairs": len({p.get("pair_id") for p in pairs if p.get("pair_id")}),
        "meetings": sum(1 for m in meetings if m.get("meeting_id")),
        "text_dates": text_dates,
    }
