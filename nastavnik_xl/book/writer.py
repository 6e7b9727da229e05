"""The one writer of output sheets («Проверка», «Охват», …) into a curator's book.

XlsxWriter renders the sheet into a one-sheet book in memory; its parts are then transplanted
into the curator's .xlsx/.xlsm package at the zip level: the sheet is added at the end or
replaces the sheet of the same name in place. Every other entry of the package keeps its
content byte for byte (VBA, buttons, comments, validations, names, Tables, webextensions, custom
XML); only ``[Content_Types].xml``, the workbook part, its relationships, the styles part and the
output sheet's own parts change. XML is edited as text (insertions before closing tags, attribute
updates), never re-serialised, so namespace prefixes and ``mc:Ignorable`` survive.

- Strings are inlined (``t="inlineStr"``), so ``sharedStrings.xml`` is untouched; they stay text
  whatever they start with. The rendering book is created with ``strings_to_formulas`` and
  ``strings_to_urls`` off: ``ws.write(r, c, "=…")`` writes text; use ``write_formula`` and
  ``write_url`` for formulas and links.
- Styles (fonts, fills, borders, number formats, cell formats, conditional-format ``dxf``s) are
  appended to the book's styles only when the book has no identical one, so rewriting a sheet does
  not grow the styles, and writing the same content twice gives the same bytes.
- .xls, .ods, .xlsb or an OOXML package the writer cannot edit: the rendered book is written beside
  it as ``<stem> — <sheet>.xlsx`` (links to other sheets point into the original book).
- Writes are atomic (temporary file in the same folder, then ``os.replace``) and keep the file's
  permission bits; a book open in Excel or LibreOffice, or read-only, is a :class:`BookError`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import posixpath
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book.reader import _sniff
from nastavnik_xl.findings import BookError

OutputBuilder = Callable[[Workbook, Worksheet], None]
_Entries = list[tuple[zipfile.ZipInfo, bytes]]  # zip entries in order, with their content


@dataclass(frozen=True)
class WriteResult:
    path: Path  # the file actually written
    sheet: str  # the sheet name written
    side_file: bool  # the book could not be edited: a separate .xlsx was written beside it
    replaced: bool  # an existing sheet of that name (or an existing side file) was replaced


_EDITABLE_KINDS = frozenset({"xlsx", "xlsm"})
_RENDER_CREATED = dt.datetime(2000, 1, 1)
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_OFFICE_DOCUMENT = f"{_NS_REL}/officeDocument"
_REL_WORKSHEET = f"{_NS_REL}/worksheet"
_REL_STYLES = f"{_NS_REL}/styles"
_REL_CALC_CHAIN = f"{_NS_REL}/calcChain"
_REL_HYPERLINK = f"{_NS_REL}/hyperlink"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class _NotEditable(Exception):
    """The package is not one this writer can edit safely: write a side file instead."""


# --- the public entry point --------------------------------------------------------------------


def write_output_sheet(book: Path, sheet_name: str, build: OutputBuilder) -> WriteResult:
    """Add or replace the output sheet ``sheet_name`` of ``book`` with what ``build`` writes.

    ``build(wb, ws)`` gets an in-memory XlsxWriter workbook and its only worksheet, named
    ``sheet_name``; it writes cells, formats, widths, panes, filters, conditional formats,
    links (``internal:'Наставники'!B5``) and charts of that sheet, and adds no other sheet.
    Raises :class:`BookError` (Russian message) when the book is missing, not a workbook,
    encrypted, open in Excel or LibreOffice, or not writable; the book is then left untouched.
    """
    book = Path(book)
    kind = _sniff(book)
    if kind not in _EDITABLE_KINDS:
        return _write_side_file(book, sheet_name, _render(sheet_name, build))
    target = book.resolve()
    _check_writable(target)
    package = _read_package(target)
    rendered = _render(sheet_name, build)
    try:
        entries, written_name, replaced = _transplant(package, _Package.read(rendered), sheet_name)
    except _NotEditable:
        return _write_side_file(book, sheet_name, rendered)
    _atomic_write(target, entries, stat.S_IMODE(target.stat().st_mode))
    return WriteResult(book, written_name, side_file=False, replaced=replaced)


# --- rendering the sheet with XlsxWriter -------------------------------------------------------


def _render(sheet_name: str, build: OutputBuilder) -> bytes:
    """The one-sheet book ``build`` writes, as the bytes of an .xlsx package."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": _RENDER_CREATED})
    ws = wb.add_worksheet(sheet_name)
    try:
        build(wb, ws)
        if len(wb.worksheets()) != 1:
            raise ValueError(f"build() for «{sheet_name}» added sheets: only the output sheet may be written")
    except BaseException:
        wb.fileclosed = True  # nothing to save
        raise
    wb.close()
    return buffer.getvalue()


# --- checks, locks and atomic writes -----------------------------------------------------------


def _check_not_open(path: Path) -> None:
    for lock, app in ((path.with_name("~$" + path.name), "Excel"),
                      (path.with_name(f".~lock.{path.name}#"), "LibreOffice")):
        if lock.exists():
            raise BookError(
                f"Книга «{path.name}» открыта в {app}: закройте её и повторите. Если {app} уже закрыт, "
                f"удалите служебный файл «{lock.name}» из папки книги.",
                path=str(path), code="book-locked",
            )


