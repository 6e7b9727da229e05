"""A corpus of malformed books, for the bad-input contract (tests/test_bad_input.py).

One function per kind of damage. Each writes one file (or folder, or pipe) into ``folder`` and
returns a :class:`Case`: its path and what the program must do with it — refuse it (exit 2 and a
Russian message containing ``words``) or read it (exit 0 or 1; ``codes`` are finding codes the
reader must report). ``KINDS`` lists them all by name; a kind that needs LibreOffice takes the
``soffice`` binary and is listed in ``LIBREOFFICE_KINDS``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from books import MENTEE_ROWS, MENTOR_ROWS, PAIR_ROWS, minimal_sheets, write_book
from msoffcrypto.format.ooxml import OOXMLFile


@dataclass(frozen=True)
class Case:
    path: Path
    exits: tuple[int, ...]  # the exit codes allowed
    words: tuple[str, ...] = ()  # must appear on stderr (refused books)
    codes: tuple[str, ...] = ()  # finding codes the reader must report (readable books)
    unprivileged: bool = False  # run without root's power to read any file


def refused(path: Path, *words: str, unprivileged: bool = False) -> Case:
    return Case(path, (2,), words=words, unprivileged=unprivileged)


def readable(path: Path, *codes: str) -> Case:
    return Case(path, (1,) if codes else (0, 1), codes=codes)


# --- building blocks -----------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_xml(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):  # a serial without a date style, as the reader accepts
        value = (value.date() if isinstance(value, dt.datetime) else value).toordinal() - EXCEL_EPOCH
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[Any]], extra_rows: str = "") -> str:
    body = "".join(
        f'<row r="{r}">' + "".join(cell_xml(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, 1)) + "</row>"
        for r, row in enumerate(rows, 1))
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>{body}{extra_rows}' \
           "</sheetData></worksheet>"


def raw_xlsx_parts(sheets: dict[str, str]) -> dict[str, str]:
    """The parts of a minimal xlsx (inline strings, no styles) whose sheets are the given XML."""
    entries = "".join(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
                   for i in range(1, len(sheets) + 1))
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
                           f'xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                                      f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                                      "</Relationships>",
    }
    parts.update({f"xl/worksheets/sheet{i}.xml": xml for i, xml in enumerate(sheets.values(), 1)})
    return parts


def write_zip(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def raw_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    return write_zip(path, raw_xlsx_parts({name: sheet_xml(rows) for name, rows in sheets.items()}))


def rezip(src: Path, dst: Path, replace: dict[str, str | bytes] | None = None, drop: Iterable[str] = ()) -> Path:
    """A copy of a zip with some parts replaced or left out."""
    replace, drop = replace or {}, set(drop)
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            if name not in drop:
                new.writestr(name, replace.get(name, old.read(name)))
    return dst


def part_of_sheet(book: Path, sheet: str) -> str:
    """The zip part of an openpyxl-written sheet (sheets are numbered in order)."""
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def good_book(folder: Path, name: str = "хорошая.xlsx") -> Path:
    return write_book(folder / name, minimal_sheets())


def ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (dt.date, dt.datetime)):
        iso = value.strftime("%Y-%m-%d")
        return f'<table:table-cell office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p>' \
               "</table:table-cell>"
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>' \
               "</table:table-cell>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: dict[str, list[list[Any]]], extra_rows: dict[str, str] | None = None) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice would read it; ``extra_rows`` is raw XML."""
    extra_rows = extra_rows or {}
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + extra_rows.get(name, "") + "</table:table>" for name, rows in sheets.items())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


# --- not a workbook at all -----------------------------------------------------------------------


def truncated_zip(folder: Path) -> Case:
    whole = good_book(folder).read_bytes()
    path = folder / "обрезанная.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return refused(path, "повреждён")


def csv_renamed_xlsx(folder: Path) -> Case:
    path = folder / "выгрузка csv.xlsx"
    path.write_bytes("ФИО;Класс;Дата рождения\nИванов Иван;7А;01.02.2012\nПетрова Анна;8Б;03.04.2011\n"
                     .encode("cp1251"))
    return refused(path, "CSV", "сохраните")


