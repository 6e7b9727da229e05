"""Read a curator's workbook into typed tables (python-calamine: xlsx, xlsm, xls, ods).

Tolerant of what people type (header order, case, spaces, ё/е, dashes, synonyms, dates as
serials or text, blank rows, extra columns, a title above the headers, a row of column
numbers under them); strict where it must be: an unreadable file, a missing sheet or a header
row it cannot recognise is a :class:`BookError` with a Russian message naming the file, the
sheet and the headers.

Guarded before calamine sees the file: the format is taken from the content (a misnamed book
is read with a ``wrong-extension`` warning), zip bombs are refused from the sizes the zip
declares, and an xlsx sheet whose filled cells span more than ``MAX_SHEET_CELLS`` (a stray
space in XFD1048576) is refused before calamine allocates that rectangle.
"""

from __future__ import annotations

import difflib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any


from nastavnik_xl.book.model import Book, HeaderMatch, Organisation, Row, Table
from nastavnik_xl.book.values import Problem, convert, is_blank
from nastavnik_xl.findings import BookError, Finding, Severity
from nastavnik_xl.schema import (
    DATA_SHEETS,
    LOOKUPS_NAME,
    ORGANISATION,
    OUTPUT_SHEETS,
    PANEL_NAME,
    Column,
    Sheet,
    norm,
)

HEADER_SEARCH_ROWS = 30
SHOWN_TEXT = 80  # characters of a cell or sheet name quoted in a message
SHOWN_VALUE = 200  # characters of a cell value kept in a finding
SHOWN_SHEETS = 15  # sheet names listed in a message
SheetRows = list[tuple[int, list[Any]]]  # non-blank rows: (0-based row index, cells from column A)
_KNOWN_OTHER_SHEETS = {norm(n) for n in (PANEL_NAME, LOOKUPS_NAME, *OUTPUT_SHEETS, "xlwings.conf")}


# --- opening the file ---------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RESAVE = "Откройте файл в Excel или LibreOffice и сохраните его заново как «Книга Excel (.xlsx)»"

# Limits that keep a broken or hostile file from taking the machine's memory. A school's book
# unzips to a few megabytes; calamine keeps a sheet as a dense rectangle of ~40 bytes a cell.
MAX_UNZIPPED_BYTES = 1 << 30  # all parts of one book, as declared in the zip
MAX_PART_BYTES = 512 << 20  # one part (a sheet's XML)
MAX_RATIO = 100  # how much better than usual a big part may compress
RATIO_CHECKED_FROM = 64 << 20  # smaller parts may compress as well as they like
DEFLATE_MAX_RATIO = 1032  # the most one byte of deflate data can expand to
MAX_SHEET_CELLS = 32 << 20  # the rectangle from the first to the last filled cell of a sheet

# The extension calamine's from_path expects for each kind; any other name is opened by content.
_CALAMINE_SUFFIXES = {"xlsx": {".xlsx", ".xlsm"}, "xlsm": {".xlsx", ".xlsm"}, "xlsb": {".xlsb"},
                      "xls": {".xls"}, "ods": {".ods"}}
# Extensions that are a proper name for each kind (templates included).
_PROPER_SUFFIXES = {"xlsx": {".xlsx", ".xlsm", ".xltx", ".xltm"}, "xlsm": {".xlsm", ".xlsx", ".xltm"},
                    "xlsb": {".xlsb"}, "xls": {".xls", ".xlt"}, "ods": {".ods", ".ots"}}
_KIND_TITLES = {"xlsx": "книга Excel (.xlsx)", "xlsm": "книга Excel с макросами (.xlsm)",
                "xlsb": "двоичная книга Excel (.xlsb)", "xls": "книга Excel 97–2003 (.xls)",
                "ods": "таблица OpenDocument (.ods)"}

