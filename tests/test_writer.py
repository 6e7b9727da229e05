"""The one output-sheet writer: the curator's package stays byte-identical except for what it must change."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import python_calamine
import xlsxwriter
from books import minimal_sheets
from calc_engine import error_cells, png_size, recalc, render_png
from msoffcrypto.format.ooxml import OOXMLFile
from writer_books import (
    NS_MAIN,
    NS_REL,
    add_calc_chain,
    bare_styles_book,
    book_with_output_sheet,
    changes,
    content_types,
    defined_names,
    entries,
    excel_like_book,
    openpyxl_book,
    own_parts,
    prefixed_book,
    read_rows,
    rels,
    rels_name,
    rich_book,
    sheet_part,
    sheets,
)
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.writer import OutputBuilder, WriteResult, write_output_sheet
from nastavnik_xl.findings import BookError

SHEET = "Проверка"
TRICKY = ["=СУММ(A1:A2)", "+7 900 000-00-00", "-5", "@упоминание", "=1+1"]
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_XLINK = "http://www.w3.org/1999/xlink"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"


def check_sheet(links: list[tuple[str, str]], title: str = "Результаты проверки") -> OutputBuilder:
    """A «Проверка»-like sheet: links (text, target cell) to the curator's cells, text that looks like
    formulas, a percent column with a conditional format, a filter, frozen headers and a chart."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        pct = wb.add_format({"num_format": "0.0%"})
        ws.write("A1", title, wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E78"}))
        ws.write_row(2, 0, ["Ячейка", "Значение", "Доля", "Примечание"], head)
        for i, (text, target) in enumerate(links):
            row = 3 + i
            ws.write_url(row, 0, f"internal:{target}", string=text)
            ws.write(row, 1, TRICKY[i % len(TRICKY)])
            ws.write_number(row, 2, (i + 1) / 10, pct)
            ws.write_formula(row, 3, f'=IF(C{row + 1}>0.25,"много","мало")', None, "мало")
        last = 3 + len(links) - 1
        red = wb.add_format({"font_color": "#C00000", "num_format": "0.000"})
        ws.conditional_format(3, 2, last, 2, {"type": "cell", "criteria": ">", "value": 0.25, "format": red})
        ws.autofilter(2, 0, last, 3)
        ws.freeze_panes(3, 0)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 22)
        ws.repeat_rows(2)
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"name": "Доля", "categories": [ws.name, 3, 0, last, 0], "values": [ws.name, 3, 2, last, 2]})
        chart.set_title({"name": "Доли"})
        ws.insert_chart("F3", chart)

    return build


MENTOR_LINKS = [("НК-1", "'Наставники'!A2"), ("НК-2", "'Наставники'!A3"), ("Сидорова Анна Ивановна", "'Наставники'!B3")]


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("originals")
    template = new_book(folder / "шаблон.xlsx", org_name="МБОУ СОШ № 7")
    op = openpyxl_book(folder / "openpyxl.xlsx")
    return {
        "template": template,
        "rich": rich_book(folder / "куратор.xlsm"),
        "openpyxl": op,
        "prefixed": prefixed_book(template, folder / "prefixed.xlsx"),
        "bare-styles": bare_styles_book(op, folder / "bare.xlsx"),
        "with-output": book_with_output_sheet(folder / "с проверкой.xlsx"),
        "excel-like": excel_like_book(template, folder / "excel.xlsx"),
    }


def write_twice(book: Path, build: OutputBuilder, sheet: str = SHEET) -> tuple[WriteResult, WriteResult, bytes]:
    first = write_output_sheet(book, sheet, build)
    once = book.read_bytes()
    second = write_output_sheet(book, sheet, build)
    return first, second, once


