"""Append rows (the pairs a curator accepted) to a data sheet's Excel Table, at the zip level.

The sheet's XML is edited as text, like the output-sheet writer does (:mod:`nastavnik_xl.book.writer`):
only the sheet part, its table part (when the table has to grow) and ``styles.xml`` (when a cell
needs a number format the book lacks) change; every other entry keeps its bytes.

- The rows go into the Table's spare rows: the rows after its last data row whose cells are empty but
  for the computed columns' formulas (the template leaves 200 of them, because LibreOffice does not grow
  tables). A sheet without a Table gets the rows under its last data row.
- When the spare rows run out, the Table's range grows: the new rows get the styles of its last row,
  the computed columns' formulas (A1 references moved to the new row), and the data validations and
  conditional formats that reached the last row reach the new ones.
- Text is written as an inline string (never a formula, whatever it starts with), numbers as numbers,
  dates as serials of the book's date system with a date format. Each cell keeps its style; an
  unstyled cell takes its column's style in the data rows above (else its row's or column's), and a
  date or a percentage gets the date format or the Table column's number format it lacks.
- Computed formula cells are never overwritten; in the rows filled their saved result is dropped (it was
  computed for an empty row), so Excel and LibreOffice compute it afresh.
- Writes are atomic; a book open in Excel or LibreOffice, read-only, or not .xlsx/.xlsm is a
  :class:`BookError` and the file is left as it was.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import math
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from nastavnik_xl.book.reader import _sniff
from nastavnik_xl.book.writer import (
    _ATTRS,
    _REL_OFFICE_DOCUMENT,
    _REL_STYLES,
    _REL_WORKSHEET,
    _atomic_write,
    _attrs,
    _check_writable,
    _child,
    _children,
    _copy_info,
    _NotEditable,
    _Package,
    _read_package,
    _root,
    _set_attr,
    _splice,
    _with_element,
    _with_section,
)
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import DATA_SHEETS, norm


@dataclass(frozen=True)
class AppendResult:
    path: Path
    excel_rows: list[int]  # the Excel row numbers written, in order
    extended: bool  # True when the Table's range had to grow


_EDITABLE_KINDS = frozenset({"xlsx", "xlsm"})
_KIND_NAMES = {"xls": "Excel 97–2003 (.xls)", "ods": "OpenDocument (.ods)", "xlsb": "двоичной книги Excel (.xlsb)"}
_REL_TABLE_SUFFIX = "/table"
_REL_SHARED_STRINGS_SUFFIX = "/sharedStrings"
_MAX_ROW = 1_048_576
_MAX_COL = 16_384
_HEADER_SEARCH_ROWS = 50
_STYLE_SEARCH_ROWS = 50  # how far up an unstyled cell looks for its column's style
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)})
_DEFAULT_DATE_FORMAT = 14  # the short date of the reader's locale (ДД.ММ.ГГГГ in Russian Excel)
_CUSTOM_FORMATS_FROM = 164


# --- the public entry point --------------------------------------------------------------------


def append_rows(book: Path, sheet_name: str, rows: list[dict[str, object]]) -> AppendResult:
    """Write ``rows`` (header as written in the book → value) into the first spare rows of ``sheet_name``.

    Values: ``str`` (always text), ``int``/``float``, ``datetime.date``/``datetime``, ``bool`` («да»/«нет»),
    a list or tuple (joined with «; »), ``None`` or ``""`` (the cell is left as it is). Headers match
    whatever the case, ё/е and spaces, and through the schema's aliases. Raises :class:`BookError`
    (Russian message) when the book cannot take the rows; the file is then untouched.
    """
    book = Path(book)
    kind = _sniff(book)
    if kind not in _EDITABLE_KINDS:
        raise BookError(
            f"Книга «{book.name}» сохранена в формате {_KIND_NAMES.get(kind, kind)}: пары можно внести только "
            "в книгу .xlsx или .xlsm. Откройте её в Excel или LibreOffice, сохраните как «Книга Excel (.xlsx)» "
            "и повторите с сохранённой книгой.",
            path=str(book), sheet=sheet_name, code="not-editable",
        )
    target = book.resolve()
    _check_writable(target)
    package = _read_package(target)
    try:
        changed, written, extended = _Append(package, sheet_name, book).run(rows)
    except _NotEditable as exc:
        raise BookError(
            f"Книгу «{book.name}» не удалось изменить: её внутреннее устройство необычно ({exc}). Откройте её "
            "в Excel, сохраните как «Книга Excel (.xlsx)» и повторите.",
            path=str(book), sheet=sheet_name, code="not-editable",
        ) from exc
    if changed:
        entries = [(_copy_info(i), changed.get(i.filename, package.data[i.filename])) for i in package.infos]
        _atomic_write(target, entries, stat.S_IMODE(target.stat().st_mode))
    return AppendResult(book, written, extended)


# --- cell references -----------------------------------------------------------------------------


def _col_number(letters: str) -> int:
    """1-based column number of «AB»."""
    return xl_cell_to_rowcol(letters.upper() + "1")[1] + 1


def _col_letters(number: int) -> str:
    """Letters of the 1-based column ``number``."""
    return xl_col_to_name(number - 1)


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _parse_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` → (row 12, column 2)."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise _NotEditable(f"bad cell reference {ref!r}")
    return int(m.group(2)), _col_number(m.group(1))


def _parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:Q201"`` → (top, left, bottom, right)."""
    first, _, last = ref.partition(":")
    top, left = _parse_ref(first)
    bottom, right = _parse_ref(last) if last else (top, left)
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def _range_ref(top: int, left: int, bottom: int, right: int) -> str:
    first = f"{_col_letters(left)}{top}"
    return first if (top, left) == (bottom, right) else f"{first}:{_col_letters(right)}{bottom}"


# --- moving A1 references in a formula ------------------------------------------------------------

_A1 = re.compile(
    r"(?<![\w.\\$:])(?P<r1abs>\$?)(?P<r1>\d+):(?P<r2abs>\$?)(?P<r2>\d+)(?![\w.(:])"  # whole rows: 2:5
    r"|(?<![\w.\\])(?P<cabs>\$?)(?P<col>[A-Za-z]{1,3})(?P<rabs>\$?)(?P<row>\d+)(?![\w.(\[!])"  # a cell: $B12
)