def _check_writable(path: Path) -> None:
    """BookError unless ``path`` can be replaced: not open, not read-only, in a writable folder."""
    _check_not_open(path)
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR):
        raise BookError(
            f"Книга «{path.name}» доступна только для чтения: снимите флажок «Только чтение» в свойствах "
            "файла (или сохраните книгу под другим именем) и повторите.",
            path=str(path), code="not-writable",
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _folder_not_writable(path)


def _folder_not_writable(path: Path) -> BookError:
    return BookError(
        f"Нет прав на запись в папку «{path.parent}», где лежит книга «{path.name}»: перенесите книгу "
        "в папку, где можно сохранять файлы, и повторите.",
        path=str(path), code="not-writable",
    )


def _atomic_write(target: Path, entries: _Entries, mode: int) -> None:
    """Write the zip to a temporary file beside ``target``, then put it in place in one step."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~nastavnik-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _folder_not_writable(target) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(fh, entries)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise BookError(
            f"Не удалось сохранить книгу «{target.name}»: она открыта в другой программе или доступна "
            "только для чтения. Закройте её и повторите.",
            path=str(target), code="book-locked",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_zip(fh: BinaryIO, entries: _Entries) -> None:
    with zipfile.ZipFile(fh, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)


def _copy_info(original: zipfile.ZipInfo, name: str | None = None) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the original's name, time, compression and attributes."""
    info = zipfile.ZipInfo(name or original.filename, original.date_time)
    info.compress_type = original.compress_type if name is None else zipfile.ZIP_DEFLATED
    info.external_attr = original.external_attr
    info.create_system = original.create_system
    return info


# --- XML as text -------------------------------------------------------------------------------

_ATTRS = r"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*"  # attribute values may hold ">"
_TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!DOCTYPE[^>]*>"
    rf"|<(?P<close>/)?(?P<name>[\w.:-]+)(?P<attrs>{_ATTRS})\s*(?P<empty>/)?>",
    re.DOTALL,
)
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