def csv_with_commas_renamed_xlsx(folder: Path) -> Case:
    path = folder / "выгрузка с запятыми.xlsx"
    path.write_text("ID наставника,ФИО,Категория наставника\nНК-1,Петров Пётр,педагог\nНК-2,Сидорова Анна,педагог\n",
                    encoding="utf-8")
    return refused(path, "CSV")


def html_table_as_xls(folder: Path) -> Case:
    path = folder / "журнал.xls"
    path.write_text('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head>'
                    "<body><table><tr><td>ФИО</td><td>Класс</td></tr><tr><td>Иванов</td><td>7А</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    return refused(path, "веб-страница")


def utf16_html_as_xls(folder: Path) -> Case:
    path = folder / "журнал юникод.xls"
    path.write_bytes("\ufeff<html><body><table><tr><td>ФИО</td></tr></table></body></html>".encode("utf-16-le"))
    return refused(path, "веб-страница")


def spreadsheetml_2003_as_xls(folder: Path) -> Case:
    path = folder / "выгрузка из журнала.xls"
    path.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Лист1"><Table>'
                    '<Row><Cell><Data ss:Type="String">ФИО</Data></Cell></Row></Table></Worksheet></Workbook>',
                    encoding="utf-8")
    return refused(path, "XML 2003")


def docx_renamed_xlsx(folder: Path) -> Case:
    path = folder / "положение о наставничестве.xlsx"
    write_zip(path, {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                               '2006/content-types"/>',
        "_rels/.rels": ROOT_RELS.replace("xl/workbook.xml", "word/document.xml"),
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                             'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Положение</w:t></w:r></w:p>'
                             "</w:body></w:document>",
    })
    return refused(path, "текстовый документ")


def pdf_renamed_xlsx(folder: Path) -> Case:
    path = folder / "отчёт.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n")
    return refused(path, "PDF")


def photo_renamed_xlsx(folder: Path) -> Case:
    path = folder / "фото таблицы.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    return refused(path, "изображение")


def empty_file(folder: Path) -> Case:
    path = folder / "пустой.xlsx"
    path.write_bytes(b"")
    return refused(path, "пустой")


def ole_container_not_a_book(folder: Path) -> Case:
    path = folder / "старая книга.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(random.Random(5).getrandbits(8) for _ in range(4096)))
    return refused(path, "повреждён")


def zip_of_a_book(folder: Path) -> Case:
    path = folder / "книга в архиве.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(good_book(folder, "школа 7.xlsx"), "школа 7.xlsx")
    return refused(path, "архив ZIP", "школа 7.xlsx")


def directory_named_like_book(folder: Path) -> Case:
    path = folder / "папка.xlsx"
    path.mkdir()
    (path / "внутри.txt").write_text("не книга", encoding="utf-8")
    return refused(path, "папка")


def excel_lock_file(folder: Path) -> Case:
    path = folder / "~$книга.xlsx"
    path.write_bytes(b"\x0cIvanova M.P." + b" " * 42 + b"\x00" * 111)
    return refused(path, "служебный", "~$")


def pipe_named_like_book(folder: Path) -> Case:
    """A named pipe: opening it for reading would wait for a writer forever."""
    path = folder / "канал.xlsx"
    os.mkfifo(path)
    return refused(path, "не обычный файл")


def symlink_loop(folder: Path) -> Case:
    path = folder / "петля.xlsx"
    path.symlink_to(path.name)
    return refused(path, "не найден")


def unreadable_file(folder: Path) -> Case:
    path = good_book(folder, "без права чтения.xlsx")
    path.chmod(0)
    return refused(path, "нельзя прочитать", unprivileged=True)


# --- zip archives that are not sound books ---------------------------------------------------------


def malformed_sheet_xml(folder: Path) -> Case:
    good = good_book(folder)
    part = part_of_sheet(good, "Пары")
    with zipfile.ZipFile(good) as z:
        xml = z.read(part).decode()
    broken = xml.replace('<c r="A2" t="inlineStr">', '<c r="A2" t="inlineStr"', 1)
    return refused(rezip(good, folder / "битый xml.xlsx", {part: broken}), "повреждён", "Пары")


