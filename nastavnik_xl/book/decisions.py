"""The curator's marks in «Подбор пар»: which proposed pairs to accept and which never to propose again."""

from __future__ import annotations

from pathlib import Path

from nastavnik_xl.book.reader import open_workbook
from nastavnik_xl.schema import norm

MENTEE, MENTOR, DECISION = norm("ID наставляемого"), norm("ID наставника"), norm("Решение")
SEARCH_ROWS = 40


def read_decisions(path: Path, sheet_name: str = "Подбор пар") -> dict[tuple[str, str], str]:
    """(mentee ID, mentor ID) in lower case → «принять» / «отклонить», from every header row of the sheet.

    A book without the sheet gives no decisions; a row without both IDs or a decision is skipped.
    """
    workbook, _ = open_workbook(path)
    try:
        if sheet_name not in workbook.sheet_names:
            return {}
        rows = workbook.get_sheet_by_name(sheet_name).to_python()
    finally:
        workbook.close()
    out: dict[tuple[str, str], str] = {}
    columns: dict[str, int] | None = None
    for cells in rows:
        texts = [norm(c) if isinstance(c, str) else "" for c in cells]
        if MENTEE in texts and MENTOR in texts and DECISION in texts:
            columns = {k: texts.index(k) for k in (MENTEE, MENTOR, DECISION)}
            continue
        if columns is None:
            continue
        values = [str(cells[columns[k]]).strip() if columns[k] < len(cells) else "" for k in (MENTEE, MENTOR, DECISION)]
        mentee, mentor, decision = values
        decision = norm(decision)
        if mentee and mentor and decision in ("принять", "отклонить"):
            out[(mentee.casefold(), mentor.casefold())] = decision
    return out
