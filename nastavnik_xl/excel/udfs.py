"""Worksheet functions a curator types into a cell (``@xw.func``), with help text in Russian.

=============================  ===========================================================
``=NAST_OHVAT(кат; [год])``    охват категории в году: доля от контингента (0,35 = 35 %)
``=NAST_TSEL(кат; [год])``     цель охвата категории в году (с листа «Целевые показатели»)
``=NAST_RAZRYV(кат; [год])``   разрыв до цели в людях: охвачено минус нужно по цели
``=NAST_PARY([форма]; [год])`` действующих в году пар формы (пустая форма — все формы)
``=NAST_STATUS(ID)``           статус наставника или наставляемого по его ID
``=NAST_SOVPADENIE(ID1; ID2)`` совпадение наставника и наставляемого, доля (0,8 = 80 %)
=============================  ===========================================================

Categories are «обучающиеся», «педагоги», «молодые специалисты» (the titles of «Целевые показатели»);
the year defaults to the book's reporting year.

**Names.** ASCII transliterations with the prefix ``NAST_``: classic xlwings writes the VBA wrapper of
each function through the system's ANSI code page (a Cyrillic name breaks on any Windows without
code page 1251), and Office.js custom-function ids allow only A–Z, 0–9, «_» and «.». Transliteration
reads as Russian and works in every route.

**Where the data comes from.** A function reads the book's *saved* file (``xw.Book.caller().fullname``):
reading thousands of rows through Excel on every recalculation would be far slower. The parsed book
and what is computed from it are cached per file path, modification time and size, so after the first
call a function answers in well under 50 ms on a 5,000-row book; after saving, Ctrl+Alt+F9 recalculates
the functions with the new data.

**Runtimes.** On Windows the decorators are classic xlwings' (import with «Import Functions» or the
``ImportPythonUDFs`` macro, module ``nastavnik_xl.excel.udfs`` in ``UDF MODULES``). Elsewhere, when the
xlwings PRO licence key is set (``XLWINGS_LICENSE_KEY=noncommercial`` for educational and government
use), they are xlwings Server's, so the same functions run through ``custom_functions_call``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings as xw

from nastavnik_xl.actions.coverage import pair_active_in
from nastavnik_xl.actions.coverage_report import CoverageReport, GroupYear, coverage_report
from nastavnik_xl.book.model import Book, Row
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.excel.route import NO_FILES_FOR_FUNCTIONS, current_route
from nastavnik_xl.findings import BookError
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import NO_CONTINGENT, CoverageGroup, coverage_group_by_title, coverage_groups, lookups

CACHE_BOOKS = 4  # books kept parsed at once (a curator rarely has more open)


def _server_decorators() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    try:
        from xlwings import server
    except Exception:  # noqa: BLE001 — no valid PRO licence: no server decorators
        return None
    return server.func, server.arg


def _decorators() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(func, arg): classic xlwings on Windows; xlwings Server's where its licence is set; else xlwings'."""
    if not sys.platform.startswith("win") and os.environ.get("XLWINGS_LICENSE_KEY"):
        return _server_decorators() or (xw.func, xw.arg)
    return xw.func, xw.arg


func, arg = _decorators()


# --- the parsed book, cached ------------------------------------------------------------------------


@dataclass
class CachedBook:
    """A parsed book and what the functions computed from it, valid while the file is unchanged."""

    book: Book
    stamp: tuple[int, int]  # modification time (ns) and size of the file
    reports: dict[int | None, CoverageReport] = field(default_factory=dict)
    people: dict[str, list[Row]] | None = None

    def coverage(self, year: int | None) -> CoverageReport:
        if year not in self.reports:
            self.reports[year] = coverage_report(self.book, year)
        return self.reports[year]

    def by_id(self) -> dict[str, list[Row]]:
        """Mentors and mentees by ID key (a mentor first when an ID is in both)."""
        if self.people is None:
            self.people = {}
            for key, id_field in (("mentors", "mentor_id"), ("mentees", "mentee_id")):
                table = self.book.tables.get(key)
                for row in table.rows if table else []:
                    if row.get(id_field):
                        self.people.setdefault(id_key(row[id_field]), []).append(row)
        return self.people