@dataclass(frozen=True)
class _El:
    """An element found in XML text: its qualified name, attributes and where it is."""

    name: str
    attrs: dict[str, str]
    start: int  # the open tag starts here
    open_end: int  # the open tag ends here
    close_start: int  # the close tag starts here (= open_end = end for an empty element)
    end: int

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]

    @property
    def prefix(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def empty(self) -> bool:
        return self.open_end == self.end

    def outer(self, text: str) -> str:
        return text[self.start:self.end]

    def inner(self, text: str) -> str:
        return text[self.open_end:self.close_start]

    def get(self, local: str, default: str = "") -> str:
        """An attribute by local name, whatever its prefix (``r:id``, ``ns1:id``)."""
        if local in self.attrs:
            return self.attrs[local]
        return next((v for k, v in self.attrs.items()
                     if k.rpartition(":")[2] == local and not k.startswith("xmlns")), default)


def _attrs(raw: str) -> dict[str, str]:
    return {k: html.unescape(v[1:-1]) for k, v in _ATTR.findall(raw)}


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def _root(text: str) -> _El:
    for m in _TOKEN.finditer(text):
        name = m.group("name")
        if not name or m.group("close"):
            continue
        if m.group("empty"):
            return _El(name, _attrs(m.group("attrs")), m.start(), m.end(), m.end(), m.end())
        close = text.rfind(f"</{name}")
        if close < m.end():
            break
        return _El(name, _attrs(m.group("attrs")), m.start(), m.end(), close, text.index(">", close) + 1)
    raise _NotEditable("no root element")


def _children(text: str, parent: _El) -> list[_El]:
    """The direct child elements of ``parent``."""
    found: list[_El] = []
    depth = 0
    current: tuple[str, dict[str, str], int, int] | None = None
    for m in _TOKEN.finditer(text, parent.open_end, parent.close_start):
        name = m.group("name")
        if not name:
            continue
        if m.group("close"):
            depth -= 1
            if depth == 0 and current:
                found.append(_El(current[0], current[1], current[2], current[3], m.start(), m.end()))
                current = None
        elif m.group("empty"):
            if depth == 0:
                found.append(_El(name, _attrs(m.group("attrs")), m.start(), m.end(), m.end(), m.end()))
        else:
            if depth == 0:
                current = (name, _attrs(m.group("attrs")), m.start(), m.end())
            depth += 1
    return found


def _child(text: str, parent: _El, local: str) -> _El | None:
    return next((c for c in _children(text, parent) if c.local == local), None)


def _splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Replace non-overlapping spans; insertions at one position keep their order."""
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[pos:start])
        out.append(new)
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def _set_attr(tag: str, name: str, value: str) -> str:
    """An open tag with attribute ``name`` set to ``value`` (added before ``>`` if absent)."""
    pattern = re.compile(rf"(\s{re.escape(name)}\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m.group(1)}"{_esc(value)}"', tag, count=1)
    cut = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:cut].rstrip()} {name}="{_esc(value)}"{tag[cut:]}'


def _with_element(text: str, el: _El, items: str, attrs: dict[str, str] | None = None) -> str:
    """``el`` with ``items`` appended to its content and ``attrs`` set on its open tag."""
    open_tag = text[el.start:el.open_end]
    if el.empty:
        open_tag = re.sub(r"\s*/>$", ">", open_tag)
    for name, value in (attrs or {}).items():
        open_tag = _set_attr(open_tag, name, value)
    close = f"</{el.name}>" if el.empty else text[el.close_start:el.end]
    return text[:el.start] + open_tag + el.inner(text) + items + close + text[el.end:]


def _prefixed(fragment: str, prefix: str) -> str:
    """Unprefixed element tags of ``fragment`` given ``prefix`` (the target part's main namespace)."""
    if not prefix:
        return fragment
    return re.sub(r"<(/?)(?![\w.-]+:)([A-Za-z_][\w.-]*)(?=[\s/>])", rf"<\1{prefix}:\2", fragment)


def _qname(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


def _ns_prefix(el: _El, uri: str) -> str | None:
    """The prefix ``el`` declares for ``uri`` ("" for the default namespace), or None."""
    for key, value in el.attrs.items():
        if value == uri and (key == "xmlns" or key.startswith("xmlns:")):
            return key[6:]
    return None


def _xml_text(data: bytes, name: str) -> str:
    """A part's text; only UTF-8 parts are edited."""
    m = re.match(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=[\"']([\w-]+)", data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (m and m.group(1).lower() not in (b"utf-8", b"utf8")):
        raise _NotEditable(f"{name} is not UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotEditable(f"{name} is not UTF-8") from exc


# --- the package: parts and relationships ------------------------------------------------------


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str
    external: bool
    part: str  # the zip entry it points at; "" when external or missing


def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str:
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class _Package:
    """The entries of an OOXML zip, in order, with relationship lookups."""

    def __init__(self, infos: list[zipfile.ZipInfo], data: dict[str, bytes]) -> None:
        self.infos = infos
        self.data = data
        self._names = {i.filename.lower(): i.filename for i in infos}
        self._rels: dict[str, list[_Rel]] = {}

    @classmethod
    def read(cls, source: Path | bytes) -> _Package:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            infos = zf.infolist()
            return cls(infos, {i.filename: zf.read(i) for i in infos})

    def find(self, name: str) -> str | None:
        """The entry's actual name (part names are case-insensitive)."""
        return self._names.get(name.lower())

    def text(self, name: str) -> str:
        return _xml_text(self.data[name], name)

    def rels(self, source: str) -> list[_Rel]:
        """Relationships of part ``source`` ("" for the package itself)."""
        if source not in self._rels:
            self._rels[source] = self._read_rels(source)
        return self._rels[source]

    def _read_rels(self, source: str) -> list[_Rel]:
        name = self.find(_rels_name(source))
        if name is None:
            return []
        text = self.text(name)
        out = []
        for el in _children(text, _root(text)):
            if el.local != "Relationship":
                continue
            external = el.get("TargetMode").lower() == "external"
            target = el.get("Target")
            part = "" if external else (self.find(_resolve(source, target)) or "")
            out.append(_Rel(el.get("Id"), el.get("Type"), target, external, part))
        return out

    def reachable(self, start: str, blocked: str = "\0") -> list[str]:
        """Parts reachable from ``start`` through relationships, not passing through ``blocked``."""
        seen: dict[str, None] = {}  # insertion-ordered set
        queue = [start]
        while queue:
            source = queue.pop(0)
            for rel in self.rels(source):
                if rel.part and rel.part != blocked and rel.part not in seen and rel.part != start:
                    seen[rel.part] = None
                    queue.append(rel.part)
        return list(seen)


def _read_package(path: Path) -> _Package:
    try:
        return _Package.read(path)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise BookError(
            f"Не удалось открыть книгу «{path.name}»: файл повреждён или сохранён не полностью ({exc}).",
            path=str(path), code="damaged",
        ) from exc


class _ContentTypes:
    """[Content_Types].xml: Default (by extension) and Override (by part) content types."""

    NAME = "[Content_Types].xml"

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = _root(text)
        self.defaults: dict[str, _El] = {}
        self.overrides: dict[str, _El] = {}
        for el in _children(text, self.root):
            if el.local == "Default":
                self.defaults[el.get("Extension").lower()] = el
            elif el.local == "Override":
                self.overrides[el.get("PartName").lstrip("/").lower()] = el

    def of(self, part: str) -> str:
        el = self.overrides.get(part.lower()) or self.defaults.get(posixpath.splitext(part)[1][1:].lower())
        return el.get("ContentType") if el else ""

    def edited(self, drop: Iterable[str], need: dict[str, str]) -> str:
        """The text with the overrides of ``drop`` removed and ``need`` (part → type) covered."""
        prefix = self.root.prefix
        edits: list[tuple[int, int, str]] = []
        for part in drop:
            el = self.overrides.get(part.lower())
            if el is not None and part.lower() not in {p.lower() for p in need}:
                edits.append((el.start, el.end, ""))
        new_defaults: list[str] = []
        new_overrides: list[str] = []
        known = {ext: el.get("ContentType") for ext, el in self.defaults.items()}
        for part, content_type in need.items():
            ext = posixpath.splitext(part)[1][1:].lower()
            el = self.overrides.get(part.lower())
            if el is not None:
                if el.get("ContentType") != content_type:
                    tag = _set_attr(self.text[el.start:el.open_end], "ContentType", content_type)
                    edits.append((el.start, el.open_end, tag))
            elif known.get(ext) == content_type:
                continue
            elif ext and ext != "xml" and ext not in known:
                known[ext] = content_type
                new_defaults.append(f'<{_qname(prefix, "Default")} Extension="{_esc(ext)}" '
                                    f'ContentType="{_esc(content_type)}"/>')
            else:
                new_overrides.append(f'<{_qname(prefix, "Override")} PartName="/{_esc(part)}" '
                                     f'ContentType="{_esc(content_type)}"/>')
        if new_defaults:
            last_default = max((el.end for el in self.defaults.values()), default=self.root.open_end)
            edits.append((last_default, last_default, "".join(new_defaults)))
        text = _splice(self.text, edits)
        if new_overrides:
            text = _with_element(text, _root(text), "".join(new_overrides))
        return text


# --- the rendered sheet ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rendered:
    """What XlsxWriter wrote: the sheet, the parts it needs, its strings, styles and names."""

    package: _Package
    sheet_part: str
    parts: list[str]  # the sheet's drawings, charts, tables… in relationship order
    strings: list[str]  # shared strings as inline-string content
    styles: str
    names: list[str]  # the sheet's local defined names (localSheetId="0"), as XML text
    content_types: _ContentTypes


def _rendered(package: _Package) -> _Rendered:
    workbook = next(r.part for r in package.rels("") if r.type == _REL_OFFICE_DOCUMENT)
    rels = package.rels(workbook)
    sheet = next(r.part for r in rels if r.type == _REL_WORKSHEET)
    strings_part = next((r.part for r in rels if r.type.endswith("/sharedStrings")), "")
    styles_part = next(r.part for r in rels if r.type == _REL_STYLES)
    return _Rendered(
        package=package,
        sheet_part=sheet,
        parts=package.reachable(sheet),
        strings=_inline_strings(package.text(strings_part)) if strings_part else [],
        styles=package.text(styles_part),
        names=_local_names(package.text(workbook)),
        content_types=_ContentTypes(package.text(_ContentTypes.NAME)),
    )


def _inline_strings(sst: str) -> list[str]:
    """Each shared string as the content of an ``<is>`` element."""
    out = []
    for si in _children(sst, _root(sst)):
        inner = si.inner(sst)
        plain = re.fullmatch(r"<t(?:\s[^>]*)?(?:/>|>(.*)</t>)", inner, re.DOTALL)
        out.append(f'<t xml:space="preserve">{plain.group(1) or ""}</t>' if plain else inner)
    return out


def _local_names(workbook: str) -> list[str]:
    root = _root(workbook)
    names = _child(workbook, root, "definedNames")
    out = []
    for el in _children(workbook, names) if names else []:
        if el.get("localSheetId") != "0":
            raise ValueError(f"build() defined the workbook-level name {el.get('name')!r}: "
                             "an output sheet may only define names local to itself")
        out.append(el.outer(workbook))
    return out


# --- styles ------------------------------------------------------------------------------------

_STYLE_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                   "tableStyles", "colors", "extLst")
_FIRST_CUSTOM_NUMFMT = 164


@dataclass(frozen=True)
class _StyleMaps:
    xf: dict[int, int]
    dxf: dict[int, int]


def _style_items(text: str, section: str) -> list[str]:
    el = _child(text, _root(text), section)
    return [c.outer(text) for c in _children(text, el)] if el else []


def _merge_styles(book: str, rendered: str) -> tuple[str, _StyleMaps]:
    """The book's styles with the rendered ones it lacks appended, and the index maps."""
    prefix = _root(book).prefix
    formats = _NumFormats(book, rendered)
    text = book
    text, fonts = _append_items(text, "fonts", _style_items(rendered, "fonts"), 1, prefix)
    text, fills = _append_items(text, "fills", _style_items(rendered, "fills"), 2, prefix)
    text, borders = _append_items(text, "borders", _style_items(rendered, "borders"), 1, prefix)
    style_xfs = _child(text, _root(text), "cellStyleXfs")
    keep_xf_id = bool(style_xfs and _children(text, style_xfs))
    xfs = [_remap_xf(x, formats, fonts, fills, borders, keep_xf_id) for x in _style_items(rendered, "cellXfs")]
    text, xf_map = _append_items(text, "cellXfs", xfs, 1, prefix)
    dxfs = [formats.remap_dxf(d) for d in _style_items(rendered, "dxfs")]
    text, dxf_map = _append_items(text, "dxfs", dxfs, 0, prefix)
    text = formats.add_missing(text, prefix)
    return text, _StyleMaps(xf_map, dxf_map)


def _append_items(text: str, section: str, items: list[str], fixed: int, prefix: str) -> tuple[str, dict[int, int]]:
    """Append the items the section lacks; map each item's index to its index in the book.

    The first ``fixed`` items (the defaults: normal font, no fill and gray125, no border,
    the default cell format) map to the book's own defaults.
    """
    el = _child(text, _root(text), section)
    existing = [c.outer(text) for c in _children(text, el)] if el else []
    position: dict[str, int] = {}
    for index, item in enumerate(existing):
        position.setdefault(item, index)
    mapping: dict[int, int] = {}
    added: list[str] = []
    for index, item in enumerate(items):
        if index < min(fixed, len(existing)):
            mapping[index] = index
            continue
        item = _prefixed(item, prefix)
        if item not in position:
            position[item] = len(existing) + len(added)
            added.append(item)
        mapping[index] = position[item]
    if added:
        text = _with_section(text, section, "".join(added), len(existing) + len(added), prefix)
    return text, mapping


def _with_section(text: str, section: str, items: str, count: int, prefix: str) -> str:
    root = _root(text)
    el = _child(text, root, section)
    if el is not None:
        return _with_element(text, el, items, {"count": str(count)})
    name = _qname(prefix, section)
    new = f'<{name} count="{count}">{items}</{name}>'
    later = set(_STYLE_SECTIONS[_STYLE_SECTIONS.index(section) + 1:])
    after = next((c.start for c in _children(text, root) if c.local in later), root.close_start)
    if root.empty:
        return _with_element(text, root, new)
    return text[:after] + new + text[after:]


def _remap_xf(xf: str, formats: _NumFormats, fonts: dict[int, int], fills: dict[int, int],
              borders: dict[int, int], keep_xf_id: bool) -> str:
    """A rendered cell format pointing at the book's fonts, fills, borders and formats."""
    end = xf.index(">") + 1
    tag = xf[:end]
    for attr, mapping in (("fontId", fonts), ("fillId", fills), ("borderId", borders)):
        m = re.search(rf'\s{attr}="(\d+)"', tag)
        if m:
            tag = _set_attr(tag, attr, str(mapping.get(int(m.group(1)), 0)))
    m = re.search(r'\snumFmtId="(\d+)"', tag)
    if m:
        tag = _set_attr(tag, "numFmtId", str(formats.cell_id(int(m.group(1)))))
    if keep_xf_id:
        tag = _set_attr(tag, "xfId", "0") if "xfId=" in tag else tag
    else:
        tag = re.sub(r'\sxfId="\d+"', "", tag)
    return tag + xf[end:]


class _NumFormats:
    """Number formats: rendered custom ids → the book's id for the same code, or new ids above its highest."""

    def __init__(self, book: str, rendered: str) -> None:
        self.book_codes: dict[str, int] = {}
        self.listed: set[int] = {int(c.get("numFmtId")) for c in self._listed(book)}
        for m in re.finditer(rf"<(?:[\w.-]+:)?numFmt({_ATTRS})\s*/?>", book):
            attrs = _attrs(m.group(1))
            self.book_codes.setdefault(attrs.get("formatCode", ""), int(attrs.get("numFmtId", "0")))
        for el in self._listed(book):  # the numFmts list wins over dxf formats
            self.book_codes[el.get("formatCode")] = int(el.get("numFmtId"))
        self.next_id = max([_FIRST_CUSTOM_NUMFMT - 1, *map(int, re.findall(r'numFmtId="(\d+)"', book))]) + 1
        self.rendered_codes = {int(a.get("numFmtId", "0")): a.get("formatCode", "")
                               for a in map(_attrs, re.findall(rf"<numFmt({_ATTRS})\s*/?>", rendered))}
        self.to_add: dict[int, str] = {}

    @staticmethod
    def _listed(text: str) -> list[_El]:
        el = _child(text, _root(text), "numFmts")
        return [c for c in _children(text, el) if c.local == "numFmt"] if el else []

    def _book_id(self, rendered_id: int) -> int:
        if rendered_id < _FIRST_CUSTOM_NUMFMT or rendered_id not in self.rendered_codes:
            return rendered_id
        code = self.rendered_codes[rendered_id]
        if code not in self.book_codes:
            self.book_codes[code] = self.next_id
            self.next_id += 1
        return self.book_codes[code]

    def cell_id(self, rendered_id: int) -> int:
        """The book's id for a cell format's number format; listed in numFmts if it is new."""
        book_id = self._book_id(rendered_id)
        if book_id >= _FIRST_CUSTOM_NUMFMT and book_id not in self.listed and rendered_id in self.rendered_codes:
            self.to_add[book_id] = self.rendered_codes[rendered_id]
            self.listed.add(book_id)
        return book_id

    def remap_dxf(self, dxf: str) -> str:
        return re.sub(r'(<numFmt\s[^>]*?numFmtId=")(\d+)"',
                      lambda m: f'{m.group(1)}{self._book_id(int(m.group(2)))}"', dxf)

    def add_missing(self, text: str, prefix: str) -> str:
        if not self.to_add:
            return text
        name = _qname(prefix, "numFmt")
        items = "".join(f'<{name} numFmtId="{i}" formatCode="{_esc(code)}"/>' for i, code in self.to_add.items())
        return _with_section(text, "numFmts", items, len(self._listed(text)) + len(self.to_add), prefix)


# --- the sheet's XML ---------------------------------------------------------------------------

_SHARED_STRING_CELL = re.compile(r'<c(\s[^>]*?)\st="s"([^>]*)><v>(\d+)</v></c>')
_STYLE_REFS = (
    re.compile(r'(<(?:c|row)\s[^>]*?\ss=")(\d+)(")'),
    re.compile(r'(<col\s[^>]*?\sstyle=")(\d+)(")'),
)
_DXF_REF = re.compile(r'(<cfRule\s[^>]*?\sdxfId=")(\d+)(")')
_CELL_METADATA = re.compile(r'(<c\s[^>]*?)\scm="\d+"')  # dynamic arrays: their metadata part is not carried


def _sheet_xml(xml: str, strings: list[str], maps: _StyleMaps | None, selected: bool) -> str:
    """The rendered sheet with strings inlined, styles remapped and its tab selected only if active.

    Dynamic-array formulas become classic array formulas (Excel 2010+, LibreOffice).
    """
    xml = _CELL_METADATA.sub(r"\1", xml)
    xml = _SHARED_STRING_CELL.sub(
        lambda m: f'<c{m.group(1)} t="inlineStr"{m.group(2)}><is>{strings[int(m.group(3))]}</is></c>', xml)
    if maps is not None:
        for pattern in _STYLE_REFS:
            xml = pattern.sub(lambda m: f"{m.group(1)}{maps.xf.get(int(m.group(2)), 0)}{m.group(3)}", xml)
        xml = _DXF_REF.sub(lambda m: f"{m.group(1)}{maps.dxf.get(int(m.group(2)), 0)}{m.group(3)}", xml)
    return _select_tab(xml, selected)


def _select_tab(xml: str, selected: bool) -> str:
    m = re.search(r"<sheetView\b[^>]*>", xml)
    if not m:
        return xml
    tag = re.sub(r'\stabSelected="[^"]*"', "", m.group(0))
    if selected:
        tag = tag.replace("<sheetView", '<sheetView tabSelected="1"', 1)
    return xml[:m.start()] + tag + xml[m.end():]


def _rels_xml(rels: Iterable[tuple[str, str, str, bool]]) -> str:
    """A relationships part: (id, type, target, external) each."""
    items = "".join(
        f'<Relationship Id="{_esc(rid)}" Type="{_esc(rtype)}" Target="{_esc(target)}"'
        + (' TargetMode="External"' if external else "") + "/>"
        for rid, rtype, target, external in rels
    )
    return f'{_XML_DECLARATION}<Relationships xmlns="{_NS_PKG_REL}">{items}</Relationships>'


# --- the transplant ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _SheetRef:
    name: str
    sheet_id: int
    rid: str
    el: _El


class _Names:
    """Free part names: ``stem<N>.ext`` with N above the highest in use in that folder."""

    def __init__(self, names: Iterable[str]) -> None:
        self.used = {n.lower() for n in names}

    def allocate(self, folder: str, base: str) -> str:
        stem, _, ext = re.fullmatch(r"(.*?)(\d*)(\.[^.]*)?", base).groups()  # type: ignore[union-attr]
        ext = ext or ""
        pattern = re.compile(rf"{re.escape((folder + stem).lower())}(\d+){re.escape(ext.lower())}")
        numbers = [int(m.group(1)) for n in self.used if (m := pattern.fullmatch(n))]
        name = f"{folder}{stem}{max(numbers, default=0) + 1}{ext}"
        self.used.add(name.lower())
        return name


class _Transplant:
    """Puts one rendered sheet into the curator's package."""

    def __init__(self, book: _Package, rendered: _Rendered, sheet_name: str) -> None:
        self.book = book
        self.rendered = rendered
        self.sheet_name = sheet_name
        root_rels = book.rels("")
        self.workbook = next((r.part for r in root_rels if r.type == _REL_OFFICE_DOCUMENT), "")
        if not self.workbook:
            raise _NotEditable("no workbook part (strict OOXML or not a spreadsheet)")
        self.wb_text = book.text(self.workbook)
        self.wb_root = _root(self.wb_text)
        if _ns_prefix(self.wb_root, _NS_MAIN) is None:
            raise _NotEditable("the workbook is not transitional SpreadsheetML")
        self.wb_dir = posixpath.dirname(self.workbook) + "/" if "/" in self.workbook else ""
        self.wb_rels = book.rels(self.workbook)
        self.sheets = self._sheet_refs()
        self.types = _ContentTypes(book.text(_ContentTypes.NAME))
        self.changed: dict[str, bytes] = {}
        self.dropped: set[str] = set()
        self.new_types: dict[str, str] = {}  # parts outside the rendered ones that need a content type

    def _sheet_refs(self) -> list[_SheetRef]:
        sheets = _child(self.wb_text, self.wb_root, "sheets")
        if sheets is None:
            raise _NotEditable("workbook without <sheets>")
        refs = []
        for el in _children(self.wb_text, sheets):
            if el.local == "sheet":
                try:
                    refs.append(_SheetRef(el.get("name"), int(el.get("sheetId")), el.get("id"), el))
                except ValueError as exc:
                    raise _NotEditable("bad sheetId") from exc
        return refs

    def _rel(self, rid: str) -> _Rel | None:
        return next((r for r in self.wb_rels if r.id == rid), None)

    # the steps

    def run(self) -> tuple[_Entries, str, bool]:
        old = next((s for s in self.sheets if s.name.casefold() == self.sheet_name.casefold()), None)
        old_rel = None
        if old is not None:
            old_rel = self._rel(old.rid)
            if old_rel is None or not old_rel.part:
                raise _NotEditable("the existing sheet has no part")
            self._drop_own_parts(old_rel.part)
            self._drop_calc_chain_of(old)
        names = _Names(n for n in self.book.data if n not in self.dropped)
        if old_rel is not None and old_rel.type == _REL_WORKSHEET:
            sheet_part = old_rel.part
        else:
            sheet_part = names.allocate(f"{self.wb_dir}worksheets/", "sheet.xml")
        part_names = self._part_names(sheet_part, names)
        index = self.sheets.index(old) if old else len(self.sheets)
        maps = self._styles()
        self._sheet(sheet_part, index, maps)
        self._parts(part_names)
        self._tables(part_names)
        rid = self._workbook_rels(old, old_rel, sheet_part)
        self._workbook(old, rid, index)
        self._content_types(part_names)
        return self._entries(), old.name if old else self.sheet_name, old is not None

    def _drop_own_parts(self, old_part: str) -> None:
        """Drop the old sheet and the parts only it uses (drawings, charts, comments…)."""
        elsewhere = set(self.book.reachable("", blocked=old_part))
        for part in [old_part, *self.book.reachable(old_part)]:
            if part not in elsewhere:
                self.dropped.add(part)
                rels = self.book.find(_rels_name(part))
                if rels:
                    self.dropped.add(rels)

    def _drop_calc_chain_of(self, old: _SheetRef) -> None:
        """Excel repairs a book whose calcChain lists formulas that are gone: drop the chain (Excel rebuilds it)."""
        rel = next((r for r in self.wb_rels if r.type == _REL_CALC_CHAIN and r.part), None)
        if rel is None:
            return
        current = ""
        for m in re.finditer(r"<(?:[\w.-]+:)?c\s([^>]*?)/?>", self.book.text(rel.part)):
            current = _attrs(m.group(1)).get("i", current)
            if current == str(old.sheet_id):
                self.dropped.add(rel.part)
                return

    def _part_names(self, sheet_part: str, names: _Names) -> dict[str, str]:
        """Rendered part → its name in the book."""
        mapping = {self.rendered.sheet_part: sheet_part}
        for part in self.rendered.parts:
            relative = part.removeprefix("xl/")
            folder = posixpath.dirname(relative)
            mapping[part] = names.allocate(self.wb_dir + (folder + "/" if folder else ""), posixpath.basename(part))
        return mapping

    def _styles(self) -> _StyleMaps | None:
        rel = next((r for r in self.wb_rels if r.type == _REL_STYLES and r.part), None)
        if rel is None:
            return None  # the rendered styles become the book's (see _workbook_rels)
        text, maps = _merge_styles(self.book.text(rel.part), self.rendered.styles)
        self._change(rel.part, text)
        return maps

    def _sheet(self, sheet_part: str, index: int, maps: _StyleMaps | None) -> None:
        views = _child(self.wb_text, self.wb_root, "bookViews")
        view = _child(self.wb_text, views, "workbookView") if views else None
        active = int(view.get("activeTab", "0") or 0) if view else 0
        xml = self.rendered.package.text(self.rendered.sheet_part)
        self._change(sheet_part, _sheet_xml(xml, self.rendered.strings, maps, selected=index == active))

    def _parts(self, part_names: dict[str, str]) -> None:
        package = self.rendered.package
        for part, name in part_names.items():
            if part != self.rendered.sheet_part:
                self.changed[name] = package.data[part]
            rels = package.rels(part)
            if rels:
                self.changed[_rels_name(name)] = _rels_xml(
                    (r.id, r.type, r.target if r.external else _relative(name, part_names[r.part]), r.external)
                    for r in rels
                ).encode("utf-8")

    def _tables(self, part_names: dict[str, str]) -> None:
        """Table ids are unique in a workbook; table names too."""
        tables = [n for n in self.book.data if n not in self.dropped and self.types.of(n) == _CT_TABLE]
        roots = [_root(self.book.text(n)) for n in tables]
        next_id = max((int(r.get("id", "0") or 0) for r in roots), default=0) + 1
        taken = {r.get("name").casefold() for r in roots} | {r.get("displayName").casefold() for r in roots}
        for part, name in part_names.items():
            if self.rendered.content_types.of(part) != _CT_TABLE:
                continue
            text = self.rendered.package.text(part)
            root = _root(text)
            if root.get("displayName").casefold() in taken:
                raise ValueError(f"the book already has a table named {root.get('displayName')!r}")
            self._change(name, text[:root.start] + _set_attr(text[root.start:root.open_end], "id", str(next_id))
                         + text[root.open_end:])
            next_id += 1

    def _workbook_rels(self, old: _SheetRef | None, old_rel: _Rel | None, sheet_part: str) -> str:
        name = _rels_name(self.workbook)
        text = self.book.text(name)
        root = _root(text)
        prefix = root.prefix
        edits: list[tuple[int, int, str]] = []
        added: list[str] = []
        ids = {r.id for r in self.wb_rels}
        target = _relative(self.workbook, sheet_part)
        rel_els = [c for c in _children(text, root) if c.local == "Relationship"]
        for el in rel_els:  # the calcChain, when dropped
            part = self.book.find(_resolve(self.workbook, el.get("Target"))) or ""
            is_old_sheet = old_rel is not None and el.get("Id") == old_rel.id
            if el.get("TargetMode").lower() != "external" and part in self.dropped and not is_old_sheet:
                edits.append((el.start, el.end, ""))
        rid = old.rid if old else _new_id(ids)
        if old_rel is not None and old_rel.part != sheet_part:
            el = next(e for e in rel_els if e.get("Id") == old_rel.id)
            tag = _set_attr(_set_attr(text[el.start:el.open_end], "Type", _REL_WORKSHEET), "Target", target)
            edits.append((el.start, el.open_end, tag))
        if old is None:
            added.append(_rel_element(prefix, rid, _REL_WORKSHEET, target))
            ids.add(rid)
        if not any(r.type == _REL_STYLES and r.part for r in self.wb_rels):
            styles = _Names(n for n in self.book.data if n not in self.dropped).allocate(self.wb_dir, "styles.xml")
            self.changed[styles] = self.rendered.styles.encode("utf-8")
            self.new_types[styles] = _CT_STYLES
            added.append(_rel_element(prefix, _new_id(ids), _REL_STYLES, _relative(self.workbook, styles)))
        text = _splice(text, edits)
        if added:
            text = _with_element(text, _root(text), "".join(added))
        self._change(name, text)
        return rid

    def _workbook(self, old: _SheetRef | None, rid: str, index: int) -> None:
        text, root = self.wb_text, self.wb_root
        edits: list[tuple[int, int, str]] = []
        if old is None:
            sheets = _child(text, root, "sheets")
            assert sheets is not None
            edits.append((sheets.close_start, sheets.close_start, self._sheet_element(rid)))
        edits.extend(self._defined_name_edits(index))
        self._change(self.workbook, _splice(text, edits))

    def _defined_name_edits(self, index: int) -> list[tuple[int, int, str]]:
        """Drop the sheet's old filter and print names (and those it defines again); add its new ones."""
        text, root = self.wb_text, self.wb_root
        rendered = "".join(_set_local_sheet(n, index, root.prefix) for n in self.rendered.names)
        own = {_root(n).get("name").casefold() for n in self.rendered.names}
        names = _child(text, root, "definedNames")
        element = _qname(root.prefix, "definedNames")
        if names is None:
            if not rendered:
                return []
            after = max(c.end for c in _children(text, root)
                        if c.local in ("sheets", "functionGroups", "externalReferences"))
            return [(after, after, f"<{element}>{rendered}</{element}>")]
        children = _children(text, names)
        old = [el for el in children if el.get("localSheetId") == str(index)
               and (el.get("name").startswith("_xlnm.") or el.get("name").casefold() in own)]
        if old and len(old) == len(children) and not rendered:
            return [(names.start, names.end, "")]
        if names.empty:
            return [(names.start, names.end, f"<{element}>{rendered}</{element}>")] if rendered else []
        return [(el.start, el.end, "") for el in old] + [(names.close_start, names.close_start, rendered)]

    def _sheet_element(self, rid: str) -> str:
        rel_prefix = _ns_prefix(self.wb_root, _NS_REL)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1
        rel_attr = f'{rel_prefix}:id="{rid}"' if rel_prefix else f'xmlns:r="{_NS_REL}" r:id="{rid}"'
        element = _qname(self.wb_root.prefix, "sheet")
        return f'<{element} name="{_esc(self.sheet_name)}" sheetId="{sheet_id}" {rel_attr}/>'

    def _content_types(self, part_names: dict[str, str]) -> None:
        need = dict(self.new_types)
        for part, name in part_names.items():
            need[name] = self.rendered.content_types.of(part) or ("application/xml" if name.endswith(".xml") else "")
            if _rels_name(name) in self.changed:
                need[_rels_name(name)] = _CT_RELS
        need = {p: t for p, t in need.items() if t}
        self._change(_ContentTypes.NAME, self.types.edited(self.dropped, need))

    def _change(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        if name in self.dropped or self.book.data.get(name) != data:
            self.changed[name] = data

    def _entries(self) -> _Entries:
        """Original order; changed parts in place; dropped ones gone; new ones at the end."""
        out: _Entries = []
        written: set[str] = set()
        for info in self.book.infos:
            name = info.filename
            if name in written or (name in self.dropped and name not in self.changed):
                continue
            out.append((_copy_info(info), self.changed.get(name, self.book.data[name])))
            written.add(name)
        like = next(i for i in self.book.infos if i.filename == self.workbook)
        for name, data in self.changed.items():
            if name not in written:
                out.append((_copy_info(like, name), data))
                written.add(name)
        return out


def _new_id(ids: set[str]) -> str:
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(r"rId(\d+)", i))]
    n = max(numbers, default=0) + 1
    while f"rId{n}" in ids:
        n += 1
    return f"rId{n}"


def _rel_element(prefix: str, rid: str, rtype: str, target: str) -> str:
    return f'<{_qname(prefix, "Relationship")} Id="{rid}" Type="{rtype}" Target="{_esc(target)}"/>'


def _set_local_sheet(name_xml: str, index: int, prefix: str) -> str:
    end = name_xml.index(">") + 1
    return _prefixed(_set_attr(name_xml[:end], "localSheetId", str(index)) + name_xml[end:], prefix)


def _transplant(book: _Package, rendered: _Package, sheet_name: str) -> tuple[_Entries, str, bool]:
    if _ContentTypes.NAME not in book.data:
        raise _NotEditable("no [Content_Types].xml")
    return _Transplant(book, _rendered(rendered), sheet_name).run()


# --- the side file (.xls, .ods and books this writer cannot edit) ------------------------------


def _side_path(book: Path, sheet_name: str) -> Path:
    safe = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", sheet_name).strip(" .") or "лист"
    return book.with_name(f"{book.stem} — {safe}.xlsx")


def _write_side_file(book: Path, sheet_name: str, rendered: bytes) -> WriteResult:
    side = _side_path(book, sheet_name)
    _check_writable(side.resolve())
    existed = side.exists()
    package = _Package.read(rendered)
    entries = [(_copy_info(i), package.data[i.filename]) for i in package.infos]
    entries = _link_into_book(package, entries, book.name, sheet_name)
    _atomic_write(side.resolve(), entries, stat.S_IMODE(book.stat().st_mode))
    return WriteResult(side, sheet_name, side_file=True, replaced=existed)


_URI_ESCAPES = {"%": "%25", " ": "%20", "#": "%23", "[": "%5B", "]": "%5D"}


def _link_into_book(package: _Package, entries: _Entries, book_name: str,
                    sheet_name: str) -> _Entries:
    """Links to the curator's other sheets point into the original book (``book.xls#'Пары'!A5``)."""
    rendered = _rendered(package)
    xml = package.text(rendered.sheet_part)
    rels = [(r.id, r.type, r.target, r.external) for r in package.rels(rendered.sheet_part)]
    ids = {r[0] for r in rels}
    target = "".join(_URI_ESCAPES.get(ch, ch) for ch in book_name)

    def link(m: re.Match[str]) -> str:
        attrs = _attrs(m.group(0))
        location = attrs.get("location", "")
        linked_sheet = location.rpartition("!")[0].strip("'").replace("''", "'")
        if "r:id" in attrs or not linked_sheet or linked_sheet.casefold() == sheet_name.casefold():
            return m.group(0)
        rid = _new_id(ids)
        ids.add(rid)
        rels.append((rid, _REL_HYPERLINK, target, True))
        return _set_attr(m.group(0), "r:id", rid)

    xml = re.sub(r"<hyperlink\s[^>]*>", link, xml)
    if len(rels) == len(package.rels(rendered.sheet_part)):
        return entries
    sheet_rels = _rels_name(rendered.sheet_part)
    changed = {rendered.sheet_part: xml.encode("utf-8"), sheet_rels: _rels_xml(rels).encode("utf-8")}
    out = [(info, changed.pop(info.filename, data)) for info, data in entries]
    like = entries[0][0]
    return out + [(_copy_info(like, name), data) for name, data in changed.items()]
