"""The curator's marks in «Подбор пар»: which proposed pairs to accept and which never to propose again.

Read from the file (CLI) or from the values Excel gives (the buttons): the same rows either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nastavnik_xl.book.reader import open_workbook
from nastavnik_xl.schema import norm

SHEET_NAME = "Подбор пар"
MENTEE, MENTOR, DECISION, PERCENT = norm("ID наставляемого"), norm("ID наставника"), norm("Решение"), norm(
    "Совпадение, %")
Decisions = dict[tuple[str, str], str]  # (mentee ID, mentor ID) in lower case → «принять» / «отклонить»


def _sheet(path: Path) -> list[list[Any]]:
    workbook, _ = open_workbook(path)
    try:
        if SHEET_NAME not in workbook.sheet_names:
            return []
        return workbook.get_sheet_by_name(SHEET_NAME).to_python()
    finally:
        workbook.close()


def _marked_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[str, str, str, Any]]:
    """(mentee ID, mentor ID, decision, percent) of every row under a header naming the IDs and «Решение»."""
    out = []
    columns: dict[str, int] | None = None
    for cells in rows:
        texts = [norm(c) if isinstance(c, str) else "" for c in cells]
        if MENTEE in texts and MENTOR in texts and DECISION in texts:
            columns = {k: texts.index(k) for k in (MENTEE, MENTOR, DECISION)}
            columns[PERCENT] = texts.index(PERCENT) if PERCENT in texts else -1
            continue
        if columns is None:
            continue

        def at(key: str) -> Any:
            i = columns[key]  # type: ignore[index]
            return cells[i] if 0 <= i < len(cells) else None

        mentee, mentor = (str(at(k) or "").strip() for k in (MENTEE, MENTOR))
        if mentee and mentor:
            out.append((mentee.casefold(), mentor.casefold(), norm(at(DECISION) or ""), at(PERCENT)))
    return out


def decisions_from_rows(rows: Sequence[Sequence[Any]]) -> Decisions:
    return {(a, b): d for a, b, d, _ in _marked_rows(rows) if d in ("принять", "отклонить")}


def percents_from_rows(rows: Sequence[Sequence[Any]]) -> dict[tuple[str, str], float]:
    """The match shown for each proposal (a fraction, for «Оценка совпадения» of the accepted pair)."""
    return {(a, b): float(p) for a, b, _, p in _marked_rows(rows) if isinstance(p, (int, float))
            and not isinstance(p, bool)}


def read_decisions(path: Path) -> Decisions:
    """Decisions in the book's «Подбор пар» (none when the sheet is absent)."""
    return decisions_from_rows(_sheet(path))


def read_percents(path: Path) -> dict[tuple[str, str], float]:
    return percents_from_rows(_sheet(path))