_CACHE: OrderedDict[Path, CachedBook] = OrderedDict()


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def cached_book(path: Path) -> CachedBook:
    """The parsed book at ``path``, read again only when the file changed."""
    path = path.resolve()
    stamp = _stamp(path)
    hit = _CACHE.get(path)
    if hit is not None and hit.stamp == stamp:
        _CACHE.move_to_end(path)
        return hit
    entry = CachedBook(read_book(path), stamp)
    _CACHE[path] = entry
    _CACHE.move_to_end(path)
    while len(_CACHE) > CACHE_BOOKS:
        _CACHE.popitem(last=False)
    return entry


def caller_file() -> Path:
    """The saved file of the book whose cell calls the function (never on the МНЦ's server)."""
    if not current_route().files:
        raise BookError(NO_FILES_FOR_FUNCTIONS, code="no-files")
    name = xw.Book.caller().fullname
    path = Path(name)
    if "://" in name or not path.is_absolute() or not path.is_file():
        raise BookError("Функции читают сохранённую книгу на этом компьютере: сохраните книгу (Ctrl+S) в папку "
                        "на диске и пересчитайте (Ctrl+Alt+F9).", code="not-saved")
    return path


def current() -> CachedBook:
    return cached_book(caller_file())


# --- arguments ------------------------------------------------------------------------------------


def _group(text: Any) -> CoverageGroup:
    by_key = {g.key: g for g in coverage_groups()}
    group = by_key.get(str(text).strip()) or coverage_group_by_title(text)
    if group is None:
        titles = ", ".join(f"«{g.title}»" for g in coverage_groups())
        raise BookError(f"Нет категории «{text}»: укажите {titles}.", code="usage")
    return group


