"""Read a curator's workbook into typed tables (python-calamine: xlsx, xlsm, xls, ods).

Tolerant of what people type (header order, case, spaces, ё/е, dashes, synonyms, dates as
serials or text, blank rows, extra columns, a title above the headers, a row of column
numbers under them); strict where it must be: an unreadable file, a missing sheet or a header
row it cannot recognise is a :class:`BookError` with a Russian message naming the sheet and
the headers.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import python_calamine as calamine

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
SheetRows = list[tuple[int, list[Any]]]  # non-blank rows: (0-based row index, cells from column A)
_KNOWN_OTHER_SHEETS = {norm(n) for n in (PANEL_NAME, LOOKUPS_NAME, *OUTPUT_SHEETS)}


# --- opening the file ---------------------------------------------------------------------


_NOT_A_BOOK_HINTS: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"%PDF",), "это документ PDF, а не книга: нужна сама книга Excel"),
    ((b"<!doctype html", b"<html", b"<?xml", b"<table", b"\xef\xbb\xbf<"),
     "это веб-страница (HTML или XML), сохранённая с расширением книги: откройте её в Excel "
     "и сохраните как «Книга Excel (.xlsx)»"),
    ((b"{\\rtf",), "это документ RTF (Word), а не книга"),
)


def _not_a_book(path: Path, head: bytes) -> BookError:
    low = head.lstrip().lower()
    reason = next((hint for signs, hint in _NOT_A_BOOK_HINTS if any(low.startswith(s.lower()) for s in signs)), "")
    if not reason and b"\n" in head and (b";" in head or b"\t" in head):
        reason = ("похоже на текст с разделителями (CSV): откройте его в Excel "
                  "и сохраните как «Книга Excel (.xlsx)»")
    message = f"Файл «{path.name}» не является книгой Excel (ожидается .xlsx, .xlsm, .xls или .ods)"
    return BookError(message + (f": {reason}." if reason else "."), path=str(path), code="not-a-workbook")


def _zip_kind(path: Path) -> str:
    """ods, xlsm, xlsb or xlsx — or a BookError for a zip that is a Word or PowerPoint file."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "xlsm" if path.suffix.lower() == ".xlsm" else "xlsx"  # let calamine say it is damaged
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "word/document.xml" in names or "ppt/presentation.xml" in names or mimetype.startswith(
            b"application/vnd.oasis.opendocument.text"):
        raise BookError(f"Файл «{path.name}» — это текстовый документ или презентация, а не книга Excel.",
                        path=str(path), code="not-a-workbook")
    if "xl/workbook.bin" in names:
        return "xlsb"
    return "xlsm" if "xl/vbaProject.bin" in names or path.suffix.lower() == ".xlsm" else "xlsx"


def _sniff(path: Path) -> str:
    """The kind of spreadsheet file, from its first bytes; BookError if it is none."""
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
    with path.open("rb") as fh:
        head = fh.read(512)
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(path)
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            fh.seek(0)
            blob = fh.read(4 * 1024 * 1024)
            if "EncryptionInfo".encode("utf-16-le") in blob:
                raise _encrypted(path)
            if "WordDocument".encode("utf-16-le") in blob:
                raise BookError(f"Файл «{path.name}» — это документ Word (.doc), а не книга Excel.",
                                path=str(path), code="not-a-workbook")
            return "xls"
    if path.stat().st_size == 0:
        raise BookError(f"Файл пустой (0 байт): {path}", path=str(path), code="not-a-workbook")
    raise _not_a_book(path, head)


def _encrypted(path: Path) -> BookError:
    return BookError(
        f"Книга «{path.name}» защищена паролем на открытие. Снимите пароль "
        "(Файл → Сведения → Защитить книгу → Зашифровать с использованием пароля) и сохраните книгу снова.",
        path=str(path), code="encrypted",
    )


def open_workbook(path: Path) -> tuple[Any, str]:
    kind = _sniff(path)
    try:
        return calamine.CalamineWorkbook.from_path(str(path)), kind
    except calamine.PasswordError as exc:
        raise _encrypted(path) from exc
    except Exception as exc:  # calamine raises several error types for broken files
        raise BookError(
            f"Не удалось открыть книгу «{path.name}»: файл повреждён или сохранён не полностью ({exc}).",
            path=str(path), code="damaged",
        ) from exc


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
    ignored = [t for i, t in enumerate(texts) if t and i not in taken]
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
    return best


def _missing_headers_error(spec: Sheet, sheet_name: str, missing: list[Column], seen: list[str]) -> BookError:
    names = ", ".join(f"«{c.header}»" for c in missing)
    hints = []
    for col in missing:
        close = difflib.get_close_matches(norm(col.header), [norm(s) for s in seen], n=1, cutoff=0.6)
        if close:
            original = next(s for s in seen if norm(s) == close[0])
            hints.append(f"«{original}» — это «{col.header}»? Переименуйте заголовок.")
    seen_text = ", ".join(f"«{s}»" for s in seen) if seen else "нет"
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


