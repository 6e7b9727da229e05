"""Accepted pairs enter «Пары»: the Table's spare rows fill, the Table grows when they run out,
and nothing else of the curator's package changes."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from books import PAIR_ROWS, minimal_sheets, write_book
from calc_engine import error_cells, recalc
from writer_books import (
    NS_MAIN,
    NS_REL,
    entries,
    excel_like_book,
    openpyxl_book,
    read_rows,
    rels,
    sheet_part,
    write_entries,
)

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.table_rows import AppendResult, append_rows, shift_formula
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import PAIRS

SHEET = "Пары"
TRICKY = ["=СУММ(A1:A2)", "+7 900 000-00-00", "-5", "@упоминание", "=1+1"]
Q = f"{{{NS_MAIN}}}"


def pair(i: int, start: dt.date = dt.date(2025, 9, 1), end: dt.date | None = None) -> dict[str, object]:
    """An accepted proposal as the pairing action hands it over: header → value."""
    return {
        "ID пары": f"П-{900 + i}",
        "Форма наставничества": "ученик – ученик",
        "Вариант": "успевающий – неуспевающий",
        "ID наставника": f"НК-{1 + i % 2}",
        "ID наставляемого": f"НЯ-{i}",
        "Способ подбора": "решение куратора",
        "Оценка совпадения": 0.85,
        "Приказ о закреплении": "№ 15-о от 01.09.2025",
        "Дата начала": start,
        "Плановое окончание": dt.date(2026, 5, 25),
        "Фактическое окончание": end,
        "План утверждён": i % 2 == 0,
        "Статус": "действует",
        "Результат": TRICKY[i % len(TRICKY)],
    }


def expected(i: int, start: dt.date = dt.date(2025, 9, 1), end: dt.date | None = None) -> dict[str, Any]:
    """What the reader must see for ``pair(i)``: typed values by field."""
    return {
        "pair_id": f"П-{900 + i}", "form": "ученик – ученик", "variant": "успевающий – неуспевающий",
        "mentor_id": f"НК-{1 + i % 2}", "mentee_id": f"НЯ-{i}", "match_method": "решение куратора",
        "match_score": 0.85, "order_ref": "№ 15-о от 01.09.2025", "start_date": start,
        "planned_end": dt.date(2026, 5, 25), "actual_end": end, "plan_approved": i % 2 == 0, "plan_pct": None,
        "status": "действует", "outcome": TRICKY[i % len(TRICKY)],
    }


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("originals")
    region = generate_region(folder / "demo", schools=1, mistake_rate=0, workers=1, today=dt.date(2026, 3, 1))
    return {
        "template": new_book(folder / "шаблон.xlsx", org_name="МБОУ СОШ № 7"),
        "demo": region.books[0],
    }


def changed_entries(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    assert list(after) == list(before), "no entry may be added, dropped or reordered"
    return {name for name in before if before[name] != after[name]}


def table_part(files: dict[str, bytes], sheet: str) -> str:
    return next(r["part"] for r in rels(files, sheet_part(files, sheet)) if r["Type"].endswith("/table"))


def cells(files: dict[str, bytes], sheet: str = SHEET) -> dict[str, ET.Element]:
    root = ET.fromstring(files[sheet_part(files, sheet)])
    return {c.get("r", ""): c for c in root.iter(f"{Q}c")}


def assert_reader_sees_old_rows_and_new(book_before: dict[str, list[dict[str, Any]]], book: Path,
                                       result: AppendResult, new: list[dict[str, Any]]) -> None:
    after = read_rows(read_book(book))
    assert {k: v for k, v in after.items() if k != "pairs"} == {k: v for k, v in book_before.items() if k != "pairs"}
    old = book_before["pairs"]
    assert after["pairs"][:len(old)] == old
    added = after["pairs"][len(old):]
    assert [r["_row"] for r in added] == result.excel_rows
    computed = {c.field for c in PAIRS.columns if c.computed}
    assert [{k: v for k, v in r.items() if k != "_row" and k not in computed} for r in added] == new


# --- the template and a demo school's book --------------------------------------------------------


def test_three_pairs_fill_the_templates_spare_rows(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "шаблон.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    result = append_rows(book, SHEET, [pair(i) for i in range(3)])
    assert result == AppendResult(book, [2, 3, 4], extended=False)
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(3)])
    after = entries(book)
    # the spare rows have no date style: one date format (and one percent format) was appended
    assert changed_entries(before, after) == {sheet_part(before, SHEET), "xl/styles.xml"}
    styles = ET.fromstring(after["xl/styles.xml"])
    xfs = styles.find(f"{Q}cellXfs").findall(f"{Q}xf")
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.find(f"{Q}numFmts")}
    grid = cells(after)
    assert codes[xfs[int(grid["I2"].get("s"))].get("numFmtId")] == "dd.mm.yyyy"
    assert codes[xfs[int(grid["G2"].get("s"))].get("numFmtId")] == "0.0%"
    assert grid["I3"].get("s") == grid["I2"].get("s") and grid["J2"].get("s") == grid["I2"].get("s")
    # the computed columns kept their formulas and lost the result saved for an empty row
    assert grid["P2"].find(f"{Q}f").text == grid["P150"].find(f"{Q}f").text
    assert grid["P2"].find(f"{Q}v") is None and grid["P150"].find(f"{Q}v") is not None


def test_three_pairs_go_under_a_demo_books_pairs(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["demo"], tmp_path / "школа.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    last = rows_before["pairs"][-1]["_row"]
    result = append_rows(book, SHEET, [pair(i) for i in range(3)])
    assert result == AppendResult(book, [last + 1, last + 2, last + 3], extended=False)
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(3)])
    after = entries(book)
    assert changed_entries(before, after) == {sheet_part(before, SHEET)}  # the data rows' styles are reused
    grid = cells(after)
    for col in "AGIJLO":  # each column's style in the rows above (the last pair has no «Результат»)
        above = next(grid[f"{col}{r}"].get("s") for r in range(last, 1, -1) if f"{col}{r}" in grid)
        assert above and grid[f"{col}{last + 1}"].get("s") == above, col


def test_text_that_looks_like_a_formula_stays_text(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    shared = entries(book)["xl/sharedStrings.xml"]
    rows = [{"ID пары": text, "Результат": text} for text in TRICKY]
    result = append_rows(book, SHEET, rows)
    files = entries(book)
    assert files["xl/sharedStrings.xml"] == shared
    grid = cells(files)
    for row, text in zip(result.excel_rows, TRICKY, strict=True):
        for col in "AO":
            cell = grid[f"{col}{row}"]
            assert cell.get("t") == "inlineStr" and cell.find(f"{Q}f") is None
            assert "".join(cell.itertext()) == text
    assert [r["outcome"] for r in read_book(book).tables["pairs"].rows] == TRICKY


def test_text_with_line_breaks_and_control_characters_round_trips(originals: dict[str, Path],
                                                                    tmp_path: Path) -> None:
    import python_calamine

    book = copy(originals["template"], tmp_path / "t.xlsx")
    texts = ["строка 1\r\nстрока 2", "код _x0041_ буквально", "таб\tи\x07звонок", 'a & <b> "c"', "  пробелы  "]
    result = append_rows(book, SHEET, [{"ID пары": f"П-{i}", "Результат": t} for i, t in enumerate(texts)])
    rows = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(SHEET).to_python()
    assert [rows[r - 1][14] for r in result.excel_rows] == texts


# --- when the spare rows run out --------------------------------------------------------------------


def test_the_table_grows_when_the_spare_rows_run_out(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    result = append_rows(book, SHEET, [pair(i) for i in range(250)])
    assert result == AppendResult(book, list(range(2, 252)), extended=True)
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(250)])
    after = entries(book)
    table = table_part(after, SHEET)
    assert changed_entries(before, after) == {sheet_part(before, SHEET), table, "xl/styles.xml"}
    root = ET.fromstring(after[table])
    assert root.get("ref") == "A1:Q251" and root.find(f"{Q}autoFilter").get("ref") == "A1:Q251"
    assert [c.find(f"{Q}calculatedColumnFormula") is not None for c in root.iter(f"{Q}tableColumn")].count(True) == 2
    sheet = ET.fromstring(after[sheet_part(after, SHEET)])
    assert sheet.find(f"{Q}dimension").get("ref") == "A1:Q251"
    grid = cells(after)
    for col in "PQ":
        assert grid[f"{col}251"].find(f"{Q}f").text == grid[f"{col}201"].find(f"{Q}f").text
        assert grid[f"{col}251"].get("s") == grid[f"{col}201"].get("s")
    assert grid["I251"].get("s") == grid["I2"].get("s")
    sqrefs = [v.get("sqref") for v in sheet.iter(f"{Q}dataValidation")]
    assert sqrefs and all(s.endswith("251") for s in sqrefs), sqrefs
    rows = [int(r.get("r")) for r in sheet.iter(f"{Q}row")]
    assert rows == sorted(set(rows)) and rows[-1] == 251


X14_VALIDATION = (  # a list validation fed from another sheet, as Excel 2010+ writes it
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1">'
    "<x14:formula1><xm:f>'Справочники'!$A$2:$A$6</xm:f></x14:formula1><xm:sqref>B2:B3</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def shared_formula_book(path: Path) -> Path:
    """A full Table (no spare rows) made by openpyxl: a computed column with A1 references, written as one
    shared formula (as Excel saves a filled-down column), a date validation and a conditional format."""
    import openpyxl
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["ID пары", "ID наставника", "ID наставляемого", "Дата начала", "Год начала", "Примечание"])
    ws.append(["П-1", "НК-1", "НЯ-1", dt.datetime(2024, 9, 1), "=YEAR(D2)+$H$1*0"])
    ws.append(["П-2", "НК-2", "НЯ-2", dt.datetime(2025, 1, 15), "=YEAR(D3)+$H$1*0"])
    ws["H1"] = 0
    for row in (2, 3):
        ws[f"D{row}"].number_format = "DD.MM.YYYY"
    ws["A7"] = "под таблицей, но не в её столбцах"
    ws["H7"] = "справа"
    ws.add_table(Table(displayName="PairsX", ref="A1:F3"))
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526")
    dv.add("D2:D3")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("E2:E3", CellIsRule(operator="lessThan", formula=["2025"], font=Font(color="C00000")))
    wb.save(path)
    files = entries(path)
    part = sheet_part(files, SHEET)
    xml = files[part].decode("utf-8")
    xml = xml.replace("<f>YEAR(D2)+$H$1*0</f>", '<f t="shared" ref="E2:E3" si="0">YEAR(D2)+$H$1*0</f>')
    xml = xml.replace("<f>YEAR(D3)+$H$1*0</f>", '<f t="shared" si="0"/>')
    assert xml.count('si="0"') == 2
    xml = xml.replace("</worksheet>", X14_VALIDATION + "</worksheet>")
    files[part] = xml.encode("utf-8")
    write_entries(path, files)
    return path


def test_a_full_table_grows_with_its_shared_formulas_validations_and_formats(tmp_path: Path) -> None:
    book = shared_formula_book(tmp_path / "полная.xlsx")
    before = entries(book)
    rows = [{"ID пары": f"П-{i}", "ID наставника": "НК-1", "ID наставляемого": f"НЯ-{i}",
             "Дата начала": dt.date(2026, 2, i)} for i in (3, 4, 5)]
    result = append_rows(book, SHEET, rows)
    assert result == AppendResult(book, [4, 5, 6], extended=True)
    after = entries(book)
    table = table_part(after, SHEET)
    assert changed_entries(before, after) == {sheet_part(after, SHEET), table}
    assert ET.fromstring(after[table]).get("ref") == "A1:F6"
    grid = cells(after)
    assert [grid[f"E{r}"].find(f"{Q}f").text for r in (4, 5, 6)] == [f"YEAR(D{r})+$H$1*0" for r in (4, 5, 6)]
    assert [grid[f"D{r}"].get("s") for r in (4, 5, 6)] == [grid["D3"].get("s")] * 3
    assert "".join(grid["A7"].itertext()) == "под таблицей, но не в её столбцах"
    sheet = ET.fromstring(after[sheet_part(after, SHEET)])
    assert [v.get("sqref") for v in sheet.iter(f"{Q}dataValidation")] == ["D2:D6"]
    assert [c.get("sqref") for c in sheet.iter(f"{Q}conditionalFormatting")] == ["E2:E6"]
    assert [x.text for x in sheet.iter("{http://schemas.microsoft.com/office/excel/2006/main}sqref")] == ["B2:B6"]
    assert sheet.find(f"{Q}dimension").get("ref") == "A1:H7"
    assert [r.get("r") for r in sheet.iter(f"{Q}row")] == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_table_that_cannot_grow_is_left_alone(tmp_path: Path) -> None:
    book = shared_formula_book(tmp_path / "полная.xlsx")
    data = book.read_bytes()
    rows = [{"ID пары": f"П-{i}", "ID наставника": "НК-1", "ID наставляемого": f"НЯ-{i}"} for i in range(3, 8)]
    with pytest.raises(BookError) as info:
        append_rows(book, SHEET, rows)
    assert info.value.code == "table-blocked" and "A7" in info.value.message and "PairsX" in info.value.message
    assert book.read_bytes() == data


# --- books from other programs ------------------------------------------------------------------------


def test_an_openpyxl_book_without_a_table(tmp_path: Path) -> None:
    book = openpyxl_book(tmp_path / "openpyxl.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    rows = [{"ID пары": f"П-{i}", "Форма наставничества": "учитель – учитель", "ID наставника": "НК-2",
             "ID наставляемого": "НЯ-2", "Дата начала": dt.date(2025, 9, i)} for i in (3, 4, 5)]
    result = append_rows(book, SHEET, rows)
    assert result == AppendResult(book, [4, 5, 6], extended=False)
    after = entries(book)
    assert changed_entries(before, after) == {sheet_part(before, SHEET)}
    pairs = read_book(book).tables["pairs"].rows
    assert pairs[:2] == rows_before["pairs"]
    assert [(r["_row"], r["pair_id"], r["start_date"], r["form"]) for r in pairs[2:]] == [
        (i + 1, f"П-{i}", dt.date(2025, 9, i), "учитель – учитель") for i in (3, 4, 5)]
    grid = cells(after)
    assert grid["E4"].get("s") == grid["E3"].get("s") is not None  # the last data row's date style


def test_headers_under_a_title_are_matched_tolerantly(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets[SHEET] = [["Пары наставничества, 2025/26 учебный год"], [], *[list(r) for r in PAIR_ROWS]]
    book = write_book(tmp_path / "с заголовком.xlsx", sheets)
    row = {"id ПАРЫ": "П-3", "  форма   наставничества ": "ученик – ученик", "ID наставника": "НК-1",
           "ID наставляемого": "НЯ-2", "Дата формирования": dt.date(2025, 10, 1),  # an alias of «Дата начала»
           "Фактическое окончание": None}
    result = append_rows(book, SHEET, [row])
    assert result.excel_rows == [6]
    last = read_book(book).tables["pairs"].rows[-1]
    assert (last["_row"], last["pair_id"], last["form"], last["start_date"], last["actual_end"]) == (
        6, "П-3", "ученик – ученик", dt.date(2025, 10, 1), None)


def prefixed_sheets(src: Path, dst: Path) -> Path:
    """``src`` with every worksheet, table and the styles written with an ``x:`` prefix, empty elements
    self-closed and no ``spans`` — as other XML libraries write them."""
    ET.register_namespace("x", NS_MAIN)
    ET.register_namespace("r", NS_REL)
    files = entries(src)
    for name in files:
        if re.fullmatch(r"xl/(worksheets/sheet\d+|tables/table\d+|styles)\.xml", name):
            root = ET.fromstring(files[name])
            for row in root.iter(f"{Q}row"):
                row.attrib.pop("spans", None)
            files[name] = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root)
    write_entries(dst, files)
    return dst


def test_a_book_with_prefixed_xml(originals: dict[str, Path], tmp_path: Path) -> None:
    book = prefixed_sheets(originals["template"], tmp_path / "x.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    assert b"<x:row" in before[sheet_part(before, SHEET)]
    result = append_rows(book, SHEET, [pair(i) for i in range(203)])
    assert result.extended and result.excel_rows[-1] == 204
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(203)])
    after = entries(book)
    sheet = after[sheet_part(after, SHEET)].decode("utf-8")
    assert "<c " not in sheet and "<row " not in sheet and "<x:c r=\"P204\"" in sheet
    assert "<xf " not in after["xl/styles.xml"].decode("utf-8")


def test_an_excel_like_styles_part_is_edited_by_insertion_only(originals: dict[str, Path], tmp_path: Path) -> None:
    book = excel_like_book(originals["template"], tmp_path / "excel.xlsx")
    before, rows_before = entries(book), read_rows(read_book(book))
    result = append_rows(book, SHEET, [pair(i) for i in range(3)])
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(3)])
    after = entries(book)
    assert changed_entries(before, after) == {sheet_part(before, SHEET), "xl/styles.xml"}
    old, new = (re.sub(r' count="\d+"', "", files["xl/styles.xml"].decode("utf-8")) for files in (before, after))
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert [op for op, *_ in ops if op not in ("equal", "insert")] == []
    assert 'mc:Ignorable="x14ac x16r2"' in new


# --- books that cannot take the rows -------------------------------------------------------------------


def expect_error(book: Path, code: str, text: str, rows: list[dict[str, object]] | None = None) -> BookError:
    data = book.read_bytes() if book.exists() else None
    with pytest.raises(BookError) as info:
        append_rows(book, SHEET, rows if rows is not None else [pair(0)])
    assert info.value.code == code and text in info.value.message, info.value.message
    if data is not None:
        assert book.read_bytes() == data
    return info.value


@pytest.mark.parametrize("lock", ["~$t.xlsx", ".~lock.t.xlsx#"])
def test_a_book_open_in_excel_or_libreoffice_is_left_alone(originals: dict[str, Path], tmp_path: Path,
                                                          lock: str) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    (tmp_path / lock).write_bytes(b"\0" * 165)
    assert "закройте её и повторите" in expect_error(book, "book-locked", "открыта в").message


def test_a_read_only_book_is_left_alone(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    os.chmod(book, 0o444)
    expect_error(book, "not-writable", "только для чтения")


def test_permission_bits_are_kept_and_no_temporary_file_is_left(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    os.chmod(book, 0o640)
    append_rows(book, SHEET, [pair(0)])
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def fake_ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return path


def fake_xls(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    return path


@pytest.mark.parametrize(("make", "name"), [(fake_ods, "школа.ods"), (fake_xls, "школа.xls")])
def test_xls_and_ods_must_be_saved_as_xlsx_first(tmp_path: Path, make: Any, name: str) -> None:
    book = make(tmp_path / name)
    error = expect_error(book, "not-editable", "сохраните как «Книга Excel (.xlsx)»")
    assert ".xlsx или .xlsm" in error.message
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no side file


def test_unknown_and_computed_columns_are_refused(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    error = expect_error(book, "missing-column", "нет столбца «Куратор пары»", [{**pair(0), "Куратор пары": "Иванова"}])
    assert "«ID пары»" in error.message
    expect_error(book, "computed-column", "заполняется формулой", [{**pair(0), "Служебный код лет 2020–2025": 5}])
    with pytest.raises(BookError, match="нет листа «Пары2»") as info:
        append_rows(book, "Пары2", [pair(0)])
    assert info.value.code == "missing-sheet"


def test_nothing_to_write_leaves_the_file_alone(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    data = book.read_bytes()
    assert append_rows(book, SHEET, []) == AppendResult(book, [], extended=False)
    assert append_rows(book, SHEET, [{"ID пары": None, "Результат": ""}]) == AppendResult(book, [], extended=False)
    assert book.read_bytes() == data


# --- moving A1 references ------------------------------------------------------------------------------


@pytest.mark.parametrize(("formula", "rows", "cols", "moved"), [
    ("YEAR(D2)+$H$1*0", 2, 0, "YEAR(D4)+$H$1*0"),
    ("SUM(A1:B2)+A$1+$A1", 3, 1, "SUM(B4:C5)+B$1+$A4"),
    ("'Лист 1'!A1+Лист2!B2+\"A1\"", 1, 0, "'Лист 1'!A2+Лист2!B3+\"A1\""),
    ("Pairs[[#This Row],[Дата начала]]+LOG10(A1)+T1[A1]", 5, 0, "Pairs[[#This Row],[Дата начала]]+LOG10(A6)+T1[A1]"),
    ("SUM(2:3)+SUM($2:$3)+1E5", 1, 0, "SUM(3:4)+SUM($2:$3)+1E5"),
    ("A1", -1, 0, "#REF!"),
    ("_xlfn.XLOOKUP(A2,lst_forms,B2:B9)", 1, 0, "_xlfn.XLOOKUP(A3,lst_forms,B3:B10)"),
    ("итогоA1+A1&\"\"\"A1\"+Table1[[#Headers],['[A1']]]", 1, 0, "итогоA1+A2&\"\"\"A1\"+Table1[[#Headers],['[A1']]]"),
])
def test_shift_formula(formula: str, rows: int, cols: int, moved: str) -> None:
    assert shift_formula(formula, rows, cols) == moved


# --- LibreOffice -------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_grown_tables_recalculate_in_libreoffice(soffice: str, originals: dict[str, Path], tmp_path: Path) -> None:
    """250 mentees and 250 pairs: both Tables outgrow their 200 spare rows; LibreOffice computes every helper
    column, and «Годы с парой (расчёт)» on «Наставляемые» sees the pairs in the grown rows."""
    book = copy(originals["template"], tmp_path / "t.xlsx")
    mentees = [{"ID наставляемого": f"НЯ-{i}", "ФИО": f"Наставляемый {i}", "Тип участника": "обучающийся",
                "Дата включения в базу": dt.date(2021, 9, 1)} for i in range(250)]
    assert append_rows(book, "Наставляемые", mentees).extended
    years = {i: (2021 + i % 5, 2022 + i % 5) for i in range(250)}
    pairs = [pair(i, dt.date(years[i][0], 9, 1), dt.date(years[i][1], 5, 25)) for i in range(250)]
    assert append_rows(book, SHEET, pairs) == AppendResult(book, list(range(2, 252)), extended=True)
    saved = recalc(book, tmp_path / "lo")
    assert error_cells(saved) == []
    recalculated = read_book(saved)
    seen = {r["mentee_id"]: r["pair_years"] for r in recalculated.tables["mentees"].rows}
    assert seen == {f"НЯ-{i}": f"{a} {b}" for i, (a, b) in years.items()}
    assert [r["outcome"] for r in recalculated.tables["pairs"].rows] == [TRICKY[i % len(TRICKY)] for i in range(250)]
    codes = [r["years_code_2020"] for r in recalculated.tables["pairs"].rows]
    assert all(isinstance(c, (int, float)) and c > 0 for c in codes)


@pytest.mark.libreoffice
def test_a_libreoffice_resaved_template(soffice: str, originals: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice drops the calculated-column definitions, writes shared strings and its own attributes:
    the spare rows are still found, and a grown table still gets the helper formulas."""
    resaved = recalc(originals["template"], tmp_path / "lo")
    book = copy(resaved, tmp_path / "пересохранена.xlsx")
    files = entries(book)
    assert b"calculatedColumnFormula" not in files[table_part(files, SHEET)]
    before, rows_before = files, read_rows(read_book(book))
    result = append_rows(book, SHEET, [pair(i) for i in range(3)])
    assert result == AppendResult(book, [2, 3, 4], extended=False)
    assert_reader_sees_old_rows_and_new(rows_before, book, result, [expected(i) for i in range(3)])
    assert changed_entries(before, entries(book)) <= {sheet_part(before, SHEET), "xl/styles.xml"}
    result = append_rows(book, SHEET, [pair(i) for i in range(3, 203)])
    assert result.extended and result.excel_rows == list(range(5, 205))
    grid = cells(entries(book))
    assert grid["P204"].find(f"{Q}f").text == grid["P201"].find(f"{Q}f").text
    saved = recalc(book, tmp_path / "lo2")
    assert error_cells(saved) == []
    codes = [r["years_code_2020"] for r in read_book(saved).tables["pairs"].rows]
    assert codes == [256 ** 5] * 203  # open since 2025-09-01: of the years 2020–2025, 2025 only