def _year(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(float(value))
    except (TypeError, ValueError):
        raise BookError(f"Год «{value}» — не число: укажите год четырьмя цифрами, например 2025.",
                        code="usage") from None
    if not 2000 <= year <= 2100:
        raise BookError(f"Год {year} вне 2000–2100: укажите год четырьмя цифрами.", code="usage")
    return year


def _id(value: Any) -> str:
    """An ID typed in a cell compared as the book compares IDs (12 typed as a number is «12»)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return id_key(value) if value not in (None, "") else ""


def _form(text: Any) -> str | None:
    """The list's spelling of a form, or None for «all forms»."""
    if text in (None, ""):
        return None
    forms = lookups()["forms"]
    canonical = forms.canonical(text) or forms.synonym(text)
    if canonical is None:
        listed = ", ".join(f"«{v}»" for v in forms.values)
        raise BookError(f"Нет формы наставничества «{text}»: укажите одну из {listed}.", code="usage")
    return canonical


def _answer(compute: Callable[[], Any]) -> Any:
    """The function's value, or the Russian reason it has none (shown in the cell)."""
    try:
        return compute()
    except BookError as exc:
        return exc.message
    except Exception as exc:  # noqa: BLE001 — a cell shows a message, never a traceback
        return f"Внутренняя ошибка: {type(exc).__name__}: {exc}"


# --- what the functions compute ------------------------------------------------------------------


def coverage_row(cache: CachedBook, group: CoverageGroup, year: int | None) -> GroupYear:
    report = cache.coverage(year)
    row = report.row(report.year, group.key)
    if row is None:
        raise BookError(f"Нет данных об охвате «{group.title}» за {report.year} год: он позже отчётного года "
                        "книги или вне лет «Целевых показателей».", code="no-data")
    return row


def active_pairs(book: Book, form: str | None, year: int) -> int:
    """Pairs (a group counts once, by its pair ID) of ``form`` active in ``year``."""
    table = book.tables.get("pairs")
    seen = set()
    for row in table.rows if table else []:
        if (form is None or row.get("form") == form) and pair_active_in(row, year):
            seen.add(id_key(row["pair_id"]) if row.get("pair_id") else f"#{row.get('_row')}")
    return len(seen)


def person_status(cache: CachedBook, person_id: Any) -> str:
    rows = cache.by_id().get(_id(person_id))
    if not rows:
        raise BookError(f"Нет человека с ID «{person_id}» на листах «Наставники» и «Наставляемые».",
                        code="no-data")
    return "; ".join(str(r.get("status") or "статус не указан") for r in rows)


def recorded_match(book: Book, mentor_id: str, mentee_id: str) -> float | None:
    """The match score written on «Пары» for this mentor and mentee (the latest pair's), or None."""
    table = book.tables.get("pairs")
    scores = [(r.get("start_date") or dt.date.min, r["match_score"]) for r in (table.rows if table else [])
              if _id(r.get("mentor_id")) == mentor_id and _id(r.get("mentee_id")) == mentee_id
              and isinstance(r.get("match_score"), (int, float))]
    return max(scores, key=lambda s: s[0])[1] if scores else None


# How a match percentage is found: the pairing engine will compute it for any two people; until then the
# score recorded on «Пары» for a formed pair. Replace this one name to switch.
match_percent: Callable[[Book, str, str], float | None] = recorded_match


# --- the worksheet functions -----------------------------------------------------------------------

GROUP_DOC = "Категория: «обучающиеся», «педагоги» или «молодые специалисты»"
YEAR_DOC = "Год, например 2025; пусто — отчётный год книги"


@func
@arg("group", doc=GROUP_DOC)
@arg("year", doc=YEAR_DOC)
def NAST_OHVAT(group: Any, year: Any = None) -> Any:
    """Охват категории наставничеством в году: доля людей с действующей парой от контингента (0,35 = 35 %)."""
    def compute() -> Any:
        row = coverage_row(current(), _group(group), _year(year))
        return row.share if row.share is not None else NO_CONTINGENT
    return _answer(compute)


@func
@arg("group", doc=GROUP_DOC)
@arg("year", doc=YEAR_DOC)
def NAST_TSEL(group: Any, year: Any = None) -> Any:
    """Цель охвата категории в году с листа «Целевые показатели» (0,7 = 70 %)."""
    def compute() -> Any:
        row = coverage_row(current(), _group(group), _year(year))
        return row.target if row.target is not None else "цель не задана"
    return _answer(compute)


@func
@arg("group", doc=GROUP_DOC)
@arg("year", doc=YEAR_DOC)
def NAST_RAZRYV(group: Any, year: Any = None) -> Any:
    """Разрыв до цели в людях: охвачено минус нужно по цели (меньше нуля — столько не хватает)."""
    def compute() -> Any:
        row = coverage_row(current(), _group(group), _year(year))
        return row.gap_people if row.gap_people is not None else "нет цели или контингента"
    return _answer(compute)


@func
@arg("form", doc="Форма наставничества, например «ученик – ученик»; пусто — все формы")
@arg("year", doc=YEAR_DOC)
def NAST_PARY(form: Any = None, year: Any = None) -> Any:
    """Число пар формы, действующих в году (группа с одним ID пары — одна пара)."""
    def compute() -> Any:
        cache = current()
        reporting = cache.book.organisation.reporting_year if cache.book.organisation else None
        return active_pairs(cache.book, _form(form), _year(year) or reporting or dt.date.today().year)
    return _answer(compute)


@func
@arg("person_id", doc="ID наставника или наставляемого, например НК-12")
def NAST_STATUS(person_id: Any) -> Any:
    """Статус наставника или наставляемого по его ID с листов «Наставники» и «Наставляемые»."""
    return _answer(lambda: person_status(current(), person_id))


@func
@arg("mentor_id", doc="ID наставника")
@arg("mentee_id", doc="ID наставляемого")
def NAST_SOVPADENIE(mentor_id: Any, mentee_id: Any) -> Any:
    """Совпадение наставника и наставляемого, доля (0,8 = 80 %): оценка из листа «Пары»."""
    def compute() -> Any:
        score = match_percent(current().book, _id(mentor_id), _id(mentee_id))
        if score is None:
            return "нет оценки: у этой пары не заполнена «Оценка совпадения»"
        return score
    return _answer(compute)


UDF_NAMES = ("NAST_OHVAT", "NAST_TSEL", "NAST_RAZRYV", "NAST_PARY", "NAST_STATUS", "NAST_SOVPADENIE")
