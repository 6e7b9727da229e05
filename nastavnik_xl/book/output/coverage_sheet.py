"""«Охват»: coverage against targets by year for each group, a chart per group, the mentor role
and who could close the gap this year."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book.output.style import OutColumn, OutputFormats, header_row, landscape, write_text
from nastavnik_xl.schema import NO_CONTINGENT

if TYPE_CHECKING:
    from nastavnik_xl.actions.coverage_report import CoverageReport, GroupYear

SHEET_NAME = "Охват"
HEADER_AT = 3
COLUMNS = (
    OutColumn("Категория", 22), OutColumn("Год", 7), OutColumn("Контингент, чел.", 12), OutColumn("Охвачено, чел.", 12),
    OutColumn("Охват, %", 16), OutColumn("Цель, %", 9), OutColumn("Отклонение, п.п.", 12),
    OutColumn("Отклонение, чел.", 12), OutColumn("Нужно ещё, чел.", 12),
)
CHART_COL = len(COLUMNS) + 1


def _number(ws: Worksheet, row: int, col: int, value: float | None, fmt: object) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _row(ws: Worksheet, fm: OutputFormats, row: int, r: GroupYear, this_year: int) -> None:
    write_text(ws, row, 0, r.title, fm.text)
    ws.write_number(row, 1, r.year, fm.center)
    _number(ws, row, 2, r.contingent, fm.number)
    _number(ws, row, 3, r.covered, fm.number)
    if r.share is None and r.covered is not None:  # people counted over a missing or zero contingent
        write_text(ws, row, 4, NO_CONTINGENT, fm.text)
    else:
        _number(ws, row, 4, r.share, fm.percent)
    _number(ws, row, 5, r.target, fm.percent)
    _number(ws, row, 6, r.gap_pp, fm.decimal)
    _number(ws, row, 7, r.gap_people, fm.number)
    short = r.year == this_year and r.needed is not None and r.needed > 0  # only this year's gap can be closed
    _number(ws, row, 8, r.needed, fm.error if short else fm.number)


def _chart(wb: Workbook, title: str, first: int, last: int) -> object:
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Охват, %", "categories": [SHEET_NAME, first, 1, last, 1],
                      "values": [SHEET_NAME, first, 4, last, 4], "fill": {"color": "#2E75B6"},
                      "data_labels": {"value": True, "num_format": "0%"}})
    chart.add_series({"name": "Цель, %", "categories": [SHEET_NAME, first, 1, last, 1],
                      "values": [SHEET_NAME, first, 5, last, 5], "fill": {"color": "#F4B183"}})
    chart.set_title({"name": f"Охват: {title}", "name_font": {"size": 11, "name": "Arial"}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                        "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "Год"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 520, "height": 260})
    return chart


def coverage_sheet(report: CoverageReport):  # type: ignore[no-untyped-def]
    """An OutputBuilder that renders ``report`` for the one output-sheet writer."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        fm = OutputFormats(wb)
        ws.write_string(0, 0, f"Охват наставничеством: {report.organisation}" if report.organisation
                        else "Охват наставничеством", fm.title)
        ws.write_string(1, 0, "Считаются люди, а не пары: наставляемые категории с действующей в году парой, "
                              "делённые на контингент. «Нужно ещё» — сколько наставляемых не хватает до цели. "
                              "Лист пересоздаётся при каждом расчёте.", fm.note)
        header_row(ws, fm, HEADER_AT, COLUMNS)
        row = HEADER_AT + 1
        chart_row = HEADER_AT
        for _, items in groupby(report.rows, key=lambda r: r.group):
            block = list(items)
            first = row
            for r in block:
                _row(ws, fm, row, r, report.year)
                row += 1
            if any(r.share is not None or r.target is not None for r in block):
                ws.insert_chart(chart_row, CHART_COL, _chart(wb, block[0].title, first, row - 1))
                chart_row += 14
        row += 1
        row = _mentor_role(ws, fm, report, row)
        _unpaired(ws, fm, report, row + 1)
        ws.freeze_panes(HEADER_AT + 1, 0)
        landscape(ws, HEADER_AT)

    return build


def _mentor_role(ws: Worksheet, fm: OutputFormats, report: CoverageReport, row: int) -> int:
    ws.write_string(row, 0, "Обучающиеся и студенты в роли наставника", fm.bold)
    row += 1
    for c, name in zip((0, 2, 3, 4), ("Год", "Наставников", "Контингент, чел.", "Доля, %")):
        ws.write_string(row, c, name, fm.header)
    row += 1
    for m in report.mentor_role:
        ws.write_number(row, 0, m.year, fm.center)
        ws.write_number(row, 2, m.mentors, fm.number)
        _number(ws, row, 3, m.contingent, fm.number)
        _number(ws, row, 4, m.share, fm.percent)
        row += 1
    return row


def _unpaired(ws: Worksheet, fm: OutputFormats, report: CoverageReport, row: int) -> None:
    ws.write_string(row, 0, f"Кто может закрыть разрыв в {report.year} году: наставляемые без пары", fm.bold)
    row += 1
    for c, name in zip((0, 2, 3), ("Категория", "Без пары, чел.", "Нужно ещё, чел.")):
        ws.write_string(row, c, name, fm.header)
    row += 1
    for u in report.unpaired:
        gap = report.row(report.year, u.group)
        write_text(ws, row, 0, u.title, fm.text)
        ws.write_number(row, 2, u.mentees, fm.number)
        _number(ws, row, 3, gap.needed if gap else None, fm.number)
        row += 1
    ws.write_string(row + 1, 0, "Подобрать им наставников: кнопка «Подобрать пары» или команда «nastavnik pair».",
                    fm.note)