_NOT_A_BOOK_HINTS: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"%PDF",), "это документ PDF, а не книга: нужна сама книга Excel"),
    ((b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!"),
     "это сжатый архив (gzip, 7z или rar): распакуйте его и укажите книгу, которая лежит внутри"),
    ((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*"),
     "это изображение (фотография или скан), а не книга: нужна сама книга Excel"),
    ((b"{\\rtf",), "это документ RTF (Word), а не книга"),
)
_SPREADSHEET_ML = (b"urn:schemas-microsoft-com:office:spreadsheet", b"progid=\"excel.sheet\"")


def _decoded_head(head: bytes) -> bytes:
    """The first bytes as lower-case UTF-8, whatever Unicode encoding the text file used."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "ignore").encode("utf-8").lower()
    return head.lower()


def _looks_delimited(text: bytes) -> bool:
    """Several lines with the same (non-zero) number of «;», tabs or commas: CSV or TSV."""
    lines = [line for line in text.splitlines()[:6] if line.strip()]
    if len(lines) < 2:
        return False
    lines = lines[:-1] if len(lines) > 2 else lines  # the last line may be cut
    return any(len({line.count(sep) for line in lines}) == 1 and lines[0].count(sep) > 0
               for sep in (b";", b"\t", b","))


def _what_it_is(head: bytes) -> str:
    """A Russian hint on what a file that is not a workbook actually is ('' if unknown)."""
    for signs, hint in _NOT_A_BOOK_HINTS:
        if any(head.startswith(s) for s in signs):
            return hint
    text = _decoded_head(head).lstrip()
    if any(s in text for s in _SPREADSHEET_ML):
        return ("это таблица в формате «XML 2003» (так выгружают некоторые электронные журналы): "
                "откройте её в Excel и сохраните как «Книга Excel (.xlsx)»")
    if text.startswith(b"<"):
        return ("это веб-страница (HTML или XML), сохранённая с расширением книги: откройте её в Excel "
                "и сохраните как «Книга Excel (.xlsx)»")
    if b"\x00" not in text and _looks_delimited(text):
        return ("похоже на текст с разделителями (CSV): откройте его в Excel "
                "и сохраните как «Книга Excel (.xlsx)»")
    return ""


def _not_a_book(path: Path, head: bytes) -> BookError:
    reason = _what_it_is(head)
    message = f"Файл «{path.name}» не является книгой Excel (ожидается .xlsx, .xlsm, .xls или .ods)"
    return BookError(message + (f": {reason}." if reason else "."), path=str(path), code="not-a-workbook")


def _damaged(path: Path, detail: str = "", exc: BaseException | None = None) -> BookError:
    why = f" ({detail})" if detail else ""
    tech = f" Техническая причина: {_short(str(exc), 200)}." if exc is not None and str(exc) else ""
    return BookError(
        f"Не удалось открыть книгу «{path.name}»: файл повреждён или сохранён не полностью{why}. "
        f"{RESAVE}; если Excel предложит восстановить книгу — согласитесь.{tech}",
        path=str(path), code="damaged",
    )


def _too_big(path: Path, part: str) -> BookError:
    return BookError(
        f"Книга «{path.name}» не открыта: внутри неё часть «{_short(part, 80)}» распаковывается в слишком большой "
        f"объём (больше {MAX_PART_BYTES >> 20} МБ или сжата подозрительно сильно). Так бывает с повреждёнными "
        f"или специально испорченными файлами. {RESAVE}, или попросите прислать книгу ещё раз.",
        path=str(path), code="too-big",
    )


def _encrypted(path: Path) -> BookError:
    return BookError(
        f"Книга «{path.name}» защищена паролем на открытие. Снимите пароль "
        "(Файл → Сведения → Защитить книгу → Зашифровать с использованием пароля) и сохраните книгу снова.",
        path=str(path), code="encrypted",
    )


def _check_zip_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Refuse a part that is encrypted, oddly compressed, or unpacks to more than it says (a zip bomb)."""
    if info.flag_bits & 0x1:
        raise BookError(f"Файл «{path.name}» зашифрован архиватором (ZIP с паролем), а не Excel: распакуйте его "
                        "архиватором с паролем или попросите прислать книгу без пароля.",
                        path=str(path), code="encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _damaged(path, f"часть «{_short(info.filename, 80)}» сжата неизвестным для Excel способом")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO):
        raise _too_big(path, info.filename)
    if info.compress_size * DEFLATE_MAX_RATIO > MAX_PART_BYTES and info.compress_type == zipfile.ZIP_DEFLATED:
        _check_unpacked_size(z, info, path)


def _check_unpacked_size(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Unpack a big part without keeping it: Python's zip stops at the declared size and checks
    the CRC, so a part that would unpack to more than it declares fails here, not in calamine."""
    try:
        with z.open(info) as part:
            while part.read(1 << 20):
                pass
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _damaged(path, f"часть «{_short(info.filename, 80)}» не распаковывается", exc) from exc


def _check_zip(z: zipfile.ZipFile, path: Path) -> None:
    total = 0
    for info in z.infolist():
        _check_zip_part(z, info, path)
        total += info.file_size
        if total > MAX_UNZIPPED_BYTES:
            raise _too_big(path, info.filename)


def _zip_member_start(z: zipfile.ZipFile, name: str, size: int = 100) -> bytes:
    try:
        with z.open(name) as fh:
            return fh.read(size)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError):
        return b""


def _zip_kind_of(z: zipfile.ZipFile, path: Path) -> str:
    names = set(z.namelist())
    mimetype = _zip_member_start(z, "mimetype") if "mimetype" in names else b""
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        if "content.xml" not in names:
            raise _damaged(path, "в таблице OpenDocument нет содержимого листов (content.xml)")
        return "ods"
    if "word/document.xml" in names or "ppt/presentation.xml" in names or mimetype.startswith(
            b"application/vnd.oasis.opendocument.text") or mimetype.startswith(
            b"application/vnd.oasis.opendocument.presentation"):
        raise BookError(f"Файл «{path.name}» — это текстовый документ или презентация, а не книга Excel.",
                        path=str(path), code="not-a-workbook")
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" not in names:
        raise _not_ooxml_book(path, names)
    return "xlsm" if "xl/vbaProject.bin" in names or path.suffix.lower() == ".xlsm" else "xlsx"


def _not_ooxml_book(path: Path, names: set[str]) -> BookError:
    if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
        return _damaged(path, "в книге нет описания листов xl/workbook.xml")
    inner = sorted(n for n in names if n.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")))
    hint = (f"внутри него книга «{_short(inner[0], 80)}»: распакуйте архив и укажите саму книгу" if inner
            else "распакуйте его и укажите книгу Excel, которая лежит внутри")
    return BookError(f"Файл «{path.name}» — это архив ZIP, а не книга Excel: {hint}.",
                     path=str(path), code="damaged")


def _zip_kind(path: Path) -> str:
    """ods, xlsm, xlsb or xlsx — or a BookError for a zip that is no workbook, damaged or a zip bomb."""
    try:
        with zipfile.ZipFile(path) as z:
            _check_zip(z, path)
            return _zip_kind_of(z, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise _damaged(path, "архив книги не читается", exc) from exc


def _ole_kind(path: Path) -> str:
    """xls — or a BookError for an encrypted OOXML book or a Word .doc (both are OLE containers)."""
    with path.open("rb") as fh:
        blob = fh.read(4 * 1024 * 1024)
    if "EncryptionInfo".encode("utf-16-le") in blob:
        raise _encrypted(path)
    if "WordDocument".encode("utf-16-le") in blob:
        raise BookError(f"Файл «{path.name}» — это документ Word (.doc), а не книга Excel.",
                        path=str(path), code="not-a-workbook")
    return "xls"


def _check_is_file(path: Path) -> None:
    if not path.exists():
        raise BookError(f"Файл не найден: {path}", path=str(path), code="file-not-found")
    if path.is_dir():
        raise BookError(f"Это папка, а не файл книги: {path}", path=str(path), code="not-a-workbook")
    if path.name.startswith("~$"):
        raise BookError(
            f"«{path.name}» — служебный файл, который Excel создаёт на время открытия книги. "
            "Откройте саму книгу (без «~$» в начале имени).",
            path=str(path), code="lock-file",
        )
    if not path.is_file():
        raise BookError(f"«{path.name}» — не обычный файл (канал, устройство или сокет), а не книга Excel: "
                        "укажите файл книги.", path=str(path), code="not-a-workbook")


def _read_head(path: Path, size: int = 512) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except PermissionError as exc:
        raise BookError(f"Файл «{path.name}» нельзя прочитать: у вашей учётной записи нет доступа к нему. "
                        "Попросите владельца открыть доступ или скопируйте книгу в свою папку.",
                        path=str(path), code="no-access") from exc
    except OSError as exc:
        raise BookError(f"Не удалось прочитать файл «{path.name}» с диска ({exc.strerror or exc}). "
                        "Скопируйте книгу в другую папку и попробуйте ещё раз.",
                        path=str(path), code="unreadable") from exc


def _sniff(path: Path) -> str:
    """The kind of spreadsheet file, from its first bytes; BookError if it is none."""
    _check_is_file(path)
    head = _read_head(path)
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    if not head:
        raise BookError(f"Файл пустой (0 байт): {path}. Возьмите книгу из резервной копии или попросите "
                        "прислать её ещё раз.", path=str(path), code="not-a-workbook")
    raise _not_a_book(path, head)


def open_workbook(path: Path) -> tuple[Any, str]:
    """The calamine workbook and its kind (xlsx, xlsm, xlsb, xls, ods), whatever the file is named.

    python-calamine is imported here, not with the module: the book read through xlwings (desktop buttons,
    the МНЦ's server, xlwings Lite in the browser, where calamine is not installed) never opens a file."""
    import python_calamine as calamine

    kind = _sniff(path)
    try:
        if path.suffix.lower() in _CALAMINE_SUFFIXES[kind]:
            return calamine.CalamineWorkbook.from_path(str(path)), kind
        with path.open("rb") as fh:  # misnamed: calamine picks the reader from the extension
            return calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read())), kind
    except calamine.PasswordError as exc:
        raise _encrypted(path) from exc
    except Exception as exc:  # calamine raises several error types for broken files
        if "cell limit" in str(exc).lower():  # an .ods is loaded whole: its far cell shows here
            raise _far_cell_error("", book=path.name) from exc
        detail = "двоичная книга .xlsb" if kind == "xlsb" else ""
        raise _damaged(path, detail, exc) from exc


def _extension_finding(path: Path, kind: str) -> Finding | None:
    """A warning when the file's name says one format and its content another."""
    if path.suffix.lower() in _PROPER_SUFFIXES[kind]:
        return None
    proper = ".xlsx" if kind in ("xlsx", "xlsm") and path.suffix.lower() != ".xlsm" else f".{kind}"
    return Finding(
        code="wrong-extension", severity=Severity.WARNING, value=path.suffix or "(нет расширения)",
        message=f"Файл «{path.name}» на самом деле {_KIND_TITLES[kind]}: программа прочитала его по содержимому. "
                f"Переименуйте его в «{path.stem}{proper}», иначе Excel или LibreOffice могут его не открыть.",
    )


# --- checking an xlsx sheet before calamine loads it ---------------------------------------------

_ROW_NUMBER = re.compile(rb"<row\b[^>]*? r=\"(\d+)\"")  # literal prefixes keep these scans fast
_ANY_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_COLUMN_LETTERS = {3: re.compile(rb" r=\"([A-Z]{3})\d"), 2: re.compile(rb" r=\"([A-Z]{2,3})\d")}
_WIDEST = {1: 26, 2: 702, 3: 16384}
_FORMULA_WITHOUT_VALUE = re.compile(rb"</f>(?:<v ?/>)?</c>")  # «<v></v>» is a saved empty text (Excel, XlsxWriter)
_CELL_START = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>/]*>[^<]|<(?:\w+:)?is\b")
_CELL_REF = re.compile(rb"\sr=\"([A-Z]{1,3})(\d+)\"")
_PREFIXED_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?\sr=\"([A-Z]{1,3})(\d+)\"[^>]*)>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>)?\s*</(?:\w+:)?c>")
_STRING_FORMULA = re.compile(rb"\st=\"(?:str|e)\"")


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xlsx_sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in the zip, from xl/workbook.xml and its relationships."""
    try:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, zlib.error, OSError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    parts: dict[str, str] = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            if target:
                parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _chunks(z: zipfile.ZipFile, part: str, size: int = 1 << 20) -> Iterable[bytes]:
    """The part's bytes in pieces cut after a cell's end tag (else before a «<»): no tag is split."""
    carry = b""
    with z.open(part) as fh:
        while True:
            data = fh.read(size)
            if not data:
                break
            buf = carry + data
            cut = max(buf.rfind(b"</c>") + 4, buf.rfind(b":c>") + 3)
            cut = cut if cut > 3 else buf.rfind(b"<")
            if cut <= 0:
                carry = buf
                continue
            carry = buf[cut:]
            yield buf[:cut]
    if carry:
        yield carry


class _SheetScan:
    """What a sheet's XML says before calamine loads it: its rough extent and formulas without values."""

    def __init__(self) -> None:
        self.first_row = 0
        self.last_row = 0
        self.rows_seen = 0
        self.letters = 1  # the most letters in a cell reference: 1 (A–Z), 2 (to ZZ) or 3 (to XFD)
        self.empty_formulas: set[tuple[int, int]] = set()  # (0-based row, 0-based column)

    def feed(self, text: bytes) -> None:
        self._rows(text)
        if self.letters < 3 and _COLUMN_LETTERS[2].search(text):  # «AA1» or longer
            self.letters = 3 if _COLUMN_LETTERS[3].search(text) else 2
        self._formulas(text)

    def _rows(self, text: bytes) -> None:
        plain = b"<row" in text
        first = (_ROW_NUMBER if plain else _ANY_ROW_NUMBER).search(text)
        if first is None:
            return
        self.first_row = self.first_row or int(first.group(1))
        last = _ROW_NUMBER.match(text, text.rfind(b"<row")) if plain else None
        numbers = [last.group(1)] if last else _ANY_ROW_NUMBER.findall(text)[-1:]
        self.last_row = max([self.last_row, *(int(n) for n in numbers)])
        self.rows_seen += text.count(b"<row") + text.count(b":row ")

    def _formulas(self, text: bytes) -> None:
        for m in _FORMULA_WITHOUT_VALUE.finditer(text):
            start = text.rfind(b"<c ", 0, m.start())
            self._empty_formula(text[start:text.find(b">", start)])
        if b":f>" in text:  # cells written with a namespace prefix: <x:c><x:f>
            for m in _PREFIXED_FORMULA_WITHOUT_VALUE.finditer(text):
                self._empty_formula(m.group(1))

    def _empty_formula(self, attributes: bytes) -> None:
        ref = _CELL_REF.search(attributes)
        if ref and not _STRING_FORMULA.search(attributes):
            self.empty_formulas.add((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1))

    def height(self) -> int:
        return max(max(self.last_row, self.rows_seen) - max(self.first_row, 1) + 1, 0)

    def cells_bound(self, widest: int | None = None) -> int:
        """At least the number of cells calamine will allocate for the sheet."""
        return self.height() * (widest or _WIDEST[self.letters])


