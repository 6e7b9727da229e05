"""Curator-like books for the output-sheet writer's tests, and ways to look inside packages.

Everything here reads packages with ElementTree (independently of the writer's text editing)
and builds books with XlsxWriter, openpyxl or plain zip edits, the way other programs would.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import xlsxwriter
from books import MENTEE_ROWS, MENTOR_ROWS, ORG_ROWS, PAIR_ROWS, minimal_sheets, write_book

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOCUMENT = f"{NS_REL}/officeDocument"
CT_CALC_CHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"

# the parts any write may change, besides the output sheet's own parts
ALLOWED = frozenset({"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"})


# --- looking inside a package --------------------------------------------------------------------


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def rels(files: dict[str, bytes], source: str) -> list[dict[str, str]]:
    """Relationships of ``source`` with ``part`` resolved (absent for external targets)."""
    data = files.get(rels_name(source))
    if data is None:
        return []
    out = []
    for el in ET.fromstring(data):
        rel = dict(el.attrib)
        if rel.get("TargetMode") != "External":
            target = unquote(rel["Target"])
            rel["part"] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(source), target))
        out.append(rel)
    return out


def workbook_part(files: dict[str, bytes]) -> str:
    return next(r["part"] for r in rels(files, "") if r["Type"] == REL_OFFICE_DOCUMENT)


def sheets(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """(name, part) of every sheet, in workbook order."""
    wb = workbook_part(files)
    by_id = {r["Id"]: r.get("part", "") for r in rels(files, wb)}
    root = ET.fromstring(files[wb])
    return [(s.get("name", ""), by_id[s.get(f"{{{NS_REL}}}id", "")]) for s in root.iter(f"{{{NS_MAIN}}}sheet")]


def sheet_part(files: dict[str, bytes], name: str) -> str:
    return dict(sheets(files))[name]


def reachable(files: dict[str, bytes], start: str, blocked: str = "") -> set[str]:
    seen: set[str] = set()
    queue = [start]
    while queue:
        for rel in rels(files, queue.pop()):
            part = rel.get("part")
            if part and part in files and part != blocked and part not in seen:
                seen.add(part)
                queue.append(part)
    return seen


def own_parts(files: dict[str, bytes], sheet: str) -> set[str]:
    """The sheet's part, the parts only it uses, and their relationship parts."""
    part = sheet_part(files, sheet)
    own = ({part} | reachable(files, part)) - reachable(files, "", blocked=part)
    return own | {rels_name(p) for p in own if rels_name(p) in files}


def changes(before: dict[str, bytes], after: dict[str, bytes], sheet: str) -> list[str]:
    """Entries changed, lost or added beyond what writing ``sheet`` may touch (empty list: fine)."""
    allowed = ALLOWED | own_parts(after, sheet)
    if sheet in dict(sheets(before)):
        allowed |= own_parts(before, sheet)
    problems = [f"lost {n}" for n in before if n not in after and n not in allowed]
    problems += [f"changed {n}" for n in before if n in after and before[n] != after[n] and n not in allowed]
    problems += [f"added {n}" for n in after if n not in before and n not in allowed]
    return problems


def content_types(files: dict[str, bytes]) -> dict[str, str]:
    """Part (or ``*.ext``) → content type."""
    out = {}
    for el in ET.fromstring(files["[Content_Types].xml"]):
        if el.tag.endswith("Override"):
            out[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
        else:
            out["*." + el.get("Extension", "").lower()] = el.get("ContentType", "")
    return out


def defined_names(files: dict[str, bytes]) -> list[tuple[str, str | None, str]]:
    root = ET.fromstring(files[workbook_part(files)])
    return [(n.get("name", ""), n.get("localSheetId"), n.text or "") for n in root.iter(f"{{{NS_MAIN}}}definedName")]


def read_rows(book: Any) -> dict[str, list[dict[str, Any]]]:
    """What the reader sees, as plain rows per table (organisation card and contingent included)."""
    rows = {key: table.rows for key, table in book.tables.items()}
    if book.organisation is not None:
        rows["_card"] = [book.organisation.card]
        rows["_contingent"] = book.organisation.contingent.rows
    return rows


# --- editing packages as other programs do -----------------------------------------------------------


def _insert_before_close(xml: bytes, close: bytes, items: str) -> bytes:
    at = xml.rindex(close)
    return xml[:at] + items.encode("utf-8") + xml[at:]


def add_parts(path: Path, parts: dict[str, bytes], overrides: dict[str, str],
              relations: dict[str, list[tuple[str, str, str]]]) -> None:
    """Add parts, content-type overrides and relationships (source part → (id, type, target)) to a package."""
    files = entries(path)
    files.update(parts)
    files["[Content_Types].xml"] = _insert_before_close(
        files["[Content_Types].xml"], b"</Types>",
        "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items()))
    for source, items in relations.items():
        name = rels_name(source)
        xml = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
        if name in files:
            files[name] = _insert_before_close(files[name], b"</Relationships>", xml)
        else:
            files[name] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<Relationships xmlns="{NS_PKG_REL}">{xml}</Relationships>').encode()
    write_entries(path, files)


def write_entries(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 9, 1, 10, 0, 0)), data, zipfile.ZIP_DEFLATED)


