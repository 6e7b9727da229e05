"""Tests for the LibreOffice Calc harness in calc_engine.py."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import calc_engine
import pytest
import xlsxwriter
from calc_engine import (
    a1,
    col_letters,
    error_cells,
    is_error_value,
    png_size,
    recalc,
    render_png,
    require_libreoffice,
)
from python_calamine import CalamineWorkbook


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of soffice; skips (or fails on CI) when LibreOffice is missing."""
    return require_libreoffice()


def read_cell(book: Path, sheet: str, row: int, col: int) -> object:
    """Value of one cell (0-based) as python-calamine reads it."""
    with CalamineWorkbook.from_path(str(book)) as wb:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return rows[row][col]


def make_stale_book(path: Path) -> Path:
    """Book whose B1 '=A1*2' carries the wrong cached value 999 (correct: 42)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Данные")
    ws.write_number("A1", 21)
    ws.write_formula("B1", "=A1*2", None, 999)
    wb.close()
    return path


def make_error_book(path: Path) -> Path:
    """Book with error formulas and look-alikes that are not errors."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Ошибки")
    ws.write_formula("A1", "=1/0")
    ws.write_formula("A2", "=NOSUCHFUNC()")
    ws.write_formula("A3", "=NA()")
    ws.write_formula("A4", "=#REF!+1")
    ws.write_formula("A5", '="a"+1')
    ws.write_formula("A6", "=10^1000")
    ws.write_formula("A7", "=A8 B9")  # empty intersection
    ws.write_formula("B1", '=MID("abc",0,1)')  # LibreOffice Err:502
    ws.write_formula("B2", "=B2+1")  # circular reference, Err:522
    ws.write_formula("C1", '=""')  # empty string: not an error
    ws.write_string("C2", "#DIV/0!")  # text that looks like an error
    ws.write_formula("C3", '=IFERROR(1/0,"ok")')
    ws.write_number("C4", 5)
    ok = wb.add_worksheet("Чисто")
    ok.write_number("A1", 1)
    ok.write_formula("A2", "=A1+1")
    tail = wb.add_worksheet("Хвост")
    tail.write_formula("AB100", "=1/0")
    wb.close()
    return path


EXPECTED_XLSX_ERRORS = [
    ("Ошибки", "A1", "#DIV/0!"),
    ("Ошибки", "B1", "#VALUE!"),
    ("Ошибки", "A2", "#NAME?"),
    ("Ошибки", "B2", "#VALUE!"),
    ("Ошибки", "A3", "#N/A"),
    ("Ошибки", "A4", "#REF!"),
    ("Ошибки", "A5", "#VALUE!"),
    ("Ошибки", "A6", "#NUM!"),
    ("Ошибки", "A7", "#NULL!"),
    ("Хвост", "AB100", "#DIV/0!"),
]


# ---------------------------------------------------------------- pure helpers


def test_a1_helpers() -> None:
    assert [col_letters(i) for i in (0, 25, 26, 27, 701, 702, 16383)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]
    assert a1(0, 0) == "A1"
    assert a1(99, 27) == "AB100"


def test_is_error_value() -> None:
    assert is_error_value("#DIV/0!") and is_error_value("Err:502") and is_error_value("#N/A")
    assert not is_error_value("") and not is_error_value("#hashtag") and not is_error_value(0)


def test_require_libreoffice_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calc_engine, "soffice_path", lambda: None)
    monkeypatch.setenv("CI", "True")
    with pytest.raises(pytest.fail.Exception):
        require_libreoffice()


def test_require_libreoffice_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calc_engine, "soffice_path", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_libreoffice()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        require_libreoffice()


def test_recalc_refuses_to_overwrite_source(tmp_path: Path) -> None:
    src = make_stale_book(tmp_path / "book.xlsx")
    with pytest.raises(ValueError, match="overwrite"):
        recalc(src, tmp_path)
    with pytest.raises(FileNotFoundError):
        recalc(tmp_path / "missing.xlsx", tmp_path / "out")


# ---------------------------------------------------------------- recalculation


def test_recalc_fixes_wrong_cached_value(soffice: str, tmp_path: Path) -> None:
    src = make_stale_book(tmp_path / "stale.xlsx")
    assert read_cell(src, "Данные", 0, 1) == 999  # the lie xlsxwriter stored
    out = recalc(src, tmp_path / "out")
    assert out == (tmp_path / "out" / "stale.xlsx").resolve()
    assert read_cell(out, "Данные", 0, 1) == 42


def test_without_recalc_setting_cached_value_is_kept(soffice: str, tmp_path: Path) -> None:
    """Proves the profile setting is what forces recalculation."""
    src = make_stale_book(tmp_path / "stale.xlsx")
    out = recalc(src, tmp_path / "out", force_recalc=False)
    assert read_cell(out, "Данные", 0, 1) == 999


def test_recalc_to_ods(soffice: str, tmp_path: Path) -> None:
    src = make_stale_book(tmp_path / "stale.xlsx")
    out = recalc(src, tmp_path / "out", fmt="ods")
    assert out.suffix == ".ods"
    assert read_cell(out, "Данные", 0, 1) == 42


def test_recalc_raises_on_unloadable_file(soffice: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a workbook\x00\x01")
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "bad.xlsx").write_bytes(b"stale output from an earlier run")
    with pytest.raises(RuntimeError, match="produced no output") as exc:
        recalc(bad, outdir)
    assert "could not be loaded" in str(exc.value)  # soffice's stderr is included
    assert not (outdir / "bad.xlsx").exists()