def _read_rows(spec: Sheet, sheet_name: str, rows: SheetRows, header_at: int,
               matches: list[HeaderMatch]) -> tuple[list[Row], int, list[Finding]]:
    """Typed rows under the header; ``skipped`` counts blank rows between data rows."""
    out: list[Row] = []
    findings: list[Finding] = []
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
            value, problem = convert(raw[m.field], col)
            row[m.field] = value
            if problem:
                findings.append(_finding(problem, sheet_name, r + 1, m.written, m.field, raw[m.field]))
        for col in spec.columns:
            row.setdefault(col.field, None)
        out.append(row)
    return out, skipped, findings


def _finding(problem: Problem, sheet: str, row: int, column: str, field: str, raw: object) -> Finding:
    return Finding(code=problem.code, severity=Severity.WARNING if problem.warning else Severity.ERROR,
                   sheet=sheet, row=row, column=column, field=field, value=_jsonable(raw),
                   message=problem.message[0].upper() + problem.message[1:] + ".")


def _jsonable(value: object) -> object:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def read_table(spec: Sheet, sheet_name: str, rows: SheetRows, search_rows: int = HEADER_SEARCH_ROWS) -> Table:
    """One data sheet (or the contingent part of «Организация») as a typed table."""
    header_at, matches, ignored = _find_header_row(rows, spec.columns, search_rows)
    missing = [c for c in spec.required_columns if c.field not in {m.field for m in matches}]
    if header_at < 0 or len(matches) < 2 or missing:
        seen = ignored if header_at >= 0 else []
        raise _missing_headers_error(spec, sheet_name, missing or list(spec.required_columns), seen)
    data, skipped, findings = _read_rows(spec, sheet_name, rows, header_at, matches)
    return Table(spec, sheet_name, header_at + 1, data, matches, ignored, skipped, findings)


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


def read_organisation(sheet_name: str, rows: SheetRows) -> Organisation:
    contingent = read_table(ORGANISATION, sheet_name, rows, search_rows=rows[-1][0] + 1 if rows else 0)
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
        names = list(workbook.sheet_names)
        found, extra = match_sheets(names)
        wanted = [s for s in DATA_SHEETS if sheets is None or s.key in set(sheets)]
        book = Book(path=path, file_kind=kind, sheet_names=names, extra_sheets=extra)
        absent = [s for s in wanted if s.key not in found]
        required_absent = [s for s in absent if s.required]
        if required_absent:
            for spec in required_absent:
                similar = _similar_sheets(spec, names)
                if len(similar) > 1:
                    raise BookError(
                        f"В книге «{path.name}» несколько листов, похожих на «{spec.name}»: "
                        + ", ".join(f"«{n}»" for n in similar)
                        + f". Оставьте один из них или переименуйте нужный в «{spec.name}».",
                        path=str(path), sheet=spec.name, code="ambiguous-sheet",
                    )
            listed = ", ".join(f"«{s.name}»" for s in required_absent)
            raise BookError(
                f"В книге «{path.name}» нет листа {listed}. Листы книги: "
                + ", ".join(f"«{n}»" for n in names) + ". Проверьте, что это книга куратора наставничества.",
                path=str(path), sheet=required_absent[0].name, code="missing-sheet",
            )
        book.missing_sheets = [s.name for s in absent]
        for spec in wanted:
            if spec.key not in found:
                continue
            name = found[spec.key]
            rows = _sheet_rows(workbook, name, path)
            try:
                if spec is ORGANISATION:
                    book.organisation = read_organisation(name, rows)
                else:
                    book.tables[spec.key] = read_table(spec, name, rows)
            except BookError as exc:
                exc.path = str(path)
                raise
        return book
    finally:
        workbook.close()


def _sheet_rows(workbook: Any, name: str, path: Path) -> SheetRows:
    """The sheet's non-blank rows as (0-based row index, cells from column A).

    Sparse on purpose: a stray space in row 1 048 576 must not make a million empty rows.
    """
    try:
        sheet = workbook.get_sheet_by_name(name)
        start = sheet.start
        pad = [""] * (start[1] if start else 0)
        return [(r, pad + cells if pad else cells) for r, cells in enumerate(sheet.iter_rows())
                if any(cell != "" for cell in cells)]
    except Exception as exc:
        raise BookError(f"Книга «{path.name}»: не удалось прочитать лист «{name}» ({exc}).",
                        path=str(path), sheet=name, code="damaged") from exc