# --- a small compound file standing in for a VBA project ---------------------------------------------


def _dir_entry(name: str, kind: int, child: int = 0xFFFFFFFF) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
            + struct.pack("<IQ", 0xFFFFFFFE, 0))


def vba_project_bin() -> bytes:
    """A valid compound file (root storage with an empty «VBA» storage): the writer only carries it."""
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + b"\xff" * 4 * 108)
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * (512 - 8)
    directory = (_dir_entry("Root Entry", 5, child=1) + _dir_entry("VBA", 1)
                 + (b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + b"\xff" * 12 + b"\0" * 48)
                 + (b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + b"\xff" * 12 + b"\0" * 48))
    return header + fat + directory


# --- the books ---------------------------------------------------------------------------------------


WEBEXTENSION = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" \
id="{5B3C1E2A-7D4F-4C59-9A51-2F0E8C7B6D11}"><we:reference id="wa200008175" version="1.0.0.0" store="ru-RU" \
storeType="OMEX"/><we:alternateReferences/><we:properties><we:property name="main.py" \
value="&quot;import xlwings as xw\\n\\n@script\\ndef hello(book: xw.Book):\\n    pass\\n&quot;"/>\
<we:property name="requirements.txt" value="&quot;xlwings==0.33.15&quot;"/></we:properties><we:bindings/>\
<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></we:webextension>"""

TASKPANES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">\
<wetp:taskpane dockstate="right" visibility="0" width="350" row="4"><wetp:webextensionref \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/></wetp:taskpane>\
</wetp:taskpanes>"""

CUSTOM_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<nastavnik xmlns="urn:nastavnik-xl:test"><version>1</version></nastavnik>"""

CUSTOM_XML_PROPS = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<ds:datastoreItem ds:itemID="{0C9A1F63-3B1E-4F7B-9E53-1D2A3B4C5D6E}" \
xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>"""

CTRL_PROP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="Button" \
lockText="1"/>"""


def rich_book(path: Path) -> Path:
    """An .xlsm as a curator's might be: VBA, a button, comments, validations, conditional formats,
    names, an Excel Table, an autofilter and print titles, xlwings Lite and custom XML parts."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2024, 9, 1)})
    wb.add_vba_project(io.BytesIO(vba_project_bin()), is_stream=True)
    date = wb.add_format({"num_format": "dd.mm.yyyy"})
    panel = wb.add_worksheet("Панель")
    panel.write("A1", "Наставничество: книга куратора", wb.add_format({"bold": True, "font_size": 14}))
    panel.insert_button("B3", {"macro": "BtnValidate", "caption": "Проверить", "width": 120, "height": 30})
    panel.write_comment("A1", "Кнопки работают в Excel с включёнными макросами")
    _plain_sheet(wb, "Организация", ORG_ROWS, date)
    mentors = wb.add_worksheet("Наставники")
    mentors.add_table(0, 0, len(MENTOR_ROWS) - 1, len(MENTOR_ROWS[0]) - 1, {
        "name": "tbl_mentors", "columns": [{"header": h} for h in MENTOR_ROWS[0]], "data": MENTOR_ROWS[1:]})
    mentors.data_validation("C2:C100", {"validate": "list", "source": ["педагог", "обучающийся", "выпускник"]})
    mentors.conditional_format("D2:D100", {"type": "text", "criteria": "containing", "value": "выбыл",
                                           "format": wb.add_format({"font_color": "#9C0006"})})
    mentors.write_comment("B2", "Проверить ФИО по приказу")
    mentors.activate()
    _plain_sheet(wb, "Наставляемые", MENTEE_ROWS, date)
    pairs = _plain_sheet(wb, "Пары", PAIR_ROWS, date)
    pairs.autofilter(0, 0, len(PAIR_ROWS) - 1, len(PAIR_ROWS[0]) - 1)
    pairs.repeat_rows(0)
    wb.define_name("lst_categories", "='Наставники'!$C$2:$C$3")
    wb.define_name("'Пары'!local_start", "='Пары'!$E$2")
    wb.close()
    _add_lite_and_custom_parts(path)
    return path