def _formula_segments(formula: str) -> list[tuple[bool, str]]:
    """The formula cut into (is_code, text): string literals, quoted sheet names and [structured]
    references are not code and never change."""
    out: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch in "\"'":
            end = i + 1
            while end < n and not (formula[end] == ch and formula[end + 1:end + 2] != ch):
                end += 2 if formula[end] == ch else 1
            out += [(True, formula[start:i]), (False, formula[i:end + 1])]
            i = start = end + 1
        elif ch == "[":
            depth, end = 0, i
            while end < n:
                if formula[end] == "'":
                    end += 1
                elif formula[end] == "[":
                    depth += 1
                elif formula[end] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            out += [(True, formula[start:i]), (False, formula[i:end + 1])]
            i = start = end + 1
        else:
            i += 1
    out.append((True, formula[start:]))
    return [s for s in out if s[1]]


def shift_formula(formula: str, rows: int, cols: int = 0) -> str:
    """``formula`` as it reads when copied ``rows`` down and ``cols`` right: relative A1 references move,
    ``$``-anchored parts, structured references, names and strings stay; a reference pushed off the
    sheet becomes ``#REF!``."""
    references = _references(formula)
    if not references or (rows, cols) == (0, 0):
        return formula
    return "".join(_replaced(formula, references, lambda m: _moved(m, rows, cols)))


@lru_cache(maxsize=256)
def _references(formula: str) -> tuple[re.Match[str], ...]:
    """The A1 references of a formula (found in its code, never in strings or [structured references])."""
    return tuple(_A1.finditer(_code_mask(formula)))


def _moved(m: re.Match[str], rows: int, cols: int) -> str:
    if m.group("r1") is not None:
        first = int(m.group("r1")) + (0 if m.group("r1abs") else rows)
        last = int(m.group("r2")) + (0 if m.group("r2abs") else rows)
        if not (1 <= first <= _MAX_ROW and 1 <= last <= _MAX_ROW):
            return "#REF!"
        return f"{m.group('r1abs')}{first}:{m.group('r2abs')}{last}"
    if _col_number(m.group("col")) > _MAX_COL:
        return m.group(0)  # not a reference (a name such as «ABC12345»)
    col = _col_number(m.group("col")) + (0 if m.group("cabs") else cols)
    row = int(m.group("row")) + (0 if m.group("rabs") else rows)
    if not (1 <= row <= _MAX_ROW and 1 <= col <= _MAX_COL):
        return "#REF!"
    return f"{m.group('cabs')}{_col_letters(col)}{m.group('rabs')}{row}"


def _code_mask(formula: str) -> str:
    """``formula`` with the inside of strings, quoted names and [structured references] blanked out: the
    same length, so the references found in it are where they are in the formula."""
    out = []
    for is_code, text in _formula_segments(formula):
        out.append(text if is_code else text[0] + "\0" * (len(text) - 1))
    return "".join(out)


def _replaced(text: str, matches: Iterable[re.Match[str]], new: Callable[[re.Match[str]], str]) -> Iterable[str]:
    pos = 0
    for m in matches:
        yield text[pos:m.start()]
        yield new(m)
        pos = m.end()
    yield text[pos:]


# --- XML text --------------------------------------------------------------------------------------

_ROW = re.compile(rf"<(?P<name>(?:[\w.-]+:)?row)(?=[\s/>])(?P<attrs>{_ATTRS})\s*(?:/>|>(?P<body>.*?)</(?P=name)\s*>)",
                  re.DOTALL)
_CELL = re.compile(rf"<(?P<name>(?:[\w.-]+:)?c)(?=[\s/>])(?P<attrs>{_ATTRS})\s*(?:/>|>(?P<body>.*?)</(?P=name)\s*>)",
                   re.DOTALL)
_FORMULA = re.compile(rf"<(?P<name>(?:[\w.-]+:)?f)(?=[\s/>])(?P<attrs>{_ATTRS})\s*(?:/>|>(?P<text>.*?)</(?P=name)\s*>)",
                      re.DOTALL)
_VALUE = re.compile(r"<(?P<name>(?:[\w.-]+:)?v)(?:\s[^>]*)?(?:/>|>(?P<text>.*?)</(?P=name)\s*>)", re.DOTALL)
_TEXT_RUN = re.compile(r"<(?P<name>(?:[\w.-]+:)?t)(?=[\s/>])[^>]*?(?:/>|>(?P<text>.*?)</(?P=name)\s*>)", re.DOTALL)
_PHONETIC = re.compile(r"<(?P<name>(?:[\w.-]+:)?rPh)\b.*?</(?P=name)\s*>", re.DOTALL)
_ATTR_PAIR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+")
_ESCAPED_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _text_of(xml: str) -> str:
    """The plain text of an ``<si>`` or ``<is>`` body (runs joined, phonetic hints left out)."""
    xml = _PHONETIC.sub("", xml)
    return _unescape_text("".join(html.unescape(m.group("text") or "") for m in _TEXT_RUN.finditer(xml)))


def _unescape_text(text: str) -> str:
    return _ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