def _widest_column(z: zipfile.ZipFile, part: str, letters: int) -> int:
    """The farthest column named in the sheet (with or without a value)."""
    widest = 26
    for text in _chunks(z, part):
        found = set(_COLUMN_LETTERS[letters].findall(text))
        if found:
            widest = max(widest, *(_column_number(c) for c in found))
    return widest


def _filled_extent(z: zipfile.ZipFile, part: str) -> tuple[int, int, int, int, str]:
    """First and last row and column (1-based) of the cells that hold a value, and the farthest one."""
    top = left = 1 << 30
    bottom = right = 0
    far = ""
    carry = b""
    for text in _chunks(z, part):
        buf = carry + text
        carry = b""
        for m in _CELL_START.finditer(buf):
            if m.group(2):
                continue  # <c …/>: no value
            end = _CELL_END.search(buf, m.end())
            if end is None:
                carry = buf[m.start():]
                break
            ref = _CELL_REF.search(m.group(0))
            if ref is None or not _CELL_VALUE.search(buf, m.end(), end.start()):
                continue
            row, col = int(ref.group(2)), _column_number(ref.group(1))
            top, left = min(top, row), min(left, col)
            if row > bottom or col > right:
                far = f"{ref.group(1).decode()}{row}"
            bottom, right = max(bottom, row), max(right, col)
    return top, left, bottom, right, far