def _plain_sheet(wb: xlsxwriter.Workbook, name: str, rows: Iterable[list[Any]], date: Any) -> Any:
    ws = wb.add_worksheet(name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, value, date)
            elif value is not None:
                ws.write(r, c, value)
    return ws


def _add_lite_and_custom_parts(path: Path) -> None:
    files = entries(path)
    panel = sheet_part(files, "Панель")
    add_parts(
        path,
        parts={
            "xl/webextensions/webextension1.xml": WEBEXTENSION.encode("utf-8"),
            "xl/webextensions/taskpanes.xml": TASKPANES.encode("utf-8"),
            "customXml/item1.xml": CUSTOM_XML.encode("utf-8"),
            "customXml/itemProps1.xml": CUSTOM_XML_PROPS.encode("utf-8"),
            "xl/ctrlProps/ctrlProp1.xml": CTRL_PROP.encode("utf-8"),
        },
        overrides={
            "xl/webextensions/webextension1.xml": "application/vnd.ms-office.webextension+xml",
            "xl/webextensions/taskpanes.xml": "application/vnd.ms-office.webextensiontaskpanes+xml",
            "customXml/itemProps1.xml": "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
            "xl/ctrlProps/ctrlProp1.xml": "application/vnd.ms-excel.controlproperties+xml",
        },
        relations={
            "": [("rIdWe1", "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes",
                  "xl/webextensions/taskpanes.xml")],
            "xl/webextensions/taskpanes.xml": [
                ("rId1", "http://schemas.microsoft.com/office/2011/relationships/webextension", "webextension1.xml")],
            "customXml/item1.xml": [("rId1", f"{NS_REL}/customXmlProps", "itemProps1.xml")],
            "xl/workbook.xml": [("rIdCx1", f"{NS_REL}/customXml", "../customXml/item1.xml")],
            panel: [("rIdCp1", f"{NS_REL}/ctrlProp", "../ctrlProps/ctrlProp1.xml")],
        },
    )


