"""«Проверка»: one row per finding, severity coloured, each with a link that lands on the cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book.model import Book, Table
from nastavnik_xl.book.output.style import OutColumn, OutputFormats, header_row, landscape, write_text
from nastavnik_xl.findings import Finding, Severity
from nastavnik_xl.schema import ORGANISATION

if TYPE_CHECKING:
    from nastavnik_xl.actions.validate import ValidationReport

SHEET_NAME = "Проверка"
HEADER_AT = 3  # 0-based row of the header
COLUMNS = (
    OutColumn("№", 5), OutColumn("Важность", 15), OutColumn("Лист", 18), OutColumn("Строка", 8),
    OutColumn("Столбец", 22), OutColumn("Значение", 22), OutColumn("Что сделать", 70), OutColumn("Код", 22),
)


def _tables(book: Book) -> dict[str, Table]:
    tables = {t.sheet_name: t for t in book.tables.values()}
    if book.organisation:
        tables.setdefault(book.organisation.contingent.sheet_name, book.organisation.contingent)
    return tables


def cell_of(book: Book, finding: Finding) -> str | None:
    """The A1 address (``'Лист'!C7``) a finding points at, or None when it names no sheet."""
    if not finding.sheet or finding.sheet not in book.sheet_names:
        return None
    table = _tables(book).get(finding.sheet)
    col = 0
    if finding.field and table is not None:
        match = next((h for h in table.headers if h.field == finding.field), None)
        if match is not None:
            col = match.column - 1
        elif finding.field in {c.field for c in ORGANISATION.card}:
            col = 1  # a card value stands right of its label
    row = (finding.row or (table.header_row if table else 1)) - 1
    quoted = finding.sheet.replace("'", "''")
    return f"'{quoted}'!{xl_rowcol_to_cell(row, col)}"


def check_sheet(report: ValidationReport, book: Book):  # type: ignore[no-untyped-def]
    """An OutputBuilder that renders ``report`` for the one output-sheet writer."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        fm = OutputFormats(wb)
        title = f"Проверка книги: {report.organisation}" if report.organisation else "Проверка книги"
        ws.write_string(0, 0, title, fm.title)
        summary = (f"На {report.on:%d.%m.%Y}: ошибок — {report.errors}, предупреждений — {report.warnings}. "
                   "Ссылка в столбце «Лист» ведёт к ячейке. Лист пересоздаётся при каждой проверке: "
                   "не вносите сюда данные.")
        ws.write_string(1, 0, summary, fm.note)
        header_row(ws, fm, HEADER_AT, COLUMNS)
        if not report.findings:
            ws.merge_range(HEADER_AT + 1, 0, HEADER_AT + 1, len(COLUMNS) - 1,
                           "Замечаний нет: книга соответствует всем правилам проверки.", fm.ok)
        for n, f in enumerate(report.findings, start=1):
            _finding_row(ws, fm, HEADER_AT + n, n, f, cell_of(book, f))
        last = HEADER_AT + max(len(report.findings), 1)
        ws.freeze_panes(HEADER_AT + 1, 0)
        ws.autofilter(HEADER_AT, 0, last, len(COLUMNS) - 1)
        landscape(ws, HEADER_AT)

    return build


def _finding_row(ws: Worksheet, fm: OutputFormats, row: int, n: int, f: Finding, target: str | None) -> None:
    ws.write_number(row, 0, n, fm.center)
    ws.write_string(row, 1, f.severity.value, fm.error if f.severity is Severity.ERROR else fm.warning)
    if target:
        ws.write_url(row, 2, f"internal:{target}", fm.link, string=f.sheet, tip="Перейти к ячейке")
    else:
        write_text(ws, row, 2, f.sheet or "—", fm.text)
    if f.row is not None:
        ws.write_number(row, 3, f.row, fm.center)
    else:
        ws.write_blank(row, 3, None, fm.center)
    write_text(ws, row, 4, f.column or "", fm.text)
    write_text(ws, row, 5, "" if f.value is None else str(f.value), fm.text)
    write_text(ws, row, 6, f.message, fm.text)
    write_text(ws, row, 7, f.code, fm.text)