# --- the package stays the curator's -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["template", "rich", "openpyxl", "prefixed", "bare-styles", "excel-like"])
def test_only_the_output_sheet_and_its_links_change(originals: dict[str, Path], tmp_path: Path, kind: str) -> None:
    book = copy(originals[kind], tmp_path / originals[kind].name)
    before = entries(book)
    first, second, once = write_twice(book, check_sheet(MENTOR_LINKS))
    after = entries(book)
    assert changes(before, after, SHEET) == []
    assert book.read_bytes() == once, "writing the same sheet again must give the same bytes"
    assert first == WriteResult(book, SHEET, side_file=False, replaced=False)
    assert second == WriteResult(book, SHEET, side_file=False, replaced=True)
    names = [name for name, _ in sheets(after)]
    assert names == [name for name, _ in sheets(before)] + [SHEET]
    assert python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names == names


def test_vba_buttons_comments_lite_and_custom_xml_survive(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["rich"], tmp_path / "куратор.xlsm")
    before = entries(book)
    write_twice(book, check_sheet(MENTOR_LINKS))
    after = entries(book)
    kept = ["xl/vbaProject.bin", "xl/ctrlProps/ctrlProp1.xml", "xl/webextensions/webextension1.xml",
            "xl/webextensions/taskpanes.xml", "xl/webextensions/_rels/taskpanes.xml.rels", "customXml/item1.xml",
            "customXml/itemProps1.xml", "xl/tables/table1.xml", "xl/sharedStrings.xml", "docProps/app.xml"]
    kept += [n for n in before if re.match(r"xl/(comments\d+\.xml|drawings/vmlDrawing\d+\.vml)$", n)]
    for name in kept:
        assert after[name] == before[name], name
    types_before, types_after = content_types(before), content_types(after)
    assert {k: v for k, v in types_after.items() if k in types_before} == types_before
    assert types_after["xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert [r for r in rels(after, "") if "webextension" in r["Type"]] == [
        r for r in rels(before, "") if "webextension" in r["Type"]]
    names_before = defined_names(before)
    assert names_before and set(names_before) <= set(defined_names(after))
    assert ("_xlnm._FilterDatabase", "4", "Пары!$A$1:$F$3") in defined_names(after)


@pytest.mark.parametrize("kind", ["excel-like", "openpyxl", "prefixed"])
def test_xml_parts_are_edited_by_insertion_only(originals: dict[str, Path], tmp_path: Path, kind: str) -> None:
    """No part is re-serialised: the old text is all there, in order; only ``count`` values change."""
    book = copy(originals[kind], tmp_path / originals[kind].name)
    before = entries(book)
    write_twice(book, check_sheet(MENTOR_LINKS))
    after = entries(book)
    uncounted = {"xl/styles.xml": lambda xml: re.sub(r' count="\d+"', "", xml)}
    for name in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
        normal = uncounted.get(name, lambda xml: xml)
        old, new = normal(before[name].decode("utf-8")), normal(after[name].decode("utf-8"))
        ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        assert [(op, old[i1:i2]) for op, i1, i2, _, _ in ops if op not in ("equal", "insert")] == [], name
    if kind == "excel-like":
        workbook = after["xl/workbook.xml"].decode("utf-8")
        assert 'mc:Ignorable="x15 xr xr6 xr10 xr2"' in workbook and "<xr:revisionPtr" in workbook


def test_reader_reads_the_same_book_before_and_after(originals: dict[str, Path], tmp_path: Path) -> None:
    for kind in ("template", "rich", "openpyxl", "with-output"):
        book = copy(originals[kind], tmp_path / originals[kind].name)
        before = read_rows(read_book(book))
        write_twice(book, check_sheet(MENTOR_LINKS))
        assert read_rows(read_book(book)) == before, kind