def openpyxl_book(path: Path) -> Path:
    """The hand-made book of the reader's tests (openpyxl), with a comment, a validation and a name."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    write_book(path, minimal_sheets())
    wb = openpyxl.load_workbook(path)
    ws = wb["Наставники"]
    ws["B2"].comment = Comment("Уточнить отчество", "Куратор")
    dv = DataValidation(type="list", formula1='"педагог,обучающийся"')
    dv.add("C2:C50")
    ws.add_data_validation(dv)
    wb.defined_names["mentor_ids"] = DefinedName("mentor_ids", attr_text="'Наставники'!$A$2:$A$3")
    wb.save(path)
    return path


def prefixed_book(src: Path, dst: Path) -> Path:
    """``src`` as another producer might write it: ``x:``-prefixed SpreadsheetML in the workbook and
    styles, sheet parts not named sheetN.xml, relationship ids not rIdN, no docProps."""
    ET.register_namespace("x", NS_MAIN)
    ET.register_namespace("r", NS_REL)
    files = entries(src)
    wb = workbook_part(files)
    renames = {part: f"xl/worksheets/data_{chr(97 + i)}.xml" for i, (_, part) in enumerate(sheets(files))}
    ids = {r["Id"]: f"R{abs(hash(r['Id'])) % 10**8:08x}" for r in rels(files, wb)}
    out: dict[str, bytes] = {}
    for name, data in files.items():
        if name.startswith("docProps/"):
            continue
        if name in renames:
            name = renames[name]
        elif name.startswith("xl/worksheets/_rels/"):
            part = "xl/worksheets/" + name.rsplit("/", 1)[1][:-5]
            name = rels_name(renames.get(part, part))
        out[name] = data
    wb_xml = files[wb].decode("utf-8")
    for old, new in ids.items():
        wb_xml = wb_xml.replace(f'r:id="{old}"', f'r:id="{new}"')
    out[wb] = _reserialise(wb_xml.encode("utf-8"))
    out["xl/styles.xml"] = _reserialise(files["xl/styles.xml"])
    wb_rels = files[rels_name(wb)].decode("utf-8")
    for old, new in ids.items():
        wb_rels = wb_rels.replace(f'Id="{old}"', f'Id="{new}"')
    for part, new in renames.items():
        old_target, new_target = posixpath.relpath(part, "xl"), posixpath.relpath(new, "xl")
        wb_rels = wb_rels.replace(f'Target="{old_target}"', f'Target="{new_target}"')
    out[rels_name(wb)] = wb_rels.encode("utf-8")
    ct = files["[Content_Types].xml"].decode("utf-8")
    for part, new in renames.items():
        ct = ct.replace(f'PartName="/{part}"', f'PartName="/{new}"')
    ct = re.sub(r'<Override PartName="/docProps/[^"]*" ContentType="[^"]*"/>', "", ct)
    out["[Content_Types].xml"] = ct.encode("utf-8")
    out["_rels/.rels"] = re.sub(rb'<Relationship [^>]*Target="docProps/[^"]*"/>', b"", files["_rels/.rels"])
    write_entries(dst, out)
    return dst


def _reserialise(xml: bytes) -> bytes:
    root = ET.fromstring(xml)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                                    xml_declaration=False)


def bare_styles_book(src: Path, dst: Path) -> Path:
    """``src`` (an openpyxl book) with a bare styles part: no numFmts, cellStyleXfs, cellStyles or dxfs,
    an empty ``<dxfs/>``-less sheet of styles whose date cells use the built-in format 14."""
    files = entries(src)
    files["xl/styles.xml"] = (
        f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border/></borders><cellXfs count="2"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
        "</cellXfs><tableStyles/></styleSheet>"
    ).encode()
    write_entries(dst, files)
    return dst


def book_with_output_sheet(path: Path) -> Path:
    """A book whose «Проверка» sits between two sheets and has a chart, a comment, a filter and print titles."""
    wb = xlsxwriter.Workbook(str(path))
    _plain_sheet(wb, "Организация", ORG_ROWS, wb.add_format({"num_format": "dd.mm.yyyy"}))
    check = wb.add_worksheet("Проверка")
    check.write_row(0, 0, ["Старый", "отчёт"])
    check.write_column(1, 1, [1, 2, 3])
    check.write_comment("A1", "старый комментарий")
    check.autofilter("A1:B4")
    check.repeat_rows(0)
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "='Проверка'!$B$2:$B$4"})
    check.insert_chart("D2", chart)
    mentors = _plain_sheet(wb, "Наставники", MENTOR_ROWS, None)
    mentors.write_comment("A1", "комментарий куратора")
    mentors.autofilter("A1:D3")
    _plain_sheet(wb, "Наставляемые", MENTEE_ROWS, wb.add_format({"num_format": "dd.mm.yyyy"}))
    _plain_sheet(wb, "Пары", PAIR_ROWS, wb.add_format({"num_format": "dd.mm.yyyy"}))
    wb.close()
    return path


def add_calc_chain(path: Path, cells: dict[int, list[str]]) -> None:
    """A calcChain part as Excel saves it: sheetId → formula cells."""
    items = "".join(f'<c r="{ref}" i="{sheet_id}"/>' if n == 0 else f'<c r="{ref}"/>'
                    for sheet_id, refs in cells.items() for n, ref in enumerate(refs))
    add_parts(path,
              parts={"xl/calcChain.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                         f'<calcChain xmlns="{NS_MAIN}">{items}</calcChain>'.encode()},
              overrides={"xl/calcChain.xml": CT_CALC_CHAIN},
              relations={"xl/workbook.xml": [("rIdCc1", f"{NS_REL}/calcChain", "calcChain.xml")]})


EXCEL_WORKBOOK_NS = (
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15 xr xr6 xr10 xr2"'
    ' xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"'
    ' xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"'
    ' xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"'
    ' xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10"'
    ' xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"'
)
EXCEL_WORKBOOK_MARKUP = (
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:Choice Requires="x15"><x15ac:absPath url="C:\\Users\\Куратор\\Documents\\" '
    'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"/></mc:Choice></mc:AlternateContent>'
    '<xr:revisionPtr revIDLastSave="0" documentId="8_{6A1B2C3D-0000-4E5F-8A9B-0C1D2E3F4A5B}" '
    'xr6:coauthVersionLast="47" xr6:coauthVersionMax="47" xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>'
)


def excel_like_book(src: Path, dst: Path) -> Path:
    """``src`` (an XlsxWriter book) with the markup-compatibility namespaces and elements Excel 365 writes."""
    files = entries(src)
    wb = files["xl/workbook.xml"].decode("utf-8")
    wb = wb.replace(f'xmlns:r="{NS_REL}"', f'xmlns:r="{NS_REL}"{EXCEL_WORKBOOK_NS}', 1)
    wb = re.sub(r"(<workbookPr[^>]*/>)", lambda m: m.group(1) + EXCEL_WORKBOOK_MARKUP, wb, count=1)
    files["xl/workbook.xml"] = wb.encode()
    styles = files["xl/styles.xml"].decode("utf-8")
    styles = styles.replace(
        f'<styleSheet xmlns="{NS_MAIN}"',
        f'<styleSheet xmlns="{NS_MAIN}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'mc:Ignorable="x14ac x16r2" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
        'xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main"', 1)
    styles = re.sub(r'<fonts count="(\d+)"', r'<fonts count="\1" x14ac:knownFonts="1"', styles, count=1)
    files["xl/styles.xml"] = styles.encode()
    write_entries(dst, files)
    return dst
