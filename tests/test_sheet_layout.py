"""Sheets as a newcomer reads them: headers break between words, long values wrap instead of being cut,
numbers keep clear of their neighbours, «Панель» shows its words whole, and printing stops at the data.

Widths are in Excel column units (the width of «0» in the default font, 7 px); ``builder.text_width``
estimates Arial 10 from its advance widths.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from calc_engine import _run_soffice

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.builder import (
    CELL_PADDING,
    PANEL_FIGURE_WIDTH,
    TABLE_SHEETS,
    contingent_header_row,
    fits,
    text_width,
    wrapped_lines,
)
from nastavnik_xl.schema import DATA_SHEETS, MENTEES, PAIRS, PANEL_NAME, ColType, Sheet

TODAY = dt.date(2026, 11, 23)
XLSXWRITER_PADDING = 5 / 7  # XlsxWriter stores a width of w as w + 5 px of cell padding


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_book(tmp_path_factory.mktemp("t") / "шаблон.xlsx", today=TODAY)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_region(tmp_path_factory.mktemp("demo"), schools=1, seed=2, today=TODAY, workers=1).books[0]


def column_widths(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[int, float]:
    """Column index (0-based) → width as the book stores it, without XlsxWriter's padding."""
    widths = {}
    for dim in ws.column_dimensions.values():
        if dim.width:
            for c in range(dim.min - 1, dim.max):
                widths[c] = round(dim.width - XLSXWRITER_PADDING, 2)
    return widths


def header_row(spec: Sheet) -> int:
    """1-based row of a sheet's table header in our books («Организация»: below the card)."""
    return contingent_header_row() if spec.key == "organisation" else 1


# --- headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("word, old_width", [
    ("наставляемого", 10), ("совпадения", 10), ("утверждён", 9), ("Наставляемых", 13), ("Длительность,", 10),
])
def test_the_estimate_sees_the_breaks_reported_in_issue_18(word: str, old_width: int) -> None:
    """«ID наставляе|мого», «Оценка совпадени|я», «План утверждё|н», «Наставляемы|х не более», «Длительно|сть»."""
    assert not fits(word, old_width, bold=True)


def test_the_estimate_is_not_absurd() -> None:
    assert text_width("0000000000") == pytest.approx(10.6)  # Arial digits are 1.06 units
    assert fits("Статус", 8, bold=True) and fits("ФИО", 6, bold=True)
    assert text_width("ш") > text_width("н") > text_width(".")


@pytest.mark.parametrize("spec", DATA_SHEETS, ids=lambda s: s.key)
def test_no_header_breaks_mid_word_in_the_schema(spec: Sheet) -> None:
    """Each word of a visible header fits its column; a new column with a narrow width fails here."""
    too_narrow = [(c.header, w, c.width, round(text_width(w, bold=True) + CELL_PADDING, 1))
                  for c in spec.columns if not c.hidden for w in c.header.split()
                  if not fits(w, c.width, bold=True)]
    assert not too_narrow, f"(header, word, width, needs): {too_narrow}"


@pytest.mark.parametrize("which", ["template", "demo_book"])
def test_no_header_breaks_mid_word_in_the_books(which: str, request: pytest.FixtureRequest) -> None:
    """The same, read back from the books: the widths and headers they really carry."""
    wb = openpyxl.load_workbook(request.getfixturevalue(which))
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        widths = column_widths(ws)
        row = header_row(spec)
        for c, col in enumerate(spec.columns):
            assert ws.cell(row, c + 1).value == col.header, (spec.name, c)
            if col.hidden:
                continue
            for word in col.header.split():
                assert fits(word, widths[c], bold=True), (spec.name, col.header, word, widths[c])


def test_header_rows_are_tall_enough(template: Path) -> None:
    """Four lines of header need ~56 pt; a header row never cuts its wrapped headers."""
    wb = openpyxl.load_workbook(template)
    for spec in TABLE_SHEETS:
        height = wb[spec.name].row_dimensions[1].height
        lines = max(wrapped_lines(c.header, c.width, bold=True) for c in spec.columns if not c.hidden)
        assert height >= lines * 12.5, (spec.name, height, lines)


# --- data cells -------------------------------------------------------------------------------------


