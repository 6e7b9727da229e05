"""The look shared by every output sheet: title, note, header row, colours, column widths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

HEADER_COLOR = "#1F4E78"
ERROR_FILL = "#F8CBAD"
WARNING_FILL = "#FFF2CC"
OK_FILL = "#E2EFDA"
FONT = {"font_name": "Arial", "font_size": 10, "valign": "top"}


class OutputFormats:
    """Formats of one output sheet, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        self.title = wb.add_format({**FONT, "bold": True, "font_size": 14, "font_color": HEADER_COLOR})
        self.note = wb.add_format({**FONT, "italic": True, "font_color": "#595959"})
        self.header = wb.add_format({**FONT, "bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_COLOR,
                                     "text_wrap": True, "border": 1, "valign": "vcenter"})
        self.text = wb.add_format({**FONT, "text_wrap": True, "border": 1, "border_color": "#BFBFBF"})
        self.center = wb.add_format({**FONT, "align": "center", "border": 1, "border_color": "#BFBFBF"})
        self.number = wb.add_format({**FONT, "num_format": "0", "border": 1, "border_color": "#BFBFBF"})
        self.decimal = wb.add_format({**FONT, "num_format": "0.0", "border": 1, "border_color": "#BFBFBF"})
        self.percent = wb.add_format({**FONT, "num_format": "0.0%", "border": 1, "border_color": "#BFBFBF"})
        self.date = wb.add_format({**FONT, "num_format": "dd.mm.yyyy", "border": 1, "border_color": "#BFBFBF"})
        self.link = wb.add_format({**FONT, "font_color": "#0563C1", "underline": 1, "border": 1,
                                   "border_color": "#BFBFBF"})
        self.error = wb.add_format({**FONT, "bold": True, "bg_color": ERROR_FILL, "border": 1, "border_color": "#BFBFBF"})
        self.warning = wb.add_format({**FONT, "bg_color": WARNING_FILL, "border": 1, "border_color": "#BFBFBF"})
        self.ok = wb.add_format({**FONT, "bg_color": OK_FILL, "border": 1, "border_color": "#BFBFBF"})
        self.bold = wb.add_format({**FONT, "bold": True})


@dataclass(frozen=True)
class OutColumn:
    header: str
    width: float


def write_text(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """Text is written as text, always: «=…», «+…», «-…», «@…» never become formulas."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write(row, col, value, fmt)


def header_row(ws: Worksheet, fm: OutputFormats, row: int, columns: Sequence[OutColumn]) -> None:
    for c, col in enumerate(columns):
        ws.write_string(row, c, col.header, fm.header)
        ws.set_column(c, c, col.width)
    ws.set_row(row, 30)


def landscape(ws: Worksheet, header_at: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_at)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