def test_parallel_runs_are_isolated(soffice: str, tmp_path: Path) -> None:
    srcs = [make_stale_book(tmp_path / f"s{i}.xlsx") for i in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        outs = list(pool.map(lambda s: recalc(s, tmp_path / "out"), srcs))
    assert [read_cell(o, "Данные", 0, 1) for o in outs] == [42, 42, 42]


# ---------------------------------------------------------------- error cells


def test_calamine_reads_error_cells_as_empty_string(soffice: str, tmp_path: Path) -> None:
    """Documents python-calamine 0.9 behaviour that error_cells works around.

    If this starts failing, calamine has learned to surface errors (see
    dimastbk/python-calamine#105) and error_cells could use it directly.
    """
    out = recalc(make_error_book(tmp_path / "err.xlsx"), tmp_path / "out")
    with CalamineWorkbook.from_path(str(out)) as wb:
        rows = wb.get_sheet_by_name("Ошибки").to_python(skip_empty_area=False)
    assert [rows[r][0] for r in range(7)] == [""] * 7  # errors
    assert rows[0][2] == ""  # ="" -- indistinguishable from an error
    assert rows[1][2] == "#DIV/0!"  # plain text
    assert rows[2][2] == "ok"


def test_error_cells_xlsx(soffice: str, tmp_path: Path) -> None:
    out = recalc(make_error_book(tmp_path / "err.xlsx"), tmp_path / "out")
    assert error_cells(out) == EXPECTED_XLSX_ERRORS
    assert error_cells(out, ["Чисто"]) == []
    assert error_cells(out, ["Хвост"]) == [("Хвост", "AB100", "#DIV/0!")]
    with pytest.raises(ValueError, match="unknown sheet"):
        error_cells(out, ["Нет такого"])


def test_error_cells_before_recalc_sees_nothing(tmp_path: Path) -> None:
    """xlsxwriter caches 0 for every formula: the raw book shows no errors."""
    assert error_cells(make_error_book(tmp_path / "err.xlsx")) == []


def test_error_cells_ods_keeps_err_codes(soffice: str, tmp_path: Path) -> None:
    out = recalc(make_error_book(tmp_path / "err.xlsx"), tmp_path / "out", fmt="ods")
    found = {(s, a): v for s, a, v in error_cells(out)}
    assert set(found) == {(s, a) for s, a, _ in EXPECTED_XLSX_ERRORS}
    assert found[("Ошибки", "B1")] == "Err:502"
    assert found[("Ошибки", "B2")] == "Err:522"
    assert found[("Ошибки", "A1")] == "#DIV/0!"
    assert found[("Хвост", "AB100")] == "#DIV/0!"
    assert all(is_error_value(v) for v in found.values())


# ---------------------------------------------------------------- rendering


def make_render_book(path: Path) -> Path:
    """Three sheets with Cyrillic text: very wide, hidden, and very tall."""
    wb = xlsxwriter.Workbook(str(path))
    wide = wb.add_worksheet("Журнал")
    wide.set_column(0, 0, 18)
    wide.write("A1", "Журнал успеваемости 5«А» класса — ёЁ")
    for r in range(1, 25):
        wide.write(r, 0, f"Иванов Иван {r}")
        for c in range(1, 45):
            wide.write(r, c, (r * c) % 4 + 2)
    hidden = wb.add_worksheet("Скрытый")
    hidden.write("A1", "Скрытый лист")
    hidden.hide()
    tall = wb.add_worksheet("Итоги")
    tall.set_column(0, 0, 16)  # wide enough that "Ученик 249" is not clipped
    tall.write("A1", "Средний балл")
    for r in range(1, 250):
        tall.write(r, 0, f"Ученик {r}")
        tall.write_formula(r, 1, f"=AVERAGE(Журнал!B{r % 24 + 2}:AS{r % 24 + 2})")
    wb.close()
    return path


def test_render_png_one_page_per_sheet(soffice: str, tmp_path: Path) -> None:
    src = make_render_book(tmp_path / "render.xlsx")
    outdir = tmp_path / "png"
    pngs = render_png(src, outdir)
    assert [p.name for p in pngs] == [
        "render-01-Журнал.png", "render-02-Скрытый.png", "render-03-Итоги.png"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in pngs)
    pdf = outdir / "render.pdf"
    assert calc_engine._pdf_pages(pdf) == 3  # one page per sheet, hidden one included
    wide_w, wide_h = png_size(pngs[0])
    tall_w, tall_h = png_size(pngs[2])
    assert wide_w > 3 * wide_h  # all 45 columns on one page
    assert tall_h > 10 * tall_w  # all 250 rows on one page
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Журнал успеваемости" in text
        assert "Ученик 249" in text


def test_render_png_selected_sheets(soffice: str, tmp_path: Path) -> None:
    src = make_render_book(tmp_path / "render.xlsx")
    pngs = render_png(src, tmp_path / "png", ["Итоги", "Журнал"], dpi=40)
    assert [p.name for p in pngs] == ["render-03-Итоги.png", "render-01-Журнал.png"]
    with pytest.raises(ValueError, match="unknown sheet"):
        render_png(src, tmp_path / "png", ["Нет такого"])
