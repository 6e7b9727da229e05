"""The curator's .xlsm: built by one command from the template and macros/, buttons on «Панель»."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from nastavnik_xl.actions.template import SHIPPED_MACRO_BOOK, build_shipped_macro_book, new_book
from nastavnik_xl.book.builder import INSTRUCTIONS, SERVER_INSTRUCTIONS
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.cli import main
from nastavnik_xl.excel.buttons import BUTTONS
from nastavnik_xl.resources import data_dir


def test_committed_xlsm_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    """workbook/Наставничество.xlsm is what `python -m nastavnik_xl.actions.template` builds from macros/."""
    shipped = data_dir("workbook") / SHIPPED_MACRO_BOOK
    assert shipped.read_bytes() == build_shipped_macro_book(tmp_path).read_bytes()


def test_new_xlsm_has_the_vba_project_the_buttons_and_reads_as_the_plain_book(tmp_path: Path) -> None:
    xlsm = new_book(tmp_path / "школа.xlsm", org_name="Школа", year=2026)
    xlsx = new_book(tmp_path / "школа.xlsx", org_name="Школа", year=2026)
    with zipfile.ZipFile(xlsm) as z:
        names = z.namelist()
        assert "xl/vbaProject.bin" in names
        vml = "".join(z.read(n).decode() for n in names if n.startswith("xl/drawings/vmlDrawing"))
    assert sorted(re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)) == sorted(b.macro for b in BUTTONS)
    plain, macro = read_book(xlsx), read_book(xlsm)
    assert {k: t.rows for k, t in plain.tables.items()} == {k: t.rows for k, t in macro.tables.items()}
    assert macro.extra_sheets == []  # «xlwings.conf» is a sheet the reader knows


def test_olevba_shows_every_button_sub(tmp_path: Path) -> None:
    xlsm = new_book(tmp_path / "школа.xlsm")
    out = subprocess.run([sys.executable, "-m", "oletools.olevba", "--decode", str(xlsm)], capture_output=True,
                         text=True, check=False).stdout
    for b in BUTTONS:
        assert re.search(rf"Sub {b.macro}\(\)", out), b.macro


def test_panel_instructions_name_only_commands_that_exist() -> None:
    """The desktop book's «Панель» names CLI commands; a server book's (no Python at the school) names none."""
    def named(instructions: tuple[str, ...]) -> set[str]:
        return set(re.findall(r"\b(new|info|demo|validate|coverage|pair|registry|monitor|summary|serve)\b",
                              " ".join(instructions)))

    assert named(INSTRUCTIONS) and named(INSTRUCTIONS) <= set(main.commands)
    assert named(SERVER_INSTRUCTIONS) == set()
    assert SERVER_INSTRUCTIONS[:-1] == INSTRUCTIONS[:-1]


def test_cli_new_makes_an_xlsm(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "nastavnik_xl", "new", str(tmp_path / "книга.xlsm")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "книга.xlsm") as z:
        assert "xl/vbaProject.bin" in z.namelist()
