"""A book as xlwings' VBA client sends it to Python (the remote engine's and xlwings Server's payload)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

XLWINGS_VERSION = "0.37.8"  # the pinned xlwings (pyproject); the engine refuses another version


def excel_value(value: Any) -> Any:
    """A cell as xlwings' VBA client serialises it (WebHelpers' JSON: dates as ISO 8601 with «Z»)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return value.strftime("1899-12-30T%H:%M:%S.000Z")
    return None if value == "" else value


def payload(book: Path, name: str | None = None) -> dict[str, Any]:
    sheets = []
    with CalamineWorkbook.from_path(str(book)) as wb:
        for sheet_name in wb.sheet_names:
            rows = wb.get_sheet_by_name(sheet_name).to_python()
            width = max((len(r) for r in rows), default=0)
            values = [[excel_value(v) for v in r] + [None] * (width - len(r)) for r in rows]
            sheets.append({"name": sheet_name, "pictures": [], "tables": [], "values": values or [[]]})
    return {"client": "VBA", "version": XLWINGS_VERSION,
            "book": {"name": name or book.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}