def test_data_cells_wrap_and_numbers_are_centred(demo_book: Path) -> None:
    """No long value is cut or runs into the next cell; a number never touches its neighbour's text."""
    wb = openpyxl.load_workbook(demo_book)
    for spec in TABLE_SHEETS:
        ws = wb[spec.name]
        for c, col in enumerate(spec.columns, start=1):
            if col.computed:  # the book's own formulas: grey, and wrapped when visible
                continue
            cell = next((ws.cell(r, c) for r in range(2, ws.max_row + 1) if ws.cell(r, c).value is not None), None)
            if cell is None:
                continue
            assert cell.alignment.wrap_text, (spec.name, col.header)
            numeric = col.type in (ColType.INT, ColType.NUMBER, ColType.PERCENT, ColType.YESNO)
            assert (cell.alignment.horizontal == "center") == numeric, (spec.name, col.header)


def test_roadmap_stages_read_whole(demo_book: Path) -> None:
    """«Этап» used to be cut so that stages 2 and 3 read the same («2. Формирование базы нас…»)."""
    ws = openpyxl.load_workbook(demo_book)["Дорожная карта"]
    assert ws["B2"].alignment.wrap_text


# --- «Панель» ----------------------------------------------------------------------------------------


def test_panel_shows_no_contingent_whole(template: Path) -> None:
    """In an empty book the coverage cells say «нет контингента» in bold 14 pt; it must not be clipped."""
    ws = openpyxl.load_workbook(template, data_only=True)[PANEL_NAME]
    cells = [row[2] for row in ws.iter_rows() if len(row) > 2 and row[2].value == "нет контингента"]
    assert len(cells) == 3 and all(c.font.b and c.font.sz == 14 for c in cells)
    width = column_widths(ws)[2]
    assert width == PANEL_FIGURE_WIDTH
    assert text_width("нет контингента", bold=True) * 14 / 10 + CELL_PADDING <= width


# --- printing --------------------------------------------------------------------------------------


def print_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> tuple[int, int] | None:
    """First and last row of a sheet's print area, or None if it has none."""
    if not ws.print_area:
        return None
    m = re.search(r"\$(\d+):\$[A-Z]+\$(\d+)", ws.print_area)
    assert m, ws.print_area
    return int(m.group(1)), int(m.group(2))


def test_empty_tables_with_formulas_print_their_header_only(template: Path) -> None:
    """Item 6: the spare rows of «Наставляемые» and «Пары» carry formulas; printing must not show them."""
    wb = openpyxl.load_workbook(template)
    for spec in (MENTEES, PAIRS):
        assert print_rows(wb[spec.name]) == (1, 1), spec.name


def test_the_print_area_follows_the_data(demo_book: Path) -> None:
    wb = openpyxl.load_workbook(demo_book)
    for spec in (MENTEES, PAIRS):
        ws = wb[spec.name]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
        data_rows = len(ids) - next(i for i, v in enumerate(reversed(ids)) if v is not None)
        assert print_rows(ws) == (1, 1 + data_rows), spec.name
        last_col = max(i for i, c in enumerate(spec.columns) if not c.hidden)
        assert ws.print_area.split(":")[-1].startswith("$" + openpyxl.utils.get_column_letter(last_col + 1))


def test_sheets_without_formulas_in_spare_rows_keep_printing_what_is_typed(template: Path) -> None:
    """Where spare rows are empty, printing already stops at the data and follows new rows: no fixed area."""
    wb = openpyxl.load_workbook(template)
    for spec in TABLE_SHEETS:
        if not any(c.computed for c in spec.columns):
            assert print_rows(wb[spec.name]) is None, spec.name


def pdf_page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(info.split("Pages:")[1].split()[0])
    return [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for p in range(1, pages + 1)]


@pytest.mark.libreoffice
def test_libreoffice_prints_the_empty_mentees_on_one_page(template: Path, tmp_path: Path, soffice: str) -> None:
    """Calc honours the print area: the empty «Наставляемые» is one page, not 200 blank rows over three."""
    pages = pdf_page_texts(_run_soffice(template, tmp_path, "pdf", "pdf"))
    assert sum("Годы с парой" in text for text in pages) == 1
