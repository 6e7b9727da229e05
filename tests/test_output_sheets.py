"""The actions' output sheets in a curator's book: «Проверка» and «Охват» written with --write."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import python_calamine
from books import write_book
from calc_engine import error_cells, recalc
from validate_books import BREAKS, clean_sheets
from writer_books import entries, rels, sheet_part

from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.reader import read_book


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    sheets = clean_sheets()
    BREAKS["duplicate-id"][0](sheets)  # Наставники, row 5, column A
    BREAKS["end-before-start"][0](sheets)  # Пары, row 2, «Фактическое окончание»
    return write_book(tmp_path / "книга.xlsx", sheets)


def links(path: Path, sheet: str) -> dict[str, str]:
    """Cell → hyperlink location of one sheet."""
    files = entries(path)
    xml = files[sheet_part(files, sheet)].decode()
    return dict(re.findall(r'<hyperlink ref="([A-Z]+\d+)"[^>]*location="([^"]+)"', xml))


def test_validate_write_lists_findings_with_links_to_their_cells(book: Path) -> None:
    result = run("validate", book, "--date", "15.04.2025", "--write")
    assert result.returncode == 1 and "«Проверка» записан" in result.stderr
    rows = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Проверка").to_python()
    header = rows[3]
    assert header[:4] == ["№", "Важность", "Лист", "Строка"]
    found = {(r[7], r[2], int(r[3])) for r in rows[4:] if r[7]}
    assert found == {("duplicate-id", "Наставники", 5), ("end-before-start", "Пары", 2)}
    targets = set(links(book, "Проверка").values())
    # «Фактическое окончание» is the 8th column of «Пары» in the hand-built book
    assert targets == {"'Наставники'!A5", "'Пары'!H2"}
    again = run("validate", book, "--date", "15.04.2025", "--write")
    assert again.returncode == 1
    names = python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names
    assert names.count("Проверка") == 1 and not any(n.startswith("Проверка (") for n in names)


def test_validate_write_keeps_what_the_reader_sees(book: Path) -> None:
    before = {k: t.rows for k, t in read_book(book).tables.items()}
    run("validate", book, "--date", "15.04.2025", "--write")
    after = {k: t.rows for k, t in read_book(book).tables.items()}
    assert before == after


def test_coverage_write_adds_the_sheet_with_charts(tmp_path: Path) -> None:
    path = new_book(tmp_path / "школа.xlsx", org_name="Школа", year=2024)
    result = run("coverage", path, "--write")
    assert result.returncode in (0, 1), result.stderr
    files = entries(path)
    part = sheet_part(files, "Охват")
    drawings = [r["part"] for r in rels(files, part) if r.get("part", "").startswith("xl/drawings/")]
    assert drawings and any(r.get("part", "").startswith("xl/charts/") for r in rels(files, drawings[0]))


def test_a_book_that_is_open_in_excel_is_not_written(book: Path) -> None:
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(b"lock")
    data = book.read_bytes()
    result = run("validate", book, "--date", "15.04.2025", "--write")
    assert result.returncode == 2 and "открыта" in result.stderr and book.read_bytes() == data


@pytest.mark.libreoffice
def test_output_sheets_open_in_libreoffice_without_errors(soffice: str, book: Path, tmp_path: Path) -> None:
    run("validate", book, "--date", "15.04.2025", "--write")
    run("coverage", book, "--write")
    out = recalc(book, tmp_path / "calc")
    assert error_cells(out, ["Проверка", "Охват"]) == []
