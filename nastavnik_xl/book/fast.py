"""A fast read path for the regional summary: only the sheets and columns a figure needs.

:func:`read_book` types and checks every cell of every sheet, and scans each xlsx sheet's XML
before calamine loads it; on a school book that is several times the bare calamine parse.
The summary needs a few columns of a few sheets, so :func:`read_fast`:

* opens the file as the reader does (format from the content, zip bombs refused) and finds
  sheets and headers with the reader's own tolerant matching, raising the same ``BookError``s;
* types only the columns asked for, through the reader's converters (a value calamine already
  returns in the right type — a date, a list value spelled as in the list — is taken as it is);
  a row is read when one of those columns is filled;
* guards memory without scanning whole sheets: a far stray cell (a space in XFD1048576) would
  make calamine allocate a rectangle of billions of cells. The sheet's ``<dimension>`` (the first
  bytes of its XML, written by Excel, LibreOffice and every library) gives the rectangle; a sheet
  without one, or with a big one, gets the reader's full scan. After calamine loads a sheet its
  real size is checked again before any row is turned into Python objects. A file that lies in
  its ``<dimension>`` can still make calamine abort its process: the summary runs books in worker
  processes and survives that (see ``actions/summary/run.py``).

The result is a :class:`Book` whose tables hold the asked fields only (plus ``_row``; a field whose
column the sheet lacks is None, as the reader has it); «Организация» and any sheet asked ``WHOLE``
are read by the reader itself. A ``Keep`` keeps only the rows a figure counts (the meetings of one
quarter out of a book's years); the cells of the others are still typed and their problems reported.
What the fast path does not report: duplicate columns, formulas saved without values and a misnamed
file (the reader's warnings; ``read_book`` and validation give them).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from nastavnik_xl.book.model import Book, HeaderMatch, Row, Table
from nastavnik_xl.book.reader import (
    MAX_SHEET_CELLS,
    SheetRows,
    about_file,
    cell_finding,
    explain_missing_columns,
    is_numbering_row,
    locate_header,
    open_workbook,
    plan_sheets,
    read_organisation,
    read_table,
    scan_xlsx_sheets,
    sheet_rows,
    xlsx_sheet_parts,
)
from nastavnik_xl.book.values import Problem, convert
from nastavnik_xl.findings import BookError, Finding
from nastavnik_xl.schema import ORGANISATION, ColType, Column, Sheet, lookups

WHOLE = "*"  # read every column of the sheet (small sheets)
Needs = Mapping[str, Collection[str]]  # schema sheet key → fields to read, or WHOLE


@dataclass(frozen=True)
class Keep:
    """Keep only the rows whose ``field`` (typed) passes ``test``; the others are typed and their cell
    problems reported, but they are not kept (the meetings of one quarter out of a book's years)."""

    field: str
    test: Callable[[Any], bool]

DIMENSION_BYTES = 8192  # the <dimension> element stands before the cells, in the first bytes of a sheet
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")


# --- typing the cells --------------------------------------------------------------------------


Converter = Callable[[object], Any]  # raw cell → typed value (a problem goes to the converter's callback)
OnProblem = Callable[[Problem, object], None]


def _blank(raw: object) -> bool:
    return raw is None or raw == "" or (type(raw) is str and raw.isspace())  # type: ignore[union-attr]


def converter(column: Column, on_problem: OnProblem) -> Converter:
    """What :func:`values.convert` does for ``column`` — the same value, the same problem (given to
    ``on_problem``) — without its work when calamine already typed the cell as the column wants it:
    a date, a number, a text, a list value spelled as in the list."""
    kind = column.type

    def slow(raw: object) -> Any:
        value, problem = convert(raw, column)
        if problem:
            on_problem(problem, raw)
        return value

    if kind is ColType.DATE:
        def typed(raw: object) -> Any:
            if type(raw) is dt.date:
                return raw
            if type(raw) is dt.datetime:
                return raw.date()  # type: ignore[attr-defined]
            return None if _blank(raw) else slow(raw)
    elif kind in (ColType.TEXT, ColType.ID):
        def typed(raw: object) -> Any:
            if type(raw) is str:
                return None if not raw or raw.isspace() else " ".join(raw.split())  # type: ignore[attr-defined]
            return None if raw is None else slow(raw)
    elif kind is ColType.LOOKUP and column.lookup:
        lookup = lookups()[column.lookup]

        def typed(raw: object) -> Any:
            if type(raw) is str and raw and not raw.isspace():  # type: ignore[attr-defined]
                canonical = lookup.canonical(raw)
                if canonical is not None:
                    return canonical
            return None if _blank(raw) else slow(raw)
    elif kind in (ColType.NUMBER, ColType.INT):
        number = kind is ColType.NUMBER

        def typed(raw: object) -> Any:
            if type(raw) is float and (number or raw.is_integer()):  # type: ignore[attr-defined]
                return raw if number else int(raw)  # type: ignore[call-overload]
            return None if _blank(raw) else slow(raw)
    else:
        def typed(raw: object) -> Any:
            return None if _blank(raw) else slow(raw)
    return typed


def _row_values(spec: Sheet, sheet_name: str, rows: SheetRows, header_at: int, matches: list[HeaderMatch],
                fields: Collection[str], keep: Keep | None = None) -> tuple[list[Row], list[Finding]]:
    """Typed rows of the asked fields under the header; rows where all of them are blank are skipped."""
    wanted = [m for m in matches if m.field in fields]
    absent = dict.fromkeys(f for f in fields if f not in {m.field for m in wanted})  # asked, not in the sheet: None
    if not wanted:
        return [], []
    pending: list[tuple[HeaderMatch, Problem, object]] = []

    def reporter(m: HeaderMatch) -> OnProblem:
        return lambda problem, raw: pending.append((m, problem, raw))

    names = [m.field for m in wanted]
    typers = [converter(spec.column(m.field), reporter(m)) for m in wanted]
    test_at = names.index(keep.field) if keep and keep.field in names else None
    index = [m.column - 1 for m in wanted]
    pick = itemgetter(*index) if len(index) > 1 else (lambda cells: (cells[index[0]],))
    by_hand = [i for i, m in enumerate(wanted) if not spec.column(m.field).computed]  # formulas alone: blank
    first = by_hand[0] if by_hand else None
    width = max(index) + 1
    out: list[Row] = []
    findings: list[Finding] = []
    for r, cells in rows:
        if r <= header_at:
            continue
        raw = pick(cells) if len(cells) >= width else [cells[i] if i < len(cells) else None for i in index]
        if (first is None or _blank(raw[first])) and all(_blank(raw[i]) for i in by_hand):
            continue
        if r == header_at + 1 and is_numbering_row(cells, matches):
            continue
        values = [typed(value) for typed, value in zip(typers, raw)]
        if pending:
            findings += [cell_finding(p, sheet_name, r + 1, m.written, m.field, value) for m, p, value in pending]
            pending.clear()
        if test_at is not None and not keep.test(values[test_at]):  # type: ignore[union-attr]
            continue
        row: Row = dict(zip(names, values))
        row["_row"] = r + 1
        if absent:
            row.update(absent)
        out.append(row)
    return out, findings


def read_columns(spec: Sheet, sheet_name: str, rows: SheetRows, fields: Collection[str],
                 keep: Keep | None = None) -> Table:
    """The sheet as a table of ``fields`` only (of the rows ``keep`` keeps); headers found as the reader finds them."""
    header_at, matches, ignored = locate_header(spec, sheet_name, rows)
    data, findings = _row_values(spec, sheet_name, rows, header_at, matches, fields, keep)
    return Table(spec, sheet_name, header_at + 1, data, matches, ignored, 0, findings)


# --- guarding memory ---------------------------------------------------------------------------------


def _letters_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def dimension_cells(head: bytes) -> int | None:
    """The cells of the rectangle a sheet's ``<dimension ref="A1:U443">`` declares (None without one)."""
    m = _DIMENSION.search(head)
    if m is None or m.group(2) is None:
        return None
    first_col, first_row = _letters_number(m.group(1) or b"A"), int(m.group(2))
    last_col = _letters_number(m.group(3)) if m.group(3) else first_col
    last_row = int(m.group(4)) if m.group(4) else first_row
    return max(last_row - first_row + 1, 1) * max(last_col - first_col + 1, 1)


def _part_head(z: zipfile.ZipFile, part: str, size: int = DIMENSION_BYTES) -> bytes:
    """The first bytes of a zip part, unpacking no more of it than that."""
    try:
        with z.open(part) as fh:
            return fh.read(size)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        return b""


def undeclared_sheets(path: Path, names: list[str]) -> list[str]:
    """The xlsx sheets among ``names`` whose ``<dimension>`` is absent or too big to trust without a scan."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = xlsx_sheet_parts(z)
            present = set(z.namelist())
            out = []
            for name in names:
                part = parts.get(name)
                if part not in present:
                    continue  # calamine will say what is wrong with the file
                cells = dimension_cells(_part_head(z, part))
                if cells is None or cells > MAX_SHEET_CELLS:
                    out.append(name)
            return out
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        return []


def guard_sheets(path: Path, kind: str, names: list[str]) -> None:
    """BookError for a sheet too big to load (see the module docstring); cheap for an honest book."""
    if kind not in ("xlsx", "xlsm"):
        return  # .xls and .ods: as the reader does
    doubtful = undeclared_sheets(path, names)
    if doubtful:
        scan_xlsx_sheets(path, doubtful)


# --- the book -------------------------------------------------------------------------------------


def _read_sheet(book: Book, workbook: Any, spec: Sheet, name: str, fields: Collection[str] | str,
                keep: Keep | None) -> None:
    whole = spec is ORGANISATION or fields == WHOLE
    rows = sheet_rows(workbook, name, book.path, MAX_SHEET_CELLS, blank_rows=not whole)
    try:
        if spec is ORGANISATION:
            book.organisation = read_organisation(name, rows)
        elif fields == WHOLE:
            book.tables[spec.key] = read_table(spec, name, rows)
        else:
            book.tables[spec.key] = read_columns(spec, name, rows, fields, keep)
    except BookError as exc:
        explain_missing_columns(exc, workbook, name)
        raise


def read_fast(path: str | Path, needs: Needs, keep: Mapping[str, Keep] | None = None) -> Book:
    """Read the sheets and fields of ``needs`` (WHOLE for a whole sheet; «Организация» is always whole),
    and of a sheet in ``keep`` only the rows it keeps.

    The same BookErrors as :func:`read_book` for a file that is no book, a missing required sheet
    among those asked for, or a sheet without its required headers.
    """
    path = Path(path)
    workbook, kind = open_workbook(path)
    try:
        names, to_read, missing, extra = plan_sheets(path, workbook, needs.keys())
        guard_sheets(path, kind, [name for _, name in to_read])
        book = Book(path=path, file_kind=kind, sheet_names=names, extra_sheets=extra, missing_sheets=missing)
        for spec, name in to_read:
            _read_sheet(book, workbook, spec, name, needs[spec.key], (keep or {}).get(spec.key))  # type: ignore[arg-type]
    except BookError as exc:
        raise about_file(exc, path) from None
    finally:
        workbook.close()
    return book