def test_text_that_looks_like_a_formula_stays_text(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    shared_before = entries(book)["xl/sharedStrings.xml"]
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    files = entries(book)
    assert files["xl/sharedStrings.xml"] == shared_before
    root = ET.fromstring(files[sheet_part(files, SHEET)])
    cells = {c.get("r"): c for c in root.iter(f"{{{NS_MAIN}}}c")}
    for row, text in zip(range(4, 7), TRICKY, strict=False):
        cell = cells[f"B{row}"]
        assert cell.get("t") == "inlineStr" and cell.find(f"{{{NS_MAIN}}}f") is None
        assert "".join(cell.itertext()) == text
    assert not any(c.get("t") == "s" for c in cells.values())
    assert cells["D4"].find(f"{{{NS_MAIN}}}f").text == 'IF(C4>0.25,"много","мало")'


def test_styles_are_appended_once_and_remapped(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    files = entries(book)
    styles = ET.fromstring(files["xl/styles.xml"])
    q = lambda tag: f"{{{NS_MAIN}}}{tag}"
    xfs = styles.find(q("cellXfs")).findall(q("xf"))
    fonts = styles.find(q("fonts")).findall(q("font"))
    fills = styles.find(q("fills")).findall(q("fill"))
    formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.find(q("numFmts"))}
    for section in ("numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs"):
        el = styles.find(q(section))
        assert int(el.get("count")) == len(el), section
    root = ET.fromstring(files[sheet_part(files, SHEET)])
    cells = {c.get("r"): c for c in root.iter(q("c"))}
    head = xfs[int(cells["A3"].get("s"))]
    assert fonts[int(head.get("fontId"))].find(q("b")) is not None
    assert fills[int(head.get("fillId"))].find(f"{q('patternFill')}/{q('fgColor')}").get("rgb") == "FFDDEBF7"
    assert formats[int(xfs[int(cells["C4"].get("s"))].get("numFmtId"))] == "0.0%"
    dxfs = styles.find(q("dxfs")).findall(q("dxf"))
    rule = root.find(f"{q('conditionalFormatting')}/{q('cfRule')}")
    dxf = dxfs[int(rule.get("dxfId"))]
    assert dxf.find(f"{q('font')}/{q('color')}").get("rgb") == "FFC00000"
    assert dxf.find(q("numFmt")).get("formatCode") == "0.000"
    # a new format code got an id above the book's own; the template's 0.0% was reused
    assert int(dxf.find(q("numFmt")).get("numFmtId")) > 166
    assert list(formats).count(164) == 1 and formats[164] == "0.0%"


def test_links_land_on_the_curators_cells(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["rich"], tmp_path / "куратор.xlsm")
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    files = entries(book)
    root = ET.fromstring(files[sheet_part(files, SHEET)])
    links = [(h.get("ref"), h.get("location")) for h in root.iter(f"{{{NS_MAIN}}}hyperlink")]
    assert links == [(f"A{4 + i}", target) for i, (_, target) in enumerate(MENTOR_LINKS)]
    wb = python_calamine.CalamineWorkbook.from_path(str(book))
    for (text, target), (ref, _) in zip(MENTOR_LINKS, links, strict=True):
        assert cell_value(wb, target) == text
        assert cell_value(wb, f"'{SHEET}'!{ref}") == text


def cell_value(wb: Any, location: str) -> Any:
    sheet, _, ref = location.rpartition("!")
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    assert m, location
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    rows = wb.get_sheet_by_name(sheet.strip("'").replace("''", "'")).to_python(skip_empty_area=False)
    return rows[int(m.group(2)) - 1][col - 1]


def test_chart_is_a_valid_part_of_the_output_sheet(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["rich"], tmp_path / "куратор.xlsm")
    write_twice(book, check_sheet(MENTOR_LINKS))
    files = entries(book)
    part = sheet_part(files, SHEET)
    types = content_types(files)
    drawing = next(r["part"] for r in rels(files, part) if r["Type"].endswith("/drawing"))
    chart = next(r["part"] for r in rels(files, drawing) if r["Type"].endswith("/chart"))
    assert types[drawing] == CT_DRAWING and types[chart] == CT_CHART
    assert types[part] == "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    space = ET.fromstring(files[chart])
    refs = [f.text for f in space.iter(f"{{{NS_CHART}}}f")]
    assert [r.replace("'", "") for r in refs] == [f"{SHEET}!$A$4:$A$6", f"{SHEET}!$C$4:$C$6"]
    assert rels_name(part) in files and ET.fromstring(files[drawing]) is not None
    assert sum(1 for n in files if re.fullmatch(r"xl/charts/chart\d+\.xml", n)) == 1


def test_replacing_keeps_the_position_and_drops_only_the_old_sheets_parts(
        originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["with-output"], tmp_path / "с проверкой.xlsx")
    before = entries(book)
    old_own = own_parts(before, SHEET)
    assert any("comments" in p for p in old_own) and any("chart" in p for p in old_own)
    first, _, once = write_twice(book, check_sheet(MENTOR_LINKS))
    after = entries(book)
    assert first.replaced and book.read_bytes() == once
    assert changes(before, after, SHEET) == []
    assert [n for n, _ in sheets(after)] == [n for n, _ in sheets(before)]
    assert sheet_part(after, SHEET) == sheet_part(before, SHEET)
    # the old comment and its VML are gone; the other sheet's comment stays
    texts = [after[p].decode("utf-8") for p in after if re.search(r"comments\d*\.xml$", p)]
    assert any("комментарий куратора" in t for t in texts) and not any("старый комментарий" in t for t in texts)
    assert not (set(after) - set(before) - own_parts(after, SHEET))
    orphans = set(after) - reachable_everything(after)
    assert not orphans, orphans
    names = defined_names(after)
    assert ("_xlnm._FilterDatabase", "1", f"{SHEET}!$A$3:$D$6") in names
    assert ("_xlnm.Print_Titles", "1", f"{SHEET}!$3:$3") in names
    assert ("_xlnm._FilterDatabase", "2", "Наставники!$A$1:$D$3") in names
    assert len(names) == len(set(names)) == 3
    root = ET.fromstring(after["xl/workbook.xml"])
    ids = {s.get("name"): s.get("sheetId") for s in root.iter(f"{{{NS_MAIN}}}sheet")}
    assert ids[SHEET] == "2"


def reachable_everything(files: dict[str, bytes]) -> set[str]:
    from writer_books import reachable

    parts = reachable(files, "") | {"[Content_Types].xml"}
    return parts | {rels_name(p) for p in parts if rels_name(p) in files} | {"_rels/.rels"}


def test_a_new_sheet_is_not_selected_and_the_active_tab_stays(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["rich"], tmp_path / "куратор.xlsm")
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    files = entries(book)
    view = ET.fromstring(files[sheet_part(files, SHEET)]).find(f"{{{NS_MAIN}}}sheetViews/{{{NS_MAIN}}}sheetView")
    assert view.get("tabSelected") is None
    active = ET.fromstring(files["xl/workbook.xml"]).find(f"{{{NS_MAIN}}}bookViews/{{{NS_MAIN}}}workbookView")
    assert active.get("activeTab") == "2"


def test_prefixed_workbook_gets_prefixed_elements(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["prefixed"], tmp_path / "prefixed.xlsx")
    write_twice(book, check_sheet(MENTOR_LINKS))
    files = entries(book)
    workbook = files["xl/workbook.xml"].decode("utf-8")
    assert f'<x:sheet name="{SHEET}" sheetId="12" r:id="rId1"/>' in workbook
    assert '<x:definedName name="_xlnm._FilterDatabase" localSheetId="11" hidden="1">' in workbook
    styles = files["xl/styles.xml"].decode("utf-8")
    assert "<font>" not in styles and "<x:font><x:b/>" in styles
    assert sheet_part(files, SHEET) == "xl/worksheets/sheet1.xml"
    assert read_rows(read_book(book)) == read_rows(read_book(originals["prefixed"]))


def test_bare_styles_get_the_sections_they_lack(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["bare-styles"], tmp_path / "bare.xlsx")
    write_twice(book, check_sheet(MENTOR_LINKS))
    styles = entries(book)["xl/styles.xml"].decode("utf-8")
    order = [m.group(1) for m in re.finditer(r"<(numFmts|fonts|fills|borders|cellXfs|dxfs|tableStyles)\b", styles)]
    assert order == ["numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs", "tableStyles"]
    assert "xfId" not in styles  # no cellStyleXfs to point at
    assert read_rows(read_book(book)) == read_rows(read_book(originals["bare-styles"]))


def test_calc_chain_of_the_replaced_sheet_is_dropped(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["with-output"], tmp_path / "с проверкой.xlsx")
    add_calc_chain(book, {2: ["B5"]})
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    files = entries(book)
    assert "xl/calcChain.xml" not in files
    assert "calcChain" not in files["xl/_rels/workbook.xml.rels"].decode()
    assert "calcChain" not in files["[Content_Types].xml"].decode()

    other = copy(originals["with-output"], tmp_path / "другая.xlsx")
    add_calc_chain(other, {3: ["A1"]})
    chain = entries(other)["xl/calcChain.xml"]
    write_output_sheet(other, SHEET, check_sheet(MENTOR_LINKS))
    assert entries(other)["xl/calcChain.xml"] == chain


def test_a_table_on_the_output_sheet_gets_a_unique_id(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")

    def build(wb: Workbook, ws: Worksheet) -> None:
        ws.add_table("A1:B3", {"name": "tbl_check", "columns": [{"header": "Код"}, {"header": "Сообщение"}],
                               "data": [["a", "=текст"], ["b", "ещё"]]})

    _, _, once = write_twice(book, build)
    assert book.read_bytes() == once
    files = entries(book)
    ids = [ET.fromstring(files[n]).get("id") for n in files if n.startswith("xl/tables/")]
    assert len(ids) == len(set(ids)) == 10
    with pytest.raises(ValueError, match="Mentors"):
        write_output_sheet(book, "Другой", lambda wb, ws: ws.add_table("A1:B2", {"name": "Mentors"}))
    assert book.read_bytes() == once


def test_the_build_may_not_add_sheets(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    data = book.read_bytes()
    with pytest.raises(ValueError, match="only the output sheet"):
        write_output_sheet(book, SHEET, lambda wb, ws: wb.add_worksheet("Лишний") and None)
    assert book.read_bytes() == data


def test_case_of_an_existing_sheet_name_is_kept(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["with-output"], tmp_path / "с проверкой.xlsx")
    result = write_output_sheet(book, "ПРОВЕРКА", check_sheet(MENTOR_LINKS))
    assert result.sheet == SHEET and result.replaced
    assert [n for n, _ in sheets(entries(book))].count(SHEET) == 1


def test_an_existing_chartsheet_of_that_name_becomes_a_worksheet(tmp_path: Path) -> None:
    book = tmp_path / "диаграмма.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    for name, rows in minimal_sheets().items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, [v for v in row if not hasattr(v, "year")])
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"values": "='Организация'!$B$9:$B$10"})
    wb.add_chartsheet(SHEET).set_chart(chart)
    wb.close()
    before = entries(book)
    rows_before = read_rows(read_book(book))
    assert sheet_part(before, SHEET).startswith("xl/chartsheets/")
    first, _, once = write_twice(book, check_sheet(MENTOR_LINKS))
    after = entries(book)
    assert first.replaced and book.read_bytes() == once
    assert changes(before, after, SHEET) == []
    assert sheet_part(after, SHEET).startswith("xl/worksheets/")
    assert not any(n.startswith("xl/chartsheets/") for n in after)
    assert not set(after) - reachable_everything(after)
    assert [n for n, _ in sheets(after)] == [n for n, _ in sheets(before)]
    assert read_rows(read_book(book)) == rows_before


def test_dynamic_array_formulas_become_array_formulas(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    write_output_sheet(book, SHEET, lambda wb, ws: ws.write_dynamic_array_formula("A1:A3", "=SEQUENCE(3)"))
    files = entries(book)
    xml = files[sheet_part(files, SHEET)].decode("utf-8")
    assert ' cm="' not in xml and '<f t="array" ref="A1:A3">' in xml
    assert not any("metadata" in n for n in files)


def test_permission_bits_are_kept(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    os.chmod(book, 0o640)
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    assert stat.S_IMODE(book.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no temporary file left


# --- books that cannot be written ----------------------------------------------------------------


def expect_error(book: Path, code: str, text: str, build: OutputBuilder | None = None) -> BookError:
    data = book.read_bytes() if book.exists() else None
    with pytest.raises(BookError) as info:
        write_output_sheet(book, SHEET, build or check_sheet(MENTOR_LINKS))
    assert info.value.code == code and text in info.value.message, info.value.message
    if data is not None:
        assert book.read_bytes() == data
    return info.value


@pytest.mark.parametrize("lock", ["~$t.xlsx", ".~lock.t.xlsx#"])
def test_a_book_open_in_excel_or_libreoffice_is_left_alone(originals: dict[str, Path], tmp_path: Path,
                                                          lock: str) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    (tmp_path / lock).write_bytes(b"\0" * 165)
    error = expect_error(book, "book-locked", "открыта в")
    assert "закройте её и повторите" in error.message and lock in error.message


def test_a_read_only_book_is_left_alone(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    os.chmod(book, 0o444)
    expect_error(book, "not-writable", "только для чтения")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into any folder")
def test_a_book_in_a_read_only_folder_is_left_alone(originals: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "архив"
    folder.mkdir()
    book = copy(originals["template"], folder / "t.xlsx")
    os.chmod(folder, 0o555)
    try:
        expect_error(book, "not-writable", "Нет прав на запись в папку")
    finally:
        os.chmod(folder, 0o755)


def test_missing_damaged_and_encrypted_books(originals: dict[str, Path], tmp_path: Path) -> None:
    expect_error(tmp_path / "нет.xlsx", "file-not-found", "не найден")
    text = tmp_path / "письмо.xlsx"
    text.write_text("не книга", encoding="utf-8")
    expect_error(text, "not-a-workbook", "не является книгой")
    cut = tmp_path / "обрезан.xlsx"
    cut.write_bytes(originals["template"].read_bytes()[:5000])
    expect_error(cut, "damaged", "повреждён")
    locked = tmp_path / "с паролем.xlsx"
    with originals["openpyxl"].open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("секрет", dst)
    expect_error(locked, "encrypted", "паролем")


def test_build_errors_leave_the_book_alone(originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    data = book.read_bytes()

    def broken(wb: Workbook, ws: Worksheet) -> None:
        raise RuntimeError("ошибка в действии")

    with pytest.raises(RuntimeError):
        write_output_sheet(book, SHEET, broken)
    assert book.read_bytes() == data and sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_xlsb_gets_a_side_file(tmp_path: Path) -> None:
    book = tmp_path / "двоичная.xlsb"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\0\1")
    data = book.read_bytes()
    result = write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    assert result == WriteResult(tmp_path / f"двоичная — {SHEET}.xlsx", SHEET, side_file=True, replaced=False)
    assert book.read_bytes() == data


# --- LibreOffice opens what we write ---------------------------------------------------------------


def libreoffice_copy(book: Path, outdir: Path, fmt: str = "xlsx") -> Path:
    return recalc(book, outdir, fmt)


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["template", "rich", "prefixed", "with-output", "bare-styles", "excel-like"])
def test_libreoffice_opens_the_result(soffice: str, originals: dict[str, Path], tmp_path: Path, kind: str) -> None:
    book = copy(originals[kind], tmp_path / originals[kind].name)
    write_twice(book, check_sheet(MENTOR_LINKS))
    saved = libreoffice_copy(book, tmp_path / "lo")
    assert error_cells(saved) == []
    files = entries(saved)
    part = sheet_part(files, SHEET)
    root = ET.fromstring(files[part])
    assert [h.get("location") for h in root.iter(f"{{{NS_MAIN}}}hyperlink")] == [t for _, t in MENTOR_LINKS]
    assert any(r["Type"].endswith("/drawing") for r in rels(files, part))
    assert any(re.fullmatch(r"xl/charts/chart\d+\.xml", n) for n in files)
    wb = python_calamine.CalamineWorkbook.from_path(str(saved))
    rows = wb.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    assert [r[1] for r in rows[3:6]] == TRICKY[:3]
    assert [r[3] for r in rows[3:6]] == ["мало", "мало", "много"]  # the formulas were computed
    assert [r[0] for r in rows[3:6]] == [t for t, _ in MENTOR_LINKS]


@pytest.mark.libreoffice
def test_text_stays_text_after_an_ods_round_trip(soffice: str, originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["template"], tmp_path / "t.xlsx")
    links = [(f"Ссылка {i}", f"'Наставники'!A{i + 2}") for i in range(len(TRICKY))]
    write_output_sheet(book, SHEET, check_sheet(links))
    ods = libreoffice_copy(book, tmp_path / "lo", "ods")
    assert error_cells(ods) == []
    rows = python_calamine.CalamineWorkbook.from_path(str(ods)).get_sheet_by_name(SHEET).to_python()
    assert [r[1] for r in rows[3:8]] == TRICKY
    content = ET.fromstring(zipfile.ZipFile(ods).read("content.xml"))
    href = f"{{{NS_XLINK}}}href"
    hrefs = [el.get(href) for el in content.iter() if el.get(href, "").startswith("#")]
    assert hrefs == [f"#'Наставники'.A{i + 2}" for i in range(len(TRICKY))]


@pytest.mark.libreoffice
def test_a_libreoffice_resaved_book(soffice: str, originals: dict[str, Path], tmp_path: Path) -> None:
    resaved = libreoffice_copy(originals["rich"], tmp_path / "lo", "xlsx")
    book = copy(resaved, tmp_path / "пересохранена.xlsx")
    before = entries(book)
    first, _, once = write_twice(book, check_sheet(MENTOR_LINKS))
    assert not first.replaced and book.read_bytes() == once
    assert changes(before, entries(book), SHEET) == []
    assert read_rows(read_book(book)) == read_rows(read_book(resaved))
    assert error_cells(libreoffice_copy(book, tmp_path / "lo2")) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_books_get_a_side_file(soffice: str, originals: dict[str, Path], tmp_path: Path,
                                          fmt: str) -> None:
    source = copy(originals["openpyxl"], tmp_path / "src" / "школа № 7.xlsx")
    book = libreoffice_copy(source, tmp_path, fmt)
    data = book.read_bytes()
    first = write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    side = tmp_path / f"школа № 7 — {SHEET}.xlsx"
    assert first == WriteResult(side, SHEET, side_file=True, replaced=False)
    once = side.read_bytes()
    assert write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS)).replaced
    assert side.read_bytes() == once and book.read_bytes() == data
    files = entries(side)
    assert [n for n, _ in sheets(files)] == [SHEET]
    part = sheet_part(files, SHEET)
    links = {r["Id"]: r for r in rels(files, part) if r["Type"].endswith("/hyperlink")}
    root = ET.fromstring(files[part])
    for h in root.iter(f"{{{NS_MAIN}}}hyperlink"):
        rel = links[h.get(f"{{{NS_REL}}}id")]
        assert unquote(rel["Target"]) == book.name and rel["TargetMode"] == "External" and h.get("location")
    assert error_cells(libreoffice_copy(side, tmp_path / "lo")) == []


@pytest.mark.libreoffice
def test_render_the_output_sheet(soffice: str, originals: dict[str, Path], tmp_path: Path) -> None:
    book = copy(originals["rich"], tmp_path / "куратор.xlsm")
    write_output_sheet(book, SHEET, check_sheet(MENTOR_LINKS))
    (png,) = render_png(book, tmp_path / "png", [SHEET], dpi=90)
    width, height = png_size(png)
    assert width > 600 and height > 200
    if os.environ.get("NASTAVNIK_KEEP_PNG"):
        shutil.copyfile(png, os.environ["NASTAVNIK_KEEP_PNG"])