def _escape_text(text: str) -> str:
    """Cell text for XML: markup escaped, characters XML cannot hold as ``_xHHHH_`` (as Excel does)."""
    text = _NEEDS_ESCAPE.sub(lambda m: "_x005F" + m.group(0) if len(m.group(0)) > 1 else f"_x{ord(m.group(0)):04X}_",
                             text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_attrs(raw: str) -> dict[str, str]:
    """A cell's attributes (r, s, t… never hold entities: no unescaping needed)."""
    return {k: v if v or not w else w for k, v, w in _ATTR_PAIR.findall(raw)}


def _qname(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


# --- the sheet's rows and cells ----------------------------------------------------------------------


@dataclass
class _Cell:
    col: int
    attrs: dict[str, str]
    xml: str
    formula: dict[str, str] | None  # the <f> attributes, with "" → its text (unescaped)
    value: str  # what the cell shows as text ("" when empty; formula results are not counted)

    @property
    def style(self) -> int | None:
        s = self.attrs.get("s", "")
        return int(s) if s.isdigit() else None


class _Row:
    """One ``<row>`` of sheetData; its cells are parsed when first asked for."""

    def __init__(self, grid: _Grid, m: re.Match[str], number: int, explicit: bool) -> None:
        self.grid = grid
        self.number = number
        self.start, self.end = m.start(), m.end()
        self.name = m.group("name")  # ``row`` or ``x:row``
        self.body_start = m.start("body") if m.group("body") is not None else m.end()
        self.body_end = m.end("body") if m.group("body") is not None else m.end()
        self.open_tag = grid.text[m.start():self.body_start]
        self.explicit = explicit  # it has an r attribute
        self._cells: dict[int, _Cell] | None = None
        self._tail = ""

    @property
    def cells(self) -> dict[int, _Cell]:
        if self._cells is None:
            self._cells = {}
            col = 0
            last_end = self.body_start
            for cm in _CELL.finditer(self.grid.text, self.body_start, self.body_end):
                attrs = _cell_attrs(cm.group("attrs"))
                ref = _CELL_REF.match(attrs.get("r", ""))
                col = _col_number(ref.group(1)) if ref else col + 1
                self._cells[col] = self.grid.cell(cm, col, attrs)
                last_end = cm.end()
            self._tail = self.grid.text[last_end:self.body_end]
        return self._cells

    @property
    def tail(self) -> str:
        """What follows the cells in the row (its extLst)."""
        _ = self.cells
        return self._tail

    def style(self) -> int | None:
        attrs = _attrs(self.open_tag)
        s = attrs.get("s", "")
        return int(s) if s.isdigit() and attrs.get("customFormat", "") in ("1", "true") else None


_ROW_NUMBER = re.compile(r"\sr\s*=\s*[\"'](\d+)")


class _Grid:
    """The rows of a sheet's sheetData, found in its text (in ascending order, as the format requires)."""

    def __init__(self, text: str, strings: list[str]) -> None:
        self.text = text
        self.strings = strings
        m = re.search(r"<(?P<name>(?:[\w.-]+:)?sheetData)(?=[\s/>])[^>]*?(?P<empty>/)?>", text)
        if m is None:
            raise _NotEditable("a worksheet without sheetData")
        self.data_tag = m
        self.data_end = m.end() if m.group("empty") else text.index(f"</{m.group('name')}", m.end())
        self.rows: dict[int, _Row] = {}
        self.order: list[int] = []
        number = 0
        for rm in _ROW.finditer(text, m.end(), self.data_end):
            r = _ROW_NUMBER.search(rm.group("attrs"))
            number = int(r.group(1)) if r else number + 1
            if self.order and number <= self.order[-1]:
                raise _NotEditable(f"rows out of order at row {number}")
            self.rows[number] = _Row(self, rm, number, r is not None)
            self.order.append(number)

    def cell(self, m: re.Match[str], col: int, attrs: dict[str, str]) -> _Cell:
        body = m.group("body") or ""
        formula = None
        if "f" in body and (fm := _FORMULA.search(body)):
            formula = {**_attrs(fm.group("attrs")), "": html.unescape(fm.group("text") or "")}
        kind = attrs.get("t", "n")
        value = ""
        if not body or formula is not None:
            pass  # empty, or a formula: its result is not data typed into the row
        elif kind == "inlineStr":
            is_m = re.search(r"<(?P<n>(?:[\w.-]+:)?is)\b[^>]*>(?P<b>.*?)</(?P=n)\s*>", body, re.DOTALL)
            value = _text_of(is_m.group("b")) if is_m else ""
        elif vm := _VALUE.search(body):
            value = vm.group("text") or ""
            value = html.unescape(value) if "&" in value else value
            if kind == "s" and value.strip().isdigit():
                index = int(value)
                value = self.strings[index] if index < len(self.strings) else "?"
        return _Cell(col, attrs, m.group(0), formula, value)

    def rows_between(self, first: int, last: int | None) -> list[_Row]:
        low = bisect.bisect_left(self.order, first)
        high = len(self.order) if last is None else bisect.bisect_right(self.order, last)
        return [self.rows[n] for n in self.order[low:high]]

    def row_texts(self, number: int) -> dict[int, str]:
        row = self.rows.get(number)
        return {c: cell.value for c, cell in row.cells.items()} if row else {}


# --- the workbook's parts ----------------------------------------------------------------------------


def _shared_strings(package: _Package, workbook: str) -> list[str]:
    part = next((r.part for r in package.rels(workbook) if r.type.endswith(_REL_SHARED_STRINGS_SUFFIX) and r.part), "")
    if not part:
        return []
    text = package.text(part)
    return [_text_of(si.inner(text)) for si in _children(text, _root(text)) if si.local == "si"]


def _date1904(workbook_xml: str) -> bool:
    m = re.search(rf"<(?:[\w.-]+:)?workbookPr(?=[\s/>])({_ATTRS})", workbook_xml)
    return m is not None and _attrs(m.group(1)).get("date1904", "").lower() in ("1", "true")


def _find_sheet(package: _Package, workbook: str, sheet_name: str, book: Path) -> tuple[str, str]:
    """(the sheet's name as the book writes it, its part)."""
    text = package.text(workbook)
    sheets_el = _child(text, _root(text), "sheets")
    found = [(el.get("name"), el.get("id")) for el in (_children(text, sheets_el) if sheets_el else [])
             if el.local == "sheet"]
    for same in (lambda a, b: a == b, lambda a, b: a.casefold() == b.casefold(), lambda a, b: norm(a) == norm(b)):
        match = next(((name, rid) for name, rid in found if same(name, sheet_name)), None)
        if match:
            break
    else:
        names = ", ".join(f"«{n}»" for n, _ in found)
        raise BookError(f"В книге «{book.name}» нет листа «{sheet_name}». Листы книги: {names}.",
                        path=str(book), sheet=sheet_name, code="missing-sheet")
    rel = next((r for r in package.rels(workbook) if r.id == match[1]), None)
    if rel is None or not rel.part or rel.type != _REL_WORKSHEET:
        raise BookError(f"Лист «{match[0]}» книги «{book.name}» — не обычный лист с ячейками (например, диаграмма): "
                        "пары вносятся только в лист с таблицей.", path=str(book), sheet=match[0], code="not-a-table")
    return match[0], rel.part


# --- styles ------------------------------------------------------------------------------------------


def _is_date_code(code: str) -> bool:
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code)
    return bool(re.search(r"[dy]", plain, re.IGNORECASE))


class _Styles:
    """The book's cell formats; formats a date or percent needs are found or appended."""

    def __init__(self, package: _Package, workbook: str) -> None:
        self.part = next((r.part for r in package.rels(workbook) if r.type == _REL_STYLES and r.part), "")
        self.text = package.text(self.part) if self.part else ""
        self.changed = False
        if not self.text:
            self.xfs: list[str] = []
            self.codes: dict[int, str] = {}
            self.dxf_formats: list[tuple[int, str] | None] = []
            return
        root = _root(self.text)
        self.prefix = root.prefix
        self.xfs = self._items("cellXfs", "xf")
        self.codes = {int(a.get("numFmtId", "0")): a.get("formatCode", "")
                      for a in (_attrs(x) for x in self._items("numFmts", "numFmt"))}
        self.dxf_formats = [self._dxf_format(d) for d in self._items("dxfs", "dxf")]
        self.known = {self._key(x): i for i, x in reversed(list(enumerate(self.xfs)))}

    def _items(self, section: str, local: str) -> list[str]:
        el = _child(self.text, _root(self.text), section)
        return [c.outer(self.text) for c in _children(self.text, el) if c.local == local] if el else []

    @staticmethod
    def _dxf_format(dxf: str) -> tuple[int, str] | None:
        m = re.search(rf"<(?:[\w.-]+:)?numFmt(?=[\s/>])({_ATTRS})", dxf)
        if not m:
            return None
        attrs = _attrs(m.group(1))
        return int(attrs.get("numFmtId", "0") or 0), attrs.get("formatCode", "")

    @staticmethod
    def _key(xf: str) -> tuple[frozenset[tuple[str, str]], str]:
        end = xf.index(">") + 1
        inner = "" if xf[:end].endswith("/>") else xf[end:xf.rindex("<")]
        return frozenset(_attrs(xf[:end]).items()), inner

    def format_of(self, xf: int | None) -> int:
        if xf is None or xf >= len(self.xfs):
            return 0
        return int(_attrs(self.xfs[xf][:self.xfs[xf].index(">") + 1]).get("numFmtId", "0") or 0)

    def is_date(self, xf: int | None) -> bool:
        fmt = self.format_of(xf)
        return fmt in _BUILTIN_DATE_FORMATS or (fmt >= _CUSTOM_FORMATS_FROM and _is_date_code(self.codes.get(fmt, "")))

    def column_format(self, dxf_id: int | None) -> tuple[int, str] | None:
        if dxf_id is None or not 0 <= dxf_id < len(self.dxf_formats):
            return None
        return self.dxf_formats[dxf_id]

    def date_format(self, dxf_id: int | None) -> tuple[int, str]:
        """The table column's date format, else the book's «dd.mm.yyyy», else the built-in short date."""
        own = self.column_format(dxf_id)
        if own and (own[0] in _BUILTIN_DATE_FORMATS or _is_date_code(own[1])):
            return own
        for fmt_id, code in self.codes.items():
            if re.sub(r'[\\"]', "", code).lower() == "dd.mm.yyyy":
                return fmt_id, code
        return _DEFAULT_DATE_FORMAT, ""

    def with_format(self, xf: int | None, fmt: tuple[int, str]) -> int | None:
        """A cell format like ``xf`` with number format ``fmt``: an existing one, or one appended."""
        if not self.xfs:
            return None  # no styles part: the value is written unformatted
        base = self.xfs[xf if xf is not None and xf < len(self.xfs) else 0]
        end = base.index(">") + 1
        tag = _set_attr(_set_attr(base[:end], "numFmtId", str(fmt[0])), "applyNumberFormat", "1")
        candidate = tag + base[end:]
        key = self._key(candidate)
        if key not in self.known:
            self._add_number_format(fmt)
            self.known[key] = len(self.xfs)
            self.xfs.append(candidate)
            self._append_xf(candidate)
        return self.known[key]

    def _add_number_format(self, fmt: tuple[int, str]) -> None:
        fmt_id, code = fmt
        if fmt_id < _CUSTOM_FORMATS_FROM or fmt_id in self.codes:
            return
        self.codes[fmt_id] = code
        item = f'<{_qname(self.prefix, "numFmt")} numFmtId="{fmt_id}" formatCode="{html.escape(code)}"/>'
        self.text = _with_section(self.text, "numFmts", item, len(self.codes), self.prefix)

    def _append_xf(self, xf: str) -> None:
        el = _child(self.text, _root(self.text), "cellXfs")
        if el is None:
            raise _NotEditable("styles without cellXfs")
        self.text = _with_element(self.text, el, xf, {"count": str(len(self.xfs))})
        self.changed = True


# --- the Excel Table ---------------------------------------------------------------------------------


@dataclass
class _Table:
    part: str
    text: str
    name: str
    top: int
    left: int
    bottom: int
    right: int
    header_rows: int
    totals_rows: int
    headers: dict[int, str]  # column → header
    formulas: dict[int, str]  # column → calculatedColumnFormula
    dxf_ids: dict[int, int]  # column → dataDxfId

    @classmethod
    def read(cls, package: _Package, part: str) -> _Table:
        text = package.text(part)
        root = _root(text)
        top, left, bottom, right = _parse_range(root.get("ref"))
        columns_el = _child(text, root, "tableColumns")
        headers: dict[int, str] = {}
        formulas: dict[int, str] = {}
        dxf_ids: dict[int, int] = {}
        columns = [c for c in _children(text, columns_el) if c.local == "tableColumn"] if columns_el else []
        for i, el in enumerate(columns):
            col = left + i
            headers[col] = _unescape_text(el.get("name"))
            if el.get("dataDxfId").isdigit():
                dxf_ids[col] = int(el.get("dataDxfId"))
            formula = _child(text, el, "calculatedColumnFormula")
            if formula is not None and not el.empty:
                formulas[col] = html.unescape(formula.inner(text))
        return cls(part, text, root.get("displayName") or root.get("name"), top, left, bottom, right,
                   int(root.get("headerRowCount", "1") or 1), int(root.get("totalsRowCount", "0") or 0),
                   headers, formulas, dxf_ids)

    @property
    def data_top(self) -> int:
        return self.top + self.header_rows

    @property
    def data_bottom(self) -> int:
        return self.bottom - self.totals_rows

    def extended(self, bottom: int) -> str:
        """The table part with its range (and its filter's) reaching row ``bottom``."""
        text = self.text
        root = _root(text)
        new_ref = _range_ref(self.top, self.left, bottom, self.right)
        edits = [(root.start, root.open_end, _set_attr(text[root.start:root.open_end], "ref", new_ref))]
        auto = _child(text, root, "autoFilter")
        if auto is not None:
            ref = _range_ref(self.top, self.left, bottom - self.totals_rows, self.right)
            edits.append((auto.start, auto.open_end, _set_attr(text[auto.start:auto.open_end], "ref", ref)))
        return _splice(text, edits)


def _sheet_tables(package: _Package, sheet_part: str) -> list[_Table]:
    return [_Table.read(package, r.part) for r in package.rels(sheet_part)
            if r.type.endswith(_REL_TABLE_SUFFIX) and r.part]


# --- headers -----------------------------------------------------------------------------------------


def _aliases(sheet_name: str) -> dict[str, tuple[str, ...]]:
    """Normalised header → the normalised headers of the same schema column (for the sheet's schema)."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in DATA_SHEETS:
        if norm(sheet_name) not in {norm(spec.name), *map(norm, spec.aliases)}:
            continue
        for col in (*spec.columns, *spec.card):
            names = tuple(norm(h) for h in col.all_headers())
            for name in names:
                out.setdefault(name, names)
    return out


def _column_of(key: str, headers: Mapping[str, int], aliases: Mapping[str, tuple[str, ...]]) -> int | None:
    wanted = norm(key)
    if wanted in headers:
        return headers[wanted]
    return next((headers[a] for a in aliases.get(wanted, ()) if a in headers), None)


def _header_index(headers: Mapping[int, str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for col in sorted(headers):
        if headers[col].strip():
            index.setdefault(norm(headers[col]), col)
    return index


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Typed:
    kind: str  # "str", "num" or "date"
    xml: str  # the content of <v> (num, date) or the escaped text (str)


def _typed(value: object, date1904: bool) -> _Typed | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _Typed("str", _escape_text("да" if value else "нет"))
    if isinstance(value, dt.date):
        serial = _serial(value, date1904)
        if serial is None:  # before the book's first date: keep it readable as text
            return _Typed("str", _escape_text(value.strftime("%d.%m.%Y")))
        return _Typed("date", _number(serial))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} into a cell")
        return _Typed("num", _number(value))
    if isinstance(value, (list, tuple)):
        return _typed("; ".join(str(v) for v in value if v is not None), date1904)
    if isinstance(value, str):
        return _Typed("str", _escape_text(value))
    raise TypeError(f"cannot write a {type(value).__name__} into a cell: {value!r}")


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _serial(value: dt.date, date1904: bool) -> float | None:
    """The Excel serial of a date (with the time as a fraction for a datetime)."""
    day = dt.date(value.year, value.month, value.day)
    epoch, first = (dt.date(1904, 1, 1), dt.date(1904, 1, 1)) if date1904 else (dt.date(1899, 12, 30),
                                                                                dt.date(1900, 3, 1))
    if day < first:
        return None
    serial: float = (day - epoch).days
    if isinstance(value, dt.datetime):
        serial += (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    return serial


# --- the append --------------------------------------------------------------------------------------


@dataclass
class _Layout:
    """Where the rows go: the record's columns, the rows free for them, where styles come from."""

    left: int
    right: int
    columns: dict[str, int]  # key → column
    computed: set[int]
    first: int  # the first data row
    last_data: int | None  # the last row with data: unstyled cells take the styles of the rows up to it
    free: list[int]  # the spare rows, in order
    table: _Table | None
    grow_from: int  # the first row past the free ones
    style_row: int | None  # the row whose styles (and computed formulas) new rows copy
    dxf_ids: dict[int, int] = field(default_factory=dict)


class _Append:
    def __init__(self, package: _Package, sheet_name: str, book: Path) -> None:
        self.package = package
        self.book = book
        workbook = next((r.part for r in package.rels("") if r.type == _REL_OFFICE_DOCUMENT), "")
        if not workbook:
            raise _NotEditable("no workbook part")
        self.sheet_name, self.sheet_part = _find_sheet(package, workbook, sheet_name, book)
        self.date1904 = _date1904(package.text(workbook))
        self.styles = _Styles(package, workbook)
        self.text = package.text(self.sheet_part)
        self.grid = _Grid(self.text, _shared_strings(package, workbook))
        self.prefix = _root(self.text).prefix
        self.tables = _sheet_tables(package, self.sheet_part)
        self.col_styles = _column_styles(self.text[:self.grid.data_tag.start()])
        self.styles_above: dict[int, int | None] = {}

    def error(self, message: str, code: str) -> BookError:
        return BookError(message, path=str(self.book), sheet=self.sheet_name, code=code)

    # the steps

    def run(self, rows: Sequence[Mapping[str, object]]) -> tuple[dict[str, bytes], list[int], bool]:
        """The changed parts, the rows written and whether the table grew. Records with no value are skipped."""
        typed = [{k: t for k, v in row.items() if (t := _typed(v, self.date1904)) is not None} for row in rows]
        typed = [row for row in typed if row]
        if not typed:
            return {}, [], False
        layout = self.layout(list(dict.fromkeys(k for row in typed for k in row)))
        targets = layout.free[:len(typed)]
        new_rows = self.grow(layout, len(typed) - len(targets)) if len(typed) > len(targets) else []
        targets += new_rows
        changed: dict[str, bytes] = {}
        grew = bool(new_rows) and layout.table is not None
        if grew:
            assert layout.table is not None
            changed[layout.table.part] = layout.table.extended(new_rows[-1]).encode("utf-8")
        edits = self.row_edits(layout, targets, typed, set(new_rows))
        edits += self.range_edits(layout, targets)
        changed[self.sheet_part] = _splice(self.text, edits).encode("utf-8")
        if self.styles.changed:
            changed[self.styles.part] = self.styles.text.encode("utf-8")
        return changed, targets, grew

    def layout(self, keys: list[str]) -> _Layout:
        table = self.pick_table(keys)
        if table is not None:
            headers: Mapping[int, str] = table.headers
            first, last, left, right = table.data_top, table.data_bottom, table.left, table.right
        else:
            header_row, headers = self.find_header_row(keys)
            first, last, left, right = header_row + 1, None, min(headers), max(headers)
        columns = self.columns(keys, headers)
        window = self.window(first, last, left, right)
        computed = self.computed(table, window, left, right)
        for col in columns.values():
            if col in computed:
                raise self.error(
                    f"Столбец «{headers[col]}» на листе «{self.sheet_name}» заполняется формулой: значения в него "
                    "не вносятся.", "computed-column")
        data_rows = [r.number for r in window if self.has_data(r, left, right, computed)]
        last_data = max(data_rows, default=None)
        start = (last_data or first - 1) + 1
        if table is None:
            return _Layout(left, right, columns, computed, first, last_data, [], None, start, last_data)
        return _Layout(left, right, columns, computed, first, last_data, list(range(start, table.data_bottom + 1)),
                       table, table.bottom + 1, table.bottom, table.dxf_ids)

    def pick_table(self, keys: list[str]) -> _Table | None:
        if not self.tables:
            return None
        aliases = _aliases(self.sheet_name)

        def matched(table: _Table) -> int:
            index = _header_index(table.headers)
            return sum(_column_of(k, index, aliases) is not None for k in keys)

        return max(self.tables, key=matched)  # the first of the best

    def find_header_row(self, keys: list[str]) -> tuple[int, dict[int, str]]:
        aliases = _aliases(self.sheet_name)
        best: tuple[int, int, dict[int, str]] | None = None
        for number in self.grid.order[:_HEADER_SEARCH_ROWS]:
            texts = {c: v for c, v in self.grid.row_texts(number).items() if v.strip()}
            index = _header_index(texts)
            found = sum(_column_of(k, index, aliases) is not None for k in keys)
            if found and (best is None or found > best[0]):
                best = (found, number, texts)
            if found == len(keys):
                break
        if best is None:
            raise self.error(
                f"На листе «{self.sheet_name}» не найдена строка заголовков: ни в одной из первых "
                f"{_HEADER_SEARCH_ROWS} строк нет столбцов {', '.join(f'«{k}»' for k in keys)}.", "missing-column")
        return best[1], best[2]

    def columns(self, keys: list[str], headers: Mapping[int, str]) -> dict[str, int]:
        index = _header_index(headers)
        aliases = _aliases(self.sheet_name)
        out: dict[str, int] = {}
        for key in keys:
            col = _column_of(key, index, aliases)
            if col is None:
                seen = ", ".join(f"«{headers[c]}»" for c in sorted(headers) if headers[c].strip())
                raise self.error(f"На листе «{self.sheet_name}» нет столбца «{key}». Заголовки листа: {seen}. "
                                 "Верните столбец (или исправьте его заголовок) и повторите.", "missing-column")
            if col in out.values():
                raise ValueError(f"two keys name the column {headers[col]!r}: {[k for k in out if out[k] == col]}, {key!r}")
            out[key] = col
        return out

    def window(self, first: int, last: int | None, left: int, right: int) -> list[_Row]:
        """The rows that decide where the data ends: from a few dozen rows above the last typed value
        to the end of the region (a 5,000-row sheet is not parsed cell by cell)."""
        rows = self.grid.rows_between(first, last)
        for i in range(len(rows) - 1, -1, -1):
            if any(left <= c <= right and cell.value for c, cell in rows[i].cells.items()):
                return rows[max(0, i - _STYLE_SEARCH_ROWS):]
        return rows

    @staticmethod
    def computed(table: _Table | None, window: list[_Row], left: int, right: int) -> set[int]:
        """Columns the book fills by formula: the Table's calculated columns, and columns with formulas
        and no typed value near the end of the data (LibreOffice drops calculated-column definitions)."""
        if table is None:
            return set()
        with_formula: set[int] = set()
        with_value: set[int] = set()
        for row in window:
            for col, cell in row.cells.items():
                if left <= col <= right:
                    if cell.formula is not None:
                        with_formula.add(col)
                    elif cell.value:
                        with_value.add(col)
        return set(table.formulas) | (with_formula - with_value)

    @staticmethod
    def has_data(row: _Row, left: int, right: int, computed: set[int]) -> bool:
        return any(left <= c <= right and (cell.value or (cell.formula is not None and c not in computed))
                   for c, cell in row.cells.items())

    # growing the table

    def grow(self, layout: _Layout, need: int) -> list[int]:
        first = layout.grow_from
        last = first + need - 1
        if layout.table is not None and layout.table.totals_rows:
            raise self.error(
                f"В таблице «{layout.table.name}» на листе «{self.sheet_name}» закончились пустые строки, а под ними "
                "строка итогов: добавьте в таблицу пустые строки (или уберите строку итогов) и повторите.",
                "table-blocked")
        if last > _MAX_ROW:
            raise self.error(f"На листе «{self.sheet_name}» не хватает строк: лист Excel кончается на строке "
                             f"{_MAX_ROW}.", "table-blocked")
        if layout.table is not None:
            self.check_room(layout, first, last)
        return list(range(first, last + 1))

    def check_room(self, layout: _Layout, first: int, last: int) -> None:
        """The rows a table grows into must be empty in its columns (and belong to no other table or merge)."""
        assert layout.table is not None
        blocked: str | None = None
        for row in self.grid.rows_between(first, last):
            busy = [c for c, cell in row.cells.items()
                    if layout.left <= c <= layout.right and (cell.value or cell.formula is not None)]
            if busy:
                blocked = f"{_col_letters(busy[0])}{row.number}"
                break
        areas = [(t.top, t.left, t.bottom, t.right) for t in self.tables if t is not layout.table]
        areas += [_parse_range(_attrs(m.group(1)).get("ref", "A1"))
                  for m in re.finditer(rf"<(?:[\w.-]+:)?mergeCell(?=[\s/>])({_ATTRS})", self.text)]
        for top, left, bottom, right in areas:
            if blocked is None and top <= last and bottom >= first and left <= layout.right and right >= layout.left:
                blocked = _range_ref(top, left, bottom, right)
        if blocked:
            raise self.error(
                f"Таблицу «{layout.table.name}» на листе «{self.sheet_name}» нельзя продлить вниз: под ней занято "
                f"({blocked}). Освободите строки под таблицей или добавьте в неё пустые строки и повторите.",
                "table-blocked")

    def formula_for(self, layout: _Layout, col: int, row: int) -> dict[str, str] | None:
        """A computed column's formula in a new row: the style row's, moved to ``row``."""
        source = self.grid.rows.get(layout.style_row) if layout.style_row else None
        cell = source.cells.get(col) if source else None
        if source is not None and cell is not None and cell.formula is not None:
            text, (origin_row, origin_col) = self.formula_text(cell, source.number)
            if text:
                return {"": shift_formula(text, row - origin_row, col - origin_col)}
        if layout.table is not None and col in layout.table.formulas:
            return {"": layout.table.formulas[col]}
        return None

    def formula_text(self, cell: _Cell, row: int) -> tuple[str, tuple[int, int]]:
        """The formula's text and the cell it is written for (the master cell of a shared formula)."""
        assert cell.formula is not None
        here = _parse_ref(cell.attrs["r"]) if cell.attrs.get("r") else (row, cell.col)
        if cell.formula.get("t") != "shared" or cell.formula[""]:
            return cell.formula[""], here
        si = cell.formula.get("si")
        for other in self.grid.rows.values():
            for master in other.cells.values():
                f = master.formula
                if f and f.get("t") == "shared" and f.get("si") == si and f[""]:
                    return f[""], (other.number, master.col)
        return "", here

    # writing the rows

    def row_edits(self, layout: _Layout, targets: list[int], typed: list[dict[str, _Typed]],
                  new: set[int]) -> list[tuple[int, int, str]]:
        edits: list[tuple[int, int, str]] = []
        pending: list[tuple[int, str]] = []  # new row elements: (row number, xml)
        for number, values in zip(targets, typed, strict=True):
            row = self.grid.rows.get(number)
            cells = {c: cell.xml for c, cell in row.cells.items()} if row else {}
            for col in layout.computed:
                if row and col in row.cells and row.cells[col].formula is not None:
                    cells[col] = _without_result(row.cells[col].xml)
            if number in new:
                cells.update(self.grown_cells(layout, number, cells))
            for key, value in values.items():
                col = layout.columns[key]
                cells[col] = self.cell_xml(layout, row, number, col, value, cells.get(col))
            if row is None:
                pending.append((number, self.new_row(layout, number, cells)))
            else:
                edits.append((row.start, row.end, self.rebuilt_row(row, cells)))
        return edits + self.insertions(pending)

    def grown_cells(self, layout: _Layout, number: int, existing: Mapping[int, str]) -> dict[int, str]:
        """The cells a new row gets from the style row: its styles and the computed formulas."""
        source = self.grid.rows.get(layout.style_row) if layout.style_row else None
        out: dict[int, str] = {}
        for col in range(layout.left, layout.right + 1):
            template = source.cells.get(col) if source else None
            style = _style_of(existing[col]) if col in existing else (template.style if template else None)
            formula = self.formula_for(layout, col, number) if col in layout.computed else None
            if (col in existing and formula is None) or (style is None and formula is None):
                continue
            out[col] = _cell(self.prefix, f"{_col_letters(col)}{number}", style, formula=formula)
        return out

    def cell_xml(self, layout: _Layout, row: _Row | None, number: int, col: int, value: _Typed,
                 current: str | None) -> str:
        ref = f"{_col_letters(col)}{number}"
        style = self.style_for(layout, row, col, current)
        if value.kind == "date" and not self.styles.is_date(style):
            style = self.styles.with_format(style, self.styles.date_format(layout.dxf_ids.get(col)))
        elif value.kind == "num" and self.styles.format_of(style) == 0:
            own = self.styles.column_format(layout.dxf_ids.get(col))
            if own is not None:
                style = self.styles.with_format(style, own)
        if value.kind == "str":
            return _cell(self.prefix, ref, style, text=value.xml)
        return _cell(self.prefix, ref, style, number=value.xml)

    def style_for(self, layout: _Layout, row: _Row | None, col: int, current: str | None) -> int | None:
        """The style the cell shows now (its own, its row's, its column's); else its column's in the data above."""
        own = _style_of(current) if current is not None else None
        if own is None and row is not None:
            own = row.style()
        if own is None:
            own = next((style for low, high, style in self.col_styles if low <= col <= high), None)
        return own if own is not None else self.style_above(layout, col)

    def style_above(self, layout: _Layout, col: int) -> int | None:
        """The style of the column's cell in the nearest data row that has one (a few dozen rows up at most)."""
        if col not in self.styles_above:
            found = None
            if layout.last_data is not None:
                at = bisect.bisect_right(self.grid.order, layout.last_data)
                for number in reversed(self.grid.order[max(0, at - _STYLE_SEARCH_ROWS):at]):
                    cell = self.grid.rows[number].cells.get(col)
                    if number < layout.first or (cell is not None and cell.style is not None):
                        found = cell.style if cell is not None and number >= layout.first else None
                        break
            self.styles_above[col] = found
        return self.styles_above[col]

    def rebuilt_row(self, row: _Row, cells: Mapping[int, str]) -> str:
        tag = row.open_tag
        if not row.explicit:
            tag = _set_attr(tag, "r", str(row.number))
        if "spans=" in tag and cells:
            tag = _set_attr(tag, "spans", f"{min(cells)}:{max(cells)}")
        if tag.endswith("/>"):
            tag = re.sub(r"\s*/>$", ">", tag)
        body = "".join(_with_ref(cells[c], c, row.number) for c in sorted(cells))
        return f"{tag}{body}{row.tail}</{row.name}>"

    def new_row(self, layout: _Layout, number: int, cells: Mapping[int, str]) -> str:
        source = self.grid.rows.get(layout.style_row) if layout.style_row else None
        attrs = ""
        if source is not None:
            kept = _attrs(source.open_tag)
            for name in ("s", "customFormat", "ht", "customHeight"):
                if name in kept:
                    attrs += f' {name}="{html.escape(kept[name])}"'
        name = _qname(self.prefix, "row")
        return f'<{name} r="{number}"{attrs}>' + "".join(cells[c] for c in sorted(cells)) + f"</{name}>"

    def insertions(self, pending: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
        """New rows in row order among the existing ones; an empty ``<sheetData/>`` opens up."""
        if not pending:
            return []
        tag = self.grid.data_tag
        if tag.group("empty"):
            name = tag.group("name")
            opened = re.sub(r"\s*/>$", ">", tag.group(0))
            return [(tag.start(), tag.end(), opened + "".join(x for _, x in pending) + f"</{name}>")]
        edits = []
        for number, xml in pending:
            before = bisect.bisect_left(self.grid.order, number)  # rows are in ascending order
            at = self.grid.rows[self.grid.order[before - 1]].end if before else tag.end()
            edits.append((at, at, xml))
        return edits

    # ranges that follow the rows

    def range_edits(self, layout: _Layout, targets: list[int]) -> list[tuple[int, int, str]]:
        edits = self.dimension_edit(layout, targets)
        reach_from = layout.style_row or 0
        new_last = targets[-1]
        if reach_from < 1 or new_last <= reach_from:
            return edits
        grow = _RangeGrowth(reach_from, new_last, layout.left, layout.right)
        sheet_data = (self.grid.data_tag.start(), self.grid.data_end)
        for m in re.finditer(rf"<(?P<name>(?:[\w.-]+:)?(?:dataValidation|conditionalFormatting))(?=[\s/>])"
                             rf"(?P<attrs>{_ATTRS})\s*(?P<empty>/)?>", self.text):
            if sheet_data[0] <= m.start() < sheet_data[1]:
                continue
            edits += grow.edits(self.text, m)
        return edits

    def dimension_edit(self, layout: _Layout, targets: list[int]) -> list[tuple[int, int, str]]:
        m = re.search(rf"<(?:[\w.-]+:)?dimension(?=[\s/>])({_ATTRS})\s*/?>", self.text)
        if m is None or not targets:
            return []
        try:
            top, left, bottom, right = _parse_range(_attrs(m.group(1)).get("ref", ""))
        except _NotEditable:
            return []
        new = _range_ref(min(top, targets[0]), min(left, layout.left), max(bottom, targets[-1]),
                         max(right, layout.right))
        return [(m.start(), m.end(), _set_attr(m.group(0), "ref", new))]


@dataclass(frozen=True)
class _RangeGrowth:
    """Ranges (sqref) that reach row ``reach`` within the columns grow down to ``new_last``."""

    reach: int
    new_last: int
    left: int
    right: int

    def sqref(self, sqref: str) -> str:
        out = []
        for part in sqref.split():
            try:
                top, left, bottom, right = _parse_range(part)
            except _NotEditable:
                out.append(part)
                continue
            if top <= self.reach <= bottom < self.new_last and left <= self.right and right >= self.left:
                part = _range_ref(top, left, self.new_last, right)
            out.append(part)
        return " ".join(out)

    def edits(self, text: str, m: re.Match[str]) -> list[tuple[int, int, str]]:
        attrs = _attrs(m.group("attrs"))
        if "sqref" in attrs:
            new = self.sqref(attrs["sqref"])
            return [] if new == attrs["sqref"] else [(m.start(), m.end(), _set_attr(m.group(0), "sqref", new))]
        if m.group("empty"):
            return []
        close = text.find(f"</{m.group('name')}", m.end())
        inner = re.search(r"<(?P<n>(?:[\w.-]+:)?sqref)>(?P<ref>[^<]*)</(?P=n)\s*>", text[m.end():close])
        if inner is None:
            return []
        new = self.sqref(inner.group("ref"))
        start = m.end() + inner.start("ref")
        return [] if new == inner.group("ref") else [(start, start + len(inner.group("ref")), new)]


# --- cells as XML ------------------------------------------------------------------------------------


def _cell(prefix: str, ref: str, style: int | None, *, text: str | None = None, number: str | None = None,
          formula: dict[str, str] | None = None) -> str:
    name = _qname(prefix, "c")
    s = f' s="{style}"' if style else ""
    if text is not None:
        is_, t = _qname(prefix, "is"), _qname(prefix, "t")
        return f'<{name} r="{ref}"{s} t="inlineStr"><{is_}><{t} xml:space="preserve">{text}</{t}></{is_}></{name}>'
    if number is not None:
        v = _qname(prefix, "v")
        return f'<{name} r="{ref}"{s}><{v}>{number}</{v}></{name}>'
    if formula is not None:
        f = _qname(prefix, "f")
        body = formula[""].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<{name} r="{ref}"{s}><{f}>{body}</{f}></{name}>'
    return f'<{name} r="{ref}"{s}/>'


def _style_of(cell_xml: str) -> int | None:
    m = re.match(r"<[^>]*?\ss\s*=\s*[\"']?(\d+)", cell_xml)
    return int(m.group(1)) if m else None


def _with_ref(cell_xml: str, col: int, row: int) -> str:
    """A cell with its ``r`` attribute written out (cells of an edited row must say where they are)."""
    end = cell_xml.index(">") + 1
    tag = cell_xml[:end]
    if re.search(r"\sr\s*=", tag):
        return cell_xml
    return _set_attr(tag, "r", f"{_col_letters(col)}{row}") + cell_xml[end:]


def _without_result(cell_xml: str) -> str:
    """A formula cell without its saved result (it was computed for an empty row)."""
    end = cell_xml.index(">") + 1
    tag = re.sub(r'\st\s*=\s*("[^"]*"|\'[^\']*\')', "", cell_xml[:end])
    return tag + _VALUE.sub("", cell_xml[end:])


def _column_styles(sheet: str) -> list[tuple[int, int, int]]:
    """(first column, last column, style) of each styled ``<col>`` of a sheet."""
    cols = re.search(r"<(?P<n>(?:[\w.-]+:)?cols)(?=[\s/>])[^>]*>(?P<body>.*?)</(?P=n)\s*>", sheet, re.DOTALL)
    out = []
    for m in re.finditer(rf"<(?:[\w.-]+:)?col(?=[\s/>])({_ATTRS})", cols.group("body") if cols else ""):
        attrs = _attrs(m.group(1))
        low, high, style = attrs.get("min", ""), attrs.get("max", ""), attrs.get("style", "")
        if low.isdigit() and high.isdigit() and style.isdigit() and int(style):
            out.append((int(low), int(high), int(style)))
    return out