def _far_cell_error(sheet: str, far: str = "", cells: int = 0, book: str = "") -> BookError:
    """A sheet whose filled cells span too big a rectangle (``book``: the sheet is not known)."""
    area = f"{cells:,} ячеек".replace(",", " ") if cells else "слишком большую площадь"
    where = f" (последняя заполненная ячейка — {far})" if far else ""
    subject = f"Лист «{sheet}»" if sheet else f"Один из листов книги «{book}»"
    return BookError(
        f"{subject} слишком велик для чтения: заполненные ячейки занимают {area}{where}. Обычно это "
        "случайный пробел или символ далеко от таблицы. Нажмите на этом листе Ctrl+End, удалите лишние строки "
        "и столбцы (выделите их → Удалить) и сохраните книгу.",
        sheet=sheet, code="sheet-too-big",
    )


def _scan_xlsx_sheet(z: zipfile.ZipFile, sheet: str, part: str) -> _SheetScan:
    scan = _SheetScan()
    for text in _chunks(z, part):
        scan.feed(text)
    if scan.cells_bound() <= MAX_SHEET_CELLS:
        return scan
    if scan.letters > 1 and scan.cells_bound(_widest_column(z, part, scan.letters)) <= MAX_SHEET_CELLS:
        return scan
    top, left, bottom, right, far = _filled_extent(z, part)  # rare: the cells that really hold values
    cells = max(bottom - top + 1, 0) * max(right - left + 1, 0)
    if cells > MAX_SHEET_CELLS:
        raise _far_cell_error(sheet, far, cells)
    return scan


def scan_xlsx_sheets(path: Path, sheet_names: Iterable[str]) -> dict[str, _SheetScan]:
    """Check the sheets of an xlsx/xlsm before calamine loads them (a stray value in XFD1048576 would
    make it allocate a rectangle of 17 billion cells); parts it cannot find are left to calamine."""
    found: dict[str, _SheetScan] = {}
    try:
        with zipfile.ZipFile(path) as z:
            parts = _xlsx_sheet_parts(z)
            names = set(z.namelist())
            for sheet in sheet_names:
                part = parts.get(sheet)
                if part in names:
                    found[sheet] = _scan_xlsx_sheet(z, sheet, part)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        pass  # calamine will say what is wrong with the file
    return found