def truncated_sheet_xml(folder: Path) -> Case:
    good = good_book(folder)
    part = part_of_sheet(good, "Наставники")
    with zipfile.ZipFile(good) as z:
        xml = z.read(part)
    return refused(rezip(good, folder / "обрезанный лист.xlsx", {part: xml[: len(xml) // 2]}), "повреждён")


def xml_entity_bomb(folder: Path) -> Case:
    """«Billion laughs»: nested entities in the sheet XML that would expand to gigabytes."""
    good = good_book(folder)
    part = part_of_sheet(good, "Пары")
    with zipfile.ZipFile(good) as z:
        xml = z.read(part).decode()
    entities = '<!ENTITY a "ха-ха-ха-ха">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi"))
    bomb = xml.replace("<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet", 1).replace(
        "<t>П-1</t>", "<t>&i;</t>")
    return refused(rezip(good, folder / "смех.xlsx", {part: bomb}), "повреждён")


def no_workbook_xml(folder: Path) -> Case:
    return refused(rezip(good_book(folder), folder / "без workbook.xlsx", drop=["xl/workbook.xml"]),
                   "повреждён", "workbook.xml")


def missing_sheet_part(folder: Path) -> Case:
    good = good_book(folder)
    return refused(rezip(good, folder / "без листа внутри.xlsx", drop=[part_of_sheet(good, "Пары")]),
                   "повреждён", "Пары")


def zip_with_password(folder: Path) -> Case:
    """A zip whose parts are flagged as encrypted (what a password in 7-Zip or WinRAR does)."""
    data = bytearray(good_book(folder).read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flag_at] |= 0x01
            at = data.find(signature, at + 4)
    path = folder / "архив с паролем.xlsx"
    path.write_bytes(bytes(data))
    return refused(path, "зашифрован")


def fake_xlsb(folder: Path) -> Case:
    path = folder / "двоичная.xlsb"
    write_zip(path, {
        "[Content_Types].xml": CONTENT_TYPES.replace("sheet.main+xml", "sheet.binary.macroEnabled.main"),
        "_rels/.rels": ROOT_RELS.replace("workbook.xml", "workbook.bin"),
        "xl/workbook.bin": bytes(random.Random(7).getrandbits(8) for _ in range(300)),
    })
    return refused(path, "повреждён", ".xlsx")


def _deflate_segment(data: bytes) -> bytes:
    """Raw deflate of ``data`` that ends byte-aligned with no back-references: segments concatenate."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def _zip_entry(name: str, packed: bytes, crc: int, size: int, offset: int) -> tuple[bytes, bytes]:
    """Local header (with the packed data) and central directory record of one deflated part."""
    raw = name.encode()
    fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(raw))
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + raw + packed
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + raw
    return local, central


def write_bomb_zip(path: Path, parts: dict[str, str], bomb_part: str, megabytes: int,
                   declared_size: int | None = None) -> Path:
    """An xlsx whose ``bomb_part`` is a sheet of ``megabytes`` MiB of rows, packed ~300× (a few MB on disk).

    ``declared_size`` lies about its unpacked size (None: tell the truth).
    """
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    row = b'<row><c t="inlineStr"><is><t>\xd0\xb1\xd0\xbe\xd0\xbc\xd0\xb1\xd0\xb0</t></is></c></row>'
    chunk = row * ((1 << 20) // len(row))
    tail = b"</sheetData></worksheet>"
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    segment = _deflate_segment(chunk)
    packed = _deflate_segment(head) + segment * megabytes + _deflate_segment(tail) + b"\x03\x00"
    size = len(head) + len(chunk) * megabytes + len(tail)
    entries = [(name, zlib.compress(data.encode(), 9)[2:-4], zlib.crc32(data.encode()), len(data.encode()))
               for name, data in parts.items() if name != bomb_part]
    entries.append((bomb_part, packed, crc, size if declared_size is None else declared_size))
    locals_, centrals, offset = [], [], 0
    for name, data, checksum, length in entries:
        local, central = _zip_entry(name, data, checksum, length, offset)
        locals_.append(local)
        centrals.append(central)
        offset += len(local)
    directory = b"".join(centrals)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    path.write_bytes(b"".join(locals_) + directory + end)
    return path


def _bomb_parts() -> dict[str, str]:
    sheets = {name: sheet_xml(rows) for name, rows in minimal_sheets().items()}
    return raw_xlsx_parts(sheets)


def zip_bomb(folder: Path) -> Case:
    """2.2 GB of sheet XML in ~7 MB, honestly declared: refused before anything is unpacked."""
    return refused(write_bomb_zip(folder / "бомба.xlsx", _bomb_parts(), "xl/worksheets/sheet4.xml", 2100),
                   "слишком большой")


def zip_bomb_with_false_sizes(folder: Path) -> Case:
    """The same bomb declaring a plausible 200 MB (ratio ~30): caught by unpacking up to the declared size."""
    return refused(write_bomb_zip(folder / "бомба под прикрытием.xlsx", _bomb_parts(), "xl/worksheets/sheet4.xml",
                                  2100, declared_size=200 << 20), "повреждён")


# --- workbooks with the wrong sheets or headers ------------------------------------------------------


def zero_sheets(folder: Path) -> Case:
    parts = raw_xlsx_parts({})
    return refused(write_zip(folder / "без листов.xlsx", parts), "нет ни одного листа")


def only_empty_sheets(folder: Path) -> Case:
    sheets: dict[str, list[list[Any]]] = {name: [] for name in minimal_sheets()}
    return refused(write_book(folder / "пустые листы.xlsx", sheets), "не найдены обязательные столбцы", "Год")


def missing_required_sheet(folder: Path) -> Case:
    sheets = minimal_sheets()
    del sheets["Пары"]
    return refused(write_book(folder / "без пар.xlsx", sheets), "нет листа «Пары»")


def ods_missing_sheet(folder: Path) -> Case:
    sheets = minimal_sheets()
    del sheets["Наставники"]
    return refused(write_ods(folder / "без наставников.ods", sheets), "нет листа «Наставники»")


def unrecognised_headers(folder: Path) -> Case:
    sheets = minimal_sheets()
    sheets["Пары"][0] = ["Номер", "Вид", "Кто ведёт", "Кого ведут", "Когда начали", "Когда закончили"]
    return refused(write_book(folder / "свои заголовки.xlsx", sheets), "не найдены обязательные столбцы",
                   "«Когда начали»")


def headers_with_brackets(folder: Path) -> Case:
    """Square brackets in a header must reach the curator as typed (a terminal markup trap)."""
    sheets = minimal_sheets()
    sheets["Пары"][0][4] = "Начало [дд/мм/гггг]"
    sheets["Пары"][0][5] = "Конец [/факт]"
    return refused(write_book(folder / "скобки.xlsx", sheets), "«Начало [дд/мм/гггг]»", "[/факт]")


def merged_header_cells(folder: Path) -> Case:
    path = good_book(folder, "объединённые заголовки.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Наставники"].merge_cells("B1:C1")  # «ФИО» spreads over «Категория наставника», which is lost
    wb.save(path)
    return refused(path, "«Категория наставника»", "B1:C1")


def merged_title_over_headers(folder: Path) -> Case:
    sheets = minimal_sheets()
    sheets["Пары"].insert(0, ["Пары наставничества на 2024/25 учебный год"])
    path = write_book(folder / "объединённый заголовок листа.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Пары"].merge_cells("A1:F1")
    wb.save(path)
    return readable(path)


def duplicated_headers(folder: Path) -> Case:
    sheets = minimal_sheets()
    sheets["Наставляемые"][0].append("ФИО")
    for row, name in zip(sheets["Наставляемые"][1:], ("Кузнецов И.", "Смирнова О.", "Волков Д.")):
        row.append(name)
    return readable(write_book(folder / "два фио.xlsx", sheets), "duplicate-column")


def pairs_is_a_chart_sheet(folder: Path) -> Case:
    from openpyxl.chart import BarChart, Reference

    path = good_book(folder, "пары диаграммой.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["Пары"]
    chart = BarChart()
    chart.add_data(Reference(wb["Организация"], min_col=2, min_row=9, max_row=10))
    wb.create_chartsheet("Пары").add_chart(chart)
    wb.save(path)
    return refused(path, "диаграмма", "«Пары»")


def thousand_sheets(folder: Path) -> Case:
    sheets: dict[str, list[list[Any]]] = dict(minimal_sheets())
    sheets.update({f"Лист{i}": [[f"заметка {i}"]] for i in range(1, 997)})
    return readable(raw_xlsx(folder / "тысяча листов.xlsx", sheets))


def thousand_sheets_without_pairs(folder: Path) -> Case:
    sheets: dict[str, list[list[Any]]] = dict(minimal_sheets())
    del sheets["Пары"]
    sheets.update({f"Лист{i}": [[f"заметка {i}"]] for i in range(1, 998)})
    return refused(raw_xlsx(folder / "тысяча листов без пар.xlsx", sheets), "нет листа «Пары»", "и ещё")


# --- workbooks with strange contents -----------------------------------------------------------------


def formulas_without_values(folder: Path) -> Case:
    """openpyxl writes formulas without their results: calamine sees blank cells."""
    sheets = minimal_sheets()
    sheets["Пары"][1][0] = '="П-"&1'
    sheets["Пары"][2][4] = "=DATE(2024,10,1)"
    sheets["Наставники"][2][0] = '=CONCATENATE("НК-",2)'
    return readable(write_book(folder / "формулы без значений.xlsx", sheets), "formula-without-value")


def _garbage(rng: random.Random) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.uniform(-1e12, 1e12)
    if kind == 1:
        return rng.randrange(-10**6, 10**6)
    if kind == 2:
        return dt.datetime(rng.randrange(1900, 9999), rng.randrange(1, 13), rng.randrange(1, 29))
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return None
    if kind == 5:
        return "".join(rng.choice("01.,/-: ") for _ in range(rng.randrange(1, 12)))
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяABCxyz0123456789 «»—–;:%$#@!?*()[]{}<>&\"'\\/\u00a0\u200b😀"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) or " "


def garbage_rows(folder: Path) -> Case:
    """10 000 rows of random values under the headers of the data sheets."""
    rng = random.Random(2024)
    sheets = minimal_sheets()
    garbage = {"Наставники": 3_333, "Наставляемые": 3_333, "Пары": 3_334}
    wb = openpyxl.Workbook(write_only=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for _ in range(garbage.get(name, 0)):
            ws.append([_garbage(rng) for _ in rows[0]])
    path = folder / "мусор.xlsx"
    wb.save(path)
    return readable(path, "bad-date", "unknown-value")


def megabyte_cell(folder: Path) -> Case:
    """Excel stops at 32 767 characters a cell; other programs do not (openpyxl cuts, so raw XML)."""
    sheets = minimal_sheets()
    sheets["Наставляемые"][1][1] = "Кузнецов " * 116_509  # 1 MB of text in a name
    sheets["Пары"][1][4] = "1" * (1 << 20)  # and in a date
    sheets["Наставники"][0].append("Примечание " * 100_000)  # and in a header
    return readable(raw_xlsx(folder / "мегабайт в ячейке.xlsx", sheets), "bad-date")


def extreme_dates(folder: Path) -> Case:
    path = good_book(folder, "даты на краю.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Пары"]
    ws["E2"], ws["F2"] = -5, 1e300
    ws["E3"], ws["F3"] = dt.datetime(9999, 12, 31), 2958466
    for ref in ("E2", "F2", "E3", "F3"):
        ws[ref].number_format = "DD.MM.YYYY"
    ws = wb["Наставляемые"]
    ws["D2"], ws["D3"] = -1, 0
    ws["D2"].number_format = ws["D3"].number_format = "DD.MM.YYYY"
    wb.save(path)
    return readable(path, "bad-date")


def stray_value_in_last_cell(folder: Path) -> Case:
    """A space typed in XFD1048576: calamine would allocate a rectangle of 17 billion cells."""
    sheets = {name: sheet_xml(rows) for name, rows in minimal_sheets().items()}
    sheets["Пары"] = sheet_xml(PAIR_ROWS[:1] + [[str(v) for v in r] for r in PAIR_ROWS[1:]],
                               '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>')
    return refused(write_zip(folder / "пробел в углу.xlsx", raw_xlsx_parts(sheets)), "Ctrl+End", "XFD1048576")


def ods_stray_value_far_away(folder: Path) -> Case:
    """The same in an .ods: a million repeated empty rows, then a value 16 000 columns to the right."""
    far = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
           '<table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
           '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    return refused(write_ods(folder / "далёкая ячейка.ods", minimal_sheets(), {"Пары": far}), "Ctrl+End")


def styled_cells_to_the_edge(folder: Path) -> Case:
    """Formatting (no values) down to the last row and column, as «format the whole sheet» leaves."""
    edge = ('<row r="1048575" s="1" customFormat="1"><c r="XFD1048575" s="1"/></row>'
            '<row r="1048576"><c r="A1048576" s="1"><f>1+1</f><v></v></c><c r="XFD1048576" s="1"></c></row>')
    sheets = {name: sheet_xml(rows) for name, rows in minimal_sheets().items()}
    sheets["Наставники"] = sheet_xml(MENTOR_ROWS, edge)
    return readable(write_zip(folder / "формат до края.xlsx", raw_xlsx_parts(sheets)))


def xlsx_renamed_ods(folder: Path) -> Case:
    path = folder / "книга как ods.ods"
    shutil.copyfile(good_book(folder), path)
    return readable(path, "wrong-extension")


def ods_renamed_xlsx(folder: Path) -> Case:
    return readable(write_ods(folder / "таблица ods.xlsx", minimal_sheets()), "wrong-extension")


def xlsx_without_extension(folder: Path) -> Case:
    path = folder / "книга без расширения"
    shutil.copyfile(good_book(folder), path)
    return readable(path, "wrong-extension")


def encrypted_book(folder: Path) -> Case:
    plain = good_book(folder)
    path = folder / "с паролем.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("секрет", dst)
    return refused(path, "паролем")


# --- needs LibreOffice ---------------------------------------------------------------------------------


def libreoffice_xls(folder: Path, soffice: str) -> Case:
    """The book saved by LibreOffice as Excel 97–2003 (BIFF8)."""
    from calc_engine import recalc

    source = folder / "исходник"
    source.mkdir(exist_ok=True)
    sheets = minimal_sheets()
    sheets["Наставляемые"] = [list(r) for r in MENTEE_ROWS]
    made = recalc(write_book(source / "сохранена в xls.xlsx", sheets), folder, "xls")
    return readable(made)


KINDS: dict[str, Callable[[Path], Case]] = {f.__name__: f for f in (
    truncated_zip, csv_renamed_xlsx, csv_with_commas_renamed_xlsx, html_table_as_xls, utf16_html_as_xls,
    spreadsheetml_2003_as_xls, docx_renamed_xlsx, pdf_renamed_xlsx, photo_renamed_xlsx, empty_file,
    ole_container_not_a_book, zip_of_a_book, directory_named_like_book, excel_lock_file, pipe_named_like_book,
    symlink_loop, unreadable_file, malformed_sheet_xml, truncated_sheet_xml, xml_entity_bomb, no_workbook_xml,
    missing_sheet_part, zip_with_password, fake_xlsb, zip_bomb, zip_bomb_with_false_sizes, zero_sheets,
    only_empty_sheets, missing_required_sheet, ods_missing_sheet, unrecognised_headers, headers_with_brackets,
    merged_header_cells, merged_title_over_headers, duplicated_headers, pairs_is_a_chart_sheet, thousand_sheets,
    thousand_sheets_without_pairs, formulas_without_values, garbage_rows, megabyte_cell, extreme_dates,
    stray_value_in_last_cell, ods_stray_value_far_away, styled_cells_to_the_edge, xlsx_renamed_ods, ods_renamed_xlsx,
    xlsx_without_extension, encrypted_book,
)}
LIBREOFFICE_KINDS: dict[str, Callable[[Path, str], Case]] = {"libreoffice_xls": libreoffice_xls}