# --- finding sheets and headers ---------------------------------------------------------------


def _sheet_key(name: str) -> str:
    """Normalised sheet name, without a leading «1.» or «Лист 2 -» numbering."""
    return re.sub(r"^\d+[.)]?\s*", "", norm(name))


def _wanted_keys(spec: Sheet) -> set[str]:
    return {_sheet_key(a) for a in (spec.name, *spec.aliases)}


def _similar_sheets(spec: Sheet, sheet_names: Sequence[str]) -> list[str]:
    """Sheets whose name starts with the sheet's name or a synonym and goes on («Пары 2024»)."""
    wanted = _wanted_keys(spec)
    return [n for n in sheet_names
            if any(re.match(re.escape(w) + r"[\s(\d_.,-]", _sheet_key(n)) for w in wanted)]


def match_sheets(sheet_names: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Schema sheet key → the book's sheet name; and the book's sheets nobody claimed.

    An exact (normalised) name or synonym wins; otherwise a single sheet whose name starts with
    one («Наставники 2024-2025», «Пары (1 полугодие)») is taken.
    """
    found: dict[str, str] = {}
    for spec in DATA_SHEETS:
        wanted = _wanted_keys(spec)
        for name in sheet_names:
            if _sheet_key(name) in wanted and name not in found.values():
                found[spec.key] = name
                break
    for spec in DATA_SHEETS:
        if spec.key in found:
            continue
        candidates = [n for n in _similar_sheets(spec, sheet_names) if n not in found.values()]
        if len(candidates) == 1:
            found[spec.key] = candidates[0]
    claimed = set(found.values())
    extra = [n for n in sheet_names if n not in claimed and _sheet_key(n) not in _KNOWN_OTHER_SHEETS]
    return found, extra


@cache
def _header_index(columns: tuple[Column, ...]) -> tuple[dict[str, Column], dict[str, Column]]:
    canonical: dict[str, Column] = {}
    alias: dict[str, Column] = {}
    for col in columns:
        canonical.setdefault(norm(col.header), col)
        for a in col.aliases:
            alias.setdefault(norm(a), col)
    return canonical, alias


def match_headers(cells: Sequence[object], columns: Sequence[Column]) -> tuple[list[HeaderMatch], list[str]]:
    """Which cell of a header row is which column; canonical names win over synonyms."""
    canonical, alias = _header_index(tuple(columns))
    matches: dict[str, HeaderMatch] = {}
    taken: set[int] = set()
    texts = [("" if is_blank(c) else " ".join(str(c).split())) for c in cells]
    for pass_index, index in enumerate((canonical, alias)):
        for i, text in enumerate(texts):
            if not text or i in taken:
                continue
            col = index.get(norm(text))
            if col is None or col.field in matches:
                continue
            how = "синоним" if pass_index else ("точно" if text == col.header else "после нормализации")
            matches[col.field] = HeaderMatch(col.field, col.header, text, i + 1, how)
            taken.add(i)
    ignored = [_short(t) for i, t in enumerate(texts) if t and i not in taken]
    return sorted(matches.values(), key=lambda m: m.column), ignored


def _find_header_row(rows: SheetRows, columns: Sequence[Column], limit: int) -> tuple[int, list[HeaderMatch], list[str]]:
    """The 0-based index of the row among the first ``limit`` that names the most columns."""
    best = (-1, [], [])  # type: tuple[int, list[HeaderMatch], list[str]]
    for r, cells in rows:
        if r >= limit:
            break
        matches, ignored = match_headers(cells, columns)
        if len(matches) > len(best[1]):
            best = (r, matches, ignored)
            if len(matches) == len(columns):
                break  # every column named: no later row can name more
    return best


def _first_row_texts(rows: SheetRows, limit: int) -> list[str]:
    """The texts of the first filled row: where the headers should be when none is recognised."""
    for r, cells in rows:
        if r >= limit:
            break
        texts = [_short(" ".join(str(c).split())) for c in cells if not is_blank(c)]
        if texts:
            return texts[:20]
    return []


def _missing_headers_error(spec: Sheet, sheet_name: str, missing: list[Column], seen: list[str],
                           blank_top: bool = False) -> BookError:
    names = ", ".join(f"«{c.header}»" for c in missing)
    hints = []
    for col in missing:
        close = difflib.get_close_matches(norm(col.header), [norm(s) for s in seen], n=1, cutoff=0.6)
        if close:
            original = next(s for s in seen if norm(s) == close[0])
            hints.append(f"«{original}» — это «{col.header}»? Переименуйте заголовок.")
    seen_text = ", ".join(f"«{s}»" for s in seen) if seen else "нет"
    seen_text += " (в первых строках листа пусто)" if blank_top else ""
    msg = (f"Лист «{sheet_name}»: не найдены обязательные столбцы {names}. "
           f"Нераспознанные заголовки: {seen_text}.")
    if hints:
        msg += " " + " ".join(hints)
    return BookError(msg, sheet=sheet_name, code="missing-column")


def _is_numbering_row(cells: Sequence[object], matches: list[HeaderMatch]) -> bool:
    """A row «1 2 3 4 …» under the headers, as official forms have."""
    values = [cells[m.column - 1] if m.column - 1 < len(cells) else None for m in matches]
    values = [v for v in values if not is_blank(v)]
    if len(values) < 3:
        return False
    try:
        nums = [int(float(str(v))) for v in values]
    except ValueError:
        return False
    return nums == list(range(nums[0], nums[0] + len(nums)))


def _read_rows(spec: Sheet, sheet_name: str, rows: SheetRows, header_at: int, matches: list[HeaderMatch],
               empty_formulas: Collection[tuple[int, int]] = ()) -> tuple[list[Row], int, list[Finding]]:
    """Typed rows under the header; ``skipped`` counts blank rows between data rows.

    ``empty_formulas`` are the (0-based row, column) cells whose formula has no saved value:
    calamine sees them blank, so a blank one among the data is reported.
    """
    out: list[Row] = []
    findings: list[Finding] = []
    blank_formulas: list[tuple[int, HeaderMatch]] = []
    skipped = 0
    last = header_at
    cols = [(m, spec.column(m.field)) for m in matches]
    for r, cells in rows:
        if r <= header_at:
            continue
        raw = {m.field: (cells[m.column - 1] if m.column - 1 < len(cells) else None) for m, _ in cols}
        if all(is_blank(raw[m.field]) for m, col in cols if not col.computed):
            continue
        if r == header_at + 1 and _is_numbering_row(cells, matches):
            skipped += 1
            last = r
            continue
        skipped += r - last - 1
        last = r
        row: Row = {"_row": r + 1}
        for m, col in cols:
            cell = (r, m.column - 1)
            if empty_formulas and cell in empty_formulas and not col.computed and is_blank(raw[m.field]):
                blank_formulas.append((r, m))
            value, problem = convert(raw[m.field], col)
            row[m.field] = value
            if problem:
                findings.append(_finding(problem, sheet_name, r + 1, m.written, m.field, raw[m.field]))
        for col in spec.columns:
            row.setdefault(col.field, None)
        out.append(row)
    if blank_formulas:
        findings.insert(0, _formulas_finding(sheet_name, blank_formulas))
    return out, skipped, findings


def _formulas_finding(sheet_name: str, cells: list[tuple[int, HeaderMatch]]) -> Finding:
    r, m = cells[0]
    return Finding(
        code="formula-without-value", severity=Severity.WARNING, sheet=sheet_name, row=r + 1, column=m.written,
        field=m.field, value=len(cells),
        message=f"Ячеек с формулой без сохранённого значения: {len(cells)} "
                f"(первая — {_column_letters(m.column)}{r + 1}). Программа видит их пустыми: книгу сохранила "
                "программа, которая не вычисляет формулы. Откройте книгу в Excel или LibreOffice и сохраните её — "
                "значения формул запишутся.",
    )


def _duplicate_columns(spec: Sheet, sheet_name: str, cells: Sequence[object], header_row: int,
                       matches: list[HeaderMatch]) -> list[Finding]:
    """A warning for each header that names a column already found elsewhere in the row (two «ФИО»)."""
    canonical, alias = _header_index(tuple(spec.columns))
    by_field = {m.field: m for m in matches}
    taken = {m.column for m in matches}
    found: list[Finding] = []
    for i, cell in enumerate(cells):
        key = "" if is_blank(cell) else norm(" ".join(str(cell).split()))
        col = (canonical.get(key) or alias.get(key)) if key else None
        read = by_field.get(col.field) if col else None
        if read is None or i + 1 in taken:
            continue
        text, letter = _short(" ".join(str(cell).split())), _column_letters(read.column)
        found.append(Finding(
            code="duplicate-column", severity=Severity.WARNING, sheet=sheet_name, row=header_row,
            column=text, field=read.field,
            message=f"Столбец «{text}» ({_column_letters(i + 1)}) повторяет столбец «{read.written}» "
                    f"({letter}): программа читает только столбец {letter}. "
                    "Удалите лишний столбец или перенесите его данные в нужный.",
        ))
    return found


def _finding(problem: Problem, sheet: str, row: int, column: str, field: str, raw: object) -> Finding:
    return Finding(code=problem.code, severity=Severity.WARNING if problem.warning else Severity.ERROR,
                   sheet=sheet, row=row, column=column, field=field, value=_jsonable(raw),
                   message=problem.message[0].upper() + problem.message[1:] + ".")


def _jsonable(value: object) -> object:
    if isinstance(value, str):
        return _short(value, SHOWN_VALUE)
    return value if isinstance(value, (int, float, bool)) or value is None else _short(str(value), SHOWN_VALUE)


def _short(text: str, limit: int = SHOWN_TEXT) -> str:
    """``text`` cut to ``limit`` characters with «…» (a 1 MB cell must not become a 1 MB message)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def read_table(spec: Sheet, sheet_name: str, rows: SheetRows, search_rows: int = HEADER_SEARCH_ROWS,
               empty_formulas: Collection[tuple[int, int]] = ()) -> Table:
    """One data sheet (or the contingent part of «Организация») as a typed table."""
    header_at, matches, ignored = locate_header(spec, sheet_name, rows, search_rows)
    header_cells = next(cells for r, cells in rows if r == header_at)
    duplicates = _duplicate_columns(spec, sheet_name, header_cells, header_at + 1, matches)
    data, skipped, findings = _read_rows(spec, sheet_name, rows, header_at, matches, empty_formulas)
    return Table(spec, sheet_name, header_at + 1, data, matches, ignored, skipped, duplicates + findings)


def _read_card(sheet_name: str, rows: SheetRows, stop_at: int) -> tuple[dict[str, Any], dict[str, int], list[Finding]]:
    """Key/value fields: a label in some column, its value in the next filled cell to the right.

    Canonical labels win over synonyms (the sheet's title «Организация» is not the name).
    """
    canonical, alias = _header_index(ORGANISATION.card)
    card: dict[str, Any] = {}
    where: dict[str, int] = {}
    findings: list[Finding] = []
    for index in (canonical, alias):
        for r, cells in rows:
            if r >= stop_at:
                break
            for c, cell in enumerate(cells):
                col = index.get(norm(cell)) if isinstance(cell, str) else None
                if col is None or col.field in where:
                    continue
                value = next((v for v in cells[c + 1:] if not is_blank(v)), None)
                if index is alias and value is None:
                    continue
                converted, problem = convert(value, col)
                card[col.field] = converted
                where[col.field] = r + 1
                if problem:
                    findings.append(_finding(problem, sheet_name, r + 1, col.header, col.field, value))
                break
    for col in ORGANISATION.card:
        card.setdefault(col.field, None)
        if col.required and card.get(col.field) is None:
            findings.append(Finding(code="missing-org-field", sheet=sheet_name, row=where.get(col.field),
                                    column=col.header, field=col.field,
                                    message=f"Заполните «{col.header}» в карточке организации."))
    return card, where, findings


def read_organisation(sheet_name: str, rows: SheetRows,
                      empty_formulas: Collection[tuple[int, int]] = ()) -> Organisation:
    contingent = read_table(ORGANISATION, sheet_name, rows, search_rows=rows[-1][0] + 1 if rows else 0,
                            empty_formulas=empty_formulas)
    card, where, findings = _read_card(sheet_name, rows, contingent.header_row - 1)
    if not where:
        findings.insert(0, Finding(
            code="missing-org-card", sheet=sheet_name,
            message=f"Не найдена карточка организации: над таблицей контингента впишите подписи "
                    f"(«{ORGANISATION.card[0].header}», «Муниципальное образование», «Куратор (ФИО)», "
                    "«Отчётный год») и значения справа от них.",
        ))
    contingent.findings[:0] = findings
    return Organisation(card, where, contingent)


# --- the whole book ----------------------------------------------------------------------------


def read_book(path: str | Path, sheets: Iterable[str] | None = None) -> Book:
    """Read a workbook. ``sheets`` limits reading to these schema keys (default: all).

    Required sheets among those asked for must be present; optional ones that are missing are
    listed in ``Book.missing_sheets``.
    """
    path = Path(path)
    workbook, kind = open_workbook(path)
    try:
        book = read_open_book(path, workbook, kind, sheets)
    except BookError as exc:
        raise _about_file(exc, path)
    finally:
        workbook.close()
    wrong_name = _extension_finding(path, kind)
    if wrong_name:
        book.findings.insert(0, wrong_name)
    return book


def read_open_book(path: Path, workbook: Any, kind: str, sheets: Iterable[str] | None) -> Book:
    names, to_read, missing, extra = plan_sheets(path, workbook, sheets)
    book = Book(path=path, file_kind=kind, sheet_names=names, extra_sheets=extra, missing_sheets=missing)
    scans = scan_xlsx_sheets(path, [name for _, name in to_read]) if kind in ("xlsx", "xlsm") else {}
    for spec, name in to_read:
        rows = _sheet_rows(workbook, name, path)
        formulas = scans[name].empty_formulas if name in scans else set()
        try:
            if spec is ORGANISATION:
                book.organisation = read_organisation(name, rows, formulas)
            else:
                book.tables[spec.key] = read_table(spec, name, rows, empty_formulas=formulas)
        except BookError as exc:
            if exc.code == "missing-column":
                _add_merged_hint(exc, workbook, name)
            raise
    return book


def _add_merged_hint(exc: BookError, workbook: Any, name: str) -> None:
    """Merged header cells hide every header but the first: say so when headers are missing."""
    try:
        ranges = workbook.get_sheet_by_name(name).merged_cell_ranges or []
    except Exception:  # noqa: BLE001 — only a hint is lost
        return
    shown = [f"{_column_letters(c0 + 1)}{r0 + 1}:{_column_letters(c1 + 1)}{r1 + 1}"
             for (r0, c0), (r1, c1) in ranges if r0 < HEADER_SEARCH_ROWS and c1 > c0][:3]
    if shown:
        exc.message += (f" Заголовки стоят в объединённых ячейках ({', '.join(shown)}): программа видит только "
                        "первый столбец такой ячейки. Отмените объединение (Главная → «Объединить и поместить "
                        "в центре») и впишите каждый заголовок в свою ячейку.")
        exc.args = (exc.message,)


def _about_file(exc: BookError, path: Path) -> BookError:
    """The error names the book: the curator may be checking a whole folder of them."""
    exc.path = str(path)
    if path.name not in exc.message:
        sheet_first = exc.message.startswith("Лист ")
        exc.message = (f"Книга «{path.name}», лист {exc.message[5:]}" if sheet_first
                       else f"Книга «{path.name}»: {exc.message}")
        exc.args = (exc.message,)
    return exc


def _sheet_list(names: Sequence[str]) -> str:
    shown = ", ".join(f"«{_short(n)}»" for n in names[:SHOWN_SHEETS])
    return shown + (f" и ещё {len(names) - SHOWN_SHEETS}" if len(names) > SHOWN_SHEETS else "")


def _check_required_sheets(path: Path, names: list[str], required_absent: list[Sheet]) -> None:
    if not required_absent:
        return
    for spec in required_absent:
        similar = _similar_sheets(spec, names)
        if len(similar) > 1:
            raise BookError(
                f"В книге «{path.name}» несколько листов, похожих на «{spec.name}»: {_sheet_list(similar)}"
                f". Оставьте один из них или переименуйте нужный в «{spec.name}».",
                path=str(path), sheet=spec.name, code="ambiguous-sheet",
            )
    listed = ", ".join(f"«{s.name}»" for s in required_absent)
    raise BookError(
        f"В книге «{path.name}» нет листа {listed}. Листы книги: {_sheet_list(names)}. "
        "Проверьте, что это книга куратора наставничества.",
        path=str(path), sheet=required_absent[0].name, code="missing-sheet",
    )


_NOT_A_TABLE = {"ChartSheet": "диаграмма", "DialogSheet": "диалоговое окно", "MacroSheet": "лист макросов",
                "Vba": "модуль макросов"}


def _check_sheet_types(workbook: Any, names: list[str]) -> None:
    """A sheet we need that is a chart (or a macro sheet) has no cells to read."""
    try:
        types = {m.name: str(m.typ).rsplit(".", 1)[-1] for m in workbook.sheets_metadata}
    except Exception:  # noqa: BLE001 — only a better message is lost
        return
    for name in names:
        what = _NOT_A_TABLE.get(types.get(name, ""))
        if what:
            raise BookError(
                f"Лист «{name}» — это {what}, а не таблица. Переименуйте его и верните на лист «{name}» "
                "таблицу с заголовками (например, из резервной копии книги или из шаблона).",
                sheet=name, code="not-a-table",
            )


def _sheet_rows(workbook: Any, name: str, path: Path, max_cells: int | None = None,
                blank_rows: bool = False) -> SheetRows:
    """The sheet's non-blank rows as (0-based row index, cells from column A).

    Sparse on purpose: a stray space in row 1 048 576 must not make a million empty rows.
    ``max_cells``: refuse a sheet that calamine loaded as a bigger rectangle, before its rows are
    turned into Python objects. ``blank_rows``: keep blank rows too (the caller skips them).
    """
    try:
        sheet = workbook.get_sheet_by_name(name)
        loaded = sheet.height * sheet.width if max_cells is not None else 0
    except Exception as exc:
        raise _sheet_error(exc, name, path) from exc
    if max_cells is not None and loaded > max_cells:
        raise _far_cell_error(name, cells=loaded)
    try:
        start = sheet.start
        pad = [""] * (start[1] if start else 0)
        if blank_rows:
            return [(r, pad + cells) for r, cells in enumerate(sheet.iter_rows())] if pad else \
                list(enumerate(sheet.iter_rows()))
        return [(r, pad + cells if pad else cells) for r, cells in enumerate(sheet.iter_rows())
                if any(cell != "" for cell in cells)]
    except Exception as exc:
        raise _sheet_error(exc, name, path) from exc


def _sheet_error(exc: Exception, name: str, path: Path) -> BookError:
    if "cell limit" in str(exc).lower():
        return _far_cell_error(name)
    return BookError(f"Книга «{path.name}»: не удалось прочитать лист «{name}» — файл повреждён. {RESAVE}. "
                     f"Техническая причина: {_short(str(exc) or type(exc).__name__, 200)}.",
                     path=str(path), sheet=name, code="damaged")


# --- for other read paths (book/fast.py reads only the sheets and columns the regional summary needs) ----


def plan_sheets(path: Path, workbook: Any, keys: Iterable[str] | None) -> tuple[list[str], list[tuple[Sheet, str]],
                                                                             list[str], list[str]]:
    """The book's sheet names; the schema sheets among ``keys`` (None: all) it has, as (spec, its sheet name);
    the names of those it lacks; and its sheets nobody claimed. BookError when a required one is absent,
    ambiguous or not a table."""
    names = list(workbook.sheet_names)
    if not names:
        raise _damaged(path, "в книге нет ни одного листа")
    found, extra = match_sheets(names)
    wanted = [s for s in DATA_SHEETS if keys is None or s.key in set(keys)]
    absent = [s for s in wanted if s.key not in found]
    _check_required_sheets(path, names, [s for s in absent if s.required])
    to_read = [(spec, found[spec.key]) for spec in wanted if spec.key in found]
    _check_sheet_types(workbook, [name for _, name in to_read])
    return names, to_read, [s.name for s in absent], extra


def locate_header(spec: Sheet, sheet_name: str, rows: SheetRows,
                  search_rows: int = HEADER_SEARCH_ROWS) -> tuple[int, list[HeaderMatch], list[str]]:
    """The 0-based header row, how its headers were understood and those ignored; BookError naming
    the missing columns when the sheet's required headers are not found."""
    header_at, matches, ignored = _find_header_row(rows, spec.columns, search_rows)
    missing = [c for c in spec.required_columns if c.field not in {m.field for m in matches}]
    if header_at < 0 or len(matches) < 2 or missing:
        seen = ignored if header_at >= 0 else _first_row_texts(rows, search_rows)
        raise _missing_headers_error(spec, sheet_name, missing or list(spec.required_columns), seen,
                                     blank_top=header_at < 0 and not seen)
    return header_at, matches, ignored


def sheet_rows(workbook: Any, name: str, path: Path, max_cells: int | None = None,
               blank_rows: bool = False) -> SheetRows:
    """The sheet's non-blank rows (``blank_rows``: all rows) as (0-based row index, cells from column A);
    with ``max_cells``, a BookError when calamine loaded it as a bigger rectangle."""
    return _sheet_rows(workbook, name, path, max_cells, blank_rows)


def is_numbering_row(cells: Sequence[object], matches: list[HeaderMatch]) -> bool:
    """A row «1 2 3 4 …» under the headers, as official forms have (the reader skips it)."""
    return _is_numbering_row(cells, matches)


def cell_finding(problem: Problem, sheet: str, row: int, column: str, field: str, raw: object) -> Finding:
    """The finding the reader reports for a cell it could not convert."""
    return _finding(problem, sheet, row, column, field, raw)


def about_file(exc: BookError, path: Path) -> BookError:
    """``exc`` naming the book (a folder of books is being read)."""
    return _about_file(exc, path)


def explain_missing_columns(exc: BookError, workbook: Any, name: str) -> None:
    """Add the hint on merged header cells to a missing-column error, as :func:`read_book` does."""
    if exc.code == "missing-column":
        _add_merged_hint(exc, workbook, name)


def xlsx_sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part in an xlsx/xlsm zip."""
    return _xlsx_sheet_parts(z)
