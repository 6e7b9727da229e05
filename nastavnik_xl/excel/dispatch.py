"""The Python side of the buttons: one dispatcher that runs a package action on the book Excel has open.

A button Sub calls ``NastavnikRun`` (``macros/Nastavnik.bas``), which runs :func:`main` through xlwings'
``RunPython``; :func:`main` takes the book from ``xw.Book.caller()`` and calls :func:`run_action`. The same
:func:`run_action` serves xlwings Server and Lite scripts and the tests (the remote engine,
``xw.Book(json=...)``).

**The book is read from xlwings' sheets, not from the file.** The values of the schema's sheets come
through xlwings (one read per sheet) and go through the package's own reader, so the action sees what
the curator sees, unsaved edits included; nothing is saved behind the curator's back (a book never
saved has no file at all); and the same code works where there is no file (xlwings Server, Lite).

**The output sheet is written through xlwings.** The action's renderer (``book/output/*.py``, written
for XlsxWriter) draws into a recording stand-in of an XlsxWriter sheet, and the recording is replayed
through xlwings: values in one block, formats grouped into rectangles, column widths, row heights,
merges, frozen panes, links (as HYPERLINK formulas) and column charts. The layout is therefore written
once for the CLI's file writer and for Excel. The sheet is deleted and added again at its place (so
nothing of the previous run survives) and selected. Text stays text: every string is written with a
leading apostrophe, so «=Иванов» or «001» is never a formula or a number.

Errors never reach the curator as a traceback: a :class:`~nastavnik_xl.findings.BookError` is shown as
its Russian message, anything else as an internal error, both in a message box.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from nastavnik_xl.actions.coverage_report import coverage_report
from nastavnik_xl.actions.monitoring import monitor
from nastavnik_xl.actions.pairing.accept import accept
from nastavnik_xl.actions.pairing.proposals import propose
from nastavnik_xl.actions.registry import Quarter, build_registry, check_quarter_in_book, parse_quarter
from nastavnik_xl.actions.validate import validate_book
from nastavnik_xl.book.decisions import decisions_from_rows, percents_from_rows
from nastavnik_xl.book.model import Book
from nastavnik_xl.book.output import check_sheet, coverage_sheet, monitoring_sheet, pairing_sheet, registry_sheet
from nastavnik_xl.book.reader import match_sheets, read_open_book
from nastavnik_xl.excel.buttons import BUTTONS
from nastavnik_xl.excel.route import Refused, current_route
from nastavnik_xl.findings import BookError

TITLE = "Наставничество"
OutputBuilder = Callable[[Any, Any], None]


@dataclass(frozen=True)
class Output:
    """What an action hands to Excel: the sheet it writes and, optionally, a message for the curator."""

    sheet_name: str
    build: OutputBuilder
    message: str = ""


Runner = Callable[[Book, str, dt.date, Any], Output]


# --- the actions -----------------------------------------------------------------------------------


def _validate(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    report = validate_book(book, today)
    return Output(check_sheet.SHEET_NAME, check_sheet.check_sheet(report, book))


def _coverage(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    return Output(coverage_sheet.SHEET_NAME, coverage_sheet.coverage_sheet(coverage_report(book)))


def previous_quarter(today: dt.date) -> Quarter:
    """The last quarter that has ended by ``today``: the one a registry is usually due for."""
    number = (today.month - 1) // 3
    return Quarter(today.year - 1, 4) if number == 0 else Quarter(today.year, number)


def _book_file(xl_book: Any) -> Path | None:
    """The book's file on this computer, when it has one (not on xlwings Server or Lite, not before saving)."""
    if not current_route().files:
        return None
    try:
        path = Path(xl_book.fullname)
    except Exception:  # noqa: BLE001 — an engine that knows no path
        return None
    return path if path.is_absolute() and path.is_file() else None


def _registry(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    quarter = parse_quarter(argument) if argument.strip() else previous_quarter(today)
    check_quarter_in_book(book, quarter)
    registry = build_registry(book, quarter)
    message = f"{quarter.title}: в учёте {len(registry.rows)} чел. "
    book_file = _book_file(xl_book)
    if book_file is not None:
        written = registry_sheet.write_registry_file(registry, book_file.with_name(registry.file_name))
        message += f"Файл для муниципалитета: {written}"
    else:
        message += (f"Лист «{registry_sheet.SHEET_NAME}» готов. Чтобы отправить его в муниципалитет, скопируйте "
                    "лист в новую книгу: правой кнопкой по ярлыку листа → «Переместить или скопировать» → "
                    "«(новая книга)» → «Создать копию».")
    if registry.excluded:
        message += f"\nНе включены без согласия на обработку ПДн: {len(registry.excluded)} — список под таблицей."
    return Output(registry_sheet.SHEET_NAME, registry_sheet.registry_sheet(registry), message)


def _decision_rows(xl_book: Any) -> list[list[Any]]:
    names = [s.name for s in xl_book.sheets]
    return sheet_rows(xl_book.sheets[pairing_sheet.SHEET_NAME]) if pairing_sheet.SHEET_NAME in names else []


def _proposals(book: Book, today: dt.date, decisions: Mapping[tuple[str, str], str], message: str = "") -> Output:
    rejected = [k for k, v in decisions.items() if v == pairing_sheet.REJECT]
    result = propose(book, today, "participation", rejected)
    return Output(pairing_sheet.SHEET_NAME, pairing_sheet.pairing_sheet(result, decisions), message)


def _pair(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    return _proposals(book, today, decisions_from_rows(_decision_rows(xl_book)))


def _accept(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    """«Утвердить пары»: the proposals marked «принять» go into «Пары»; the proposals are made anew."""
    rows = _decision_rows(xl_book)
    decisions = decisions_from_rows(rows)
    result = accept(book, decisions, percents_from_rows(rows), today)
    table = book.tables["pairs"]
    if result.rows:
        sheet = xl_book.sheets[table.sheet_name]
        first = max([r["_row"] for r in table.rows], default=table.header_row) + 1
        columns = {h.field: h.column for h in table.headers}
        for n, row in enumerate(result.rows):
            for field_name, value in row.items():
                if field_name in columns and value is not None:
                    cell = f"'{value}" if isinstance(value, str) else value
                    sheet.range((first + n, columns[field_name])).value = cell
    message = f"В лист «Пары» добавлено пар: {len(result.rows)}." if result.rows else "Пар, отмеченных «принять», нет."
    if result.findings:
        message += "\nНе добавлены:\n" + "\n".join(f"• {f.message}" for f in result.findings[:10])
    if result.rows:
        book = read_xlwings_book(xl_book)
    kept = {k: v for k, v in decisions.items() if v == pairing_sheet.REJECT}
    try:
        return _proposals(book, today, kept, message)
    except BookError as exc:  # no new proposals (no solver in xlwings Lite): the pairs added are still said
        if result.rows:
            raise BookError(f"{message}\n{exc.message}", code=exc.code) from exc
        raise


def _monitor(book: Book, argument: str, today: dt.date, xl_book: Any) -> Output:
    return Output(monitoring_sheet.SHEET_NAME, monitoring_sheet.monitoring_sheet(monitor(book, today)))


# One line per action key of the buttons. None: the action is not in the package yet.
ACTIONS: dict[str, Runner | None] = {
    "validate": _validate,
    "pair": _pair,
    "accept": _accept,
    "coverage": _coverage,
    "monitor": _monitor,
    "registry": _registry,
}
NOT_READY = "«{caption}» ещё не готово: эта кнопка заработает в следующей версии программы."


# --- reading the book through xlwings --------------------------------------------------------------


class _ValuesSheet:
    """One sheet's values in the shape the reader takes from python-calamine."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows
        self.start = (0, 0)

    def iter_rows(self) -> Iterable[list[Any]]:
        return iter(self.rows)


class _ValuesWorkbook:
    def __init__(self, sheets: Mapping[str, list[list[Any]]], sheet_names: list[str]) -> None:
        self.sheets = sheets
        self.sheet_names = sheet_names

    def get_sheet_by_name(self, name: str) -> _ValuesSheet:
        return _ValuesSheet(self.sheets.get(name, []))


def _cell(value: Any) -> Any:
    """An xlwings value as calamine gives it: empty cells are "", whole numbers stay floats."""
    return "" if value is None else value


def sheet_rows(sheet: Any) -> list[list[Any]]:
    """The values of a sheet from A1 to its last used cell (one read through xlwings)."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return [[_cell(v) for v in row] for row in values]


def read_xlwings_book(xl_book: Any) -> Book:
    """The curator's book as the package's reader sees it, from the values xlwings gives.

    Only the sheets of the schema are read; the reader checks them exactly as it checks a file.
    """
    names = [s.name for s in xl_book.sheets]
    found, _ = match_sheets(names)
    wanted = set(found.values())
    sheets = {s.name: sheet_rows(s) for s in xl_book.sheets if s.name in wanted}
    path = Path(xl_book.fullname)
    book = read_open_book(path, _ValuesWorkbook(sheets, names), "xlwings", None)
    book.file_kind = path.suffix.lower().lstrip(".") or "xlsx"
    return book


# --- recording what a renderer draws ------------------------------------------------------------------


class _Format:
    """Stands in for an XlsxWriter format: its properties as a dict."""

    def __init__(self, properties: Mapping[str, Any] | None = None) -> None:
        self.properties = dict(properties or {})


@dataclass
class _Link:
    target: str  # "#'Лист'!C7" or an external address
    text: str

    def formula(self) -> str:
        def quoted(s: str) -> str:
            return '"' + s.replace('"', '""') + '"'

        return f"=HYPERLINK({quoted(self.target)},{quoted(self.text)})"


@dataclass
class _Chart:
    options: dict[str, Any]
    series: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    size: tuple[float, float] = (480, 288)  # pixels, XlsxWriter's default

    def add_series(self, options: Mapping[str, Any]) -> None:
        self.series.append(dict(options))

    def set_title(self, options: Mapping[str, Any]) -> None:
        self.title = str(options.get("name") or "")

    def set_size(self, options: Mapping[str, Any]) -> None:
        self.size = (options.get("width", self.size[0]), options.get("height", self.size[1]))

    def set_x_axis(self, options: Mapping[str, Any]) -> None:
        """Axis styling is left to Excel."""

    def set_y_axis(self, options: Mapping[str, Any]) -> None:
        """Axis styling is left to Excel."""

    def set_legend(self, options: Mapping[str, Any]) -> None:
        """The legend stays where Excel puts it."""


class RecordingWorkbook:
    """Stands in for the XlsxWriter workbook a renderer gets: formats and charts."""

    def add_format(self, properties: Mapping[str, Any] | None = None) -> _Format:
        return _Format(properties)

    def add_chart(self, options: Mapping[str, Any]) -> _Chart:
        return _Chart(dict(options))


_PAGE_SETUP = ("set_landscape", "set_portrait", "set_paper", "fit_to_pages", "repeat_rows", "repeat_columns",
               "set_margins", "set_footer", "set_header", "print_area", "hide_gridlines", "center_horizontally",
               "set_print_scale", "autofilter", "set_default_row", "activate", "select", "set_first_sheet",
               # a dropdown xlwings cannot add on every engine: the «Решение» column is typed instead
               "data_validation")


class RecordingSheet:
    """Stands in for an XlsxWriter worksheet and keeps what a renderer writes, to replay it through xlwings.

    Only methods the renderers use exist: an unknown one fails loudly instead of losing content. Print
    setup and the autofilter are not replayed (Excel keeps the curator's own settings).
    """

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.freeze: tuple[int, int] | None = None
        self.charts: list[tuple[int, int, _Chart]] = []

    def __getattr__(self, name: str) -> Any:
        if name in _PAGE_SETUP:
            return lambda *args, **kwargs: None
        raise AttributeError(f"RecordingSheet cannot replay XlsxWriter's {name}() through xlwings")

    def _put(self, row: int, col: int, value: Any, fmt: _Format | None) -> None:
        self.cells[(row, col)] = (value, fmt.properties if fmt else {})

    def write_string(self, row: int, col: int, value: str, fmt: _Format | None = None) -> None:
        self._put(row, col, str(value), fmt)

    def write_number(self, row: int, col: int, value: float, fmt: _Format | None = None) -> None:
        self._put(row, col, value, fmt)

    def write_blank(self, row: int, col: int, value: Any = None, fmt: _Format | None = None) -> None:
        self._put(row, col, None, fmt)

    def write_datetime(self, row: int, col: int, value: dt.date, fmt: _Format | None = None) -> None:
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        self._put(row, col, value, fmt)

    def write_boolean(self, row: int, col: int, value: bool, fmt: _Format | None = None) -> None:
        self._put(row, col, bool(value), fmt)

    def write(self, row: int, col: int, value: Any, fmt: _Format | None = None) -> None:
        if isinstance(value, dt.date):
            self.write_datetime(row, col, value, fmt)
        elif value is None or value == "":
            self.write_blank(row, col, None, fmt)
        else:
            self._put(row, col, value if isinstance(value, (int, float, bool)) else str(value), fmt)

    def write_url(self, row: int, col: int, url: str, fmt: _Format | None = None, string: str | None = None,
                  tip: str | None = None) -> None:
        target = "#" + url[len("internal:"):] if url.startswith("internal:") else url
        self._put(row, col, _Link(target, string if string is not None else url), fmt)

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, data: Any,
                    fmt: _Format | None = None) -> None:
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                self.write_blank(r, c, None, fmt)
        if data not in (None, ""):
            self.write(first_row, first_col, data, fmt)
        self.merges.append((first_row, first_col, last_row, last_col))

    def set_column(self, first_col: int, last_col: int, width: float | None = None, *args: Any, **kwargs: Any) -> None:
        if width is not None:
            for c in range(first_col, last_col + 1):
                self.widths[c] = width

    def set_row(self, row: int, height: float | None = None, *args: Any, **kwargs: Any) -> None:
        if height is not None:
            self.heights[row] = height

    def freeze_panes(self, row: int, col: int, *args: Any) -> None:
        self.freeze = (row, col)

    def insert_chart(self, row: int, col: int, chart: _Chart, options: Mapping[str, Any] | None = None) -> None:
        self.charts.append((row, col, chart))


def record(build: OutputBuilder) -> RecordingSheet:
    """What ``build`` draws, kept for replay."""
    sheet = RecordingSheet()
    build(RecordingWorkbook(), sheet)
    return sheet


# --- replaying it through xlwings ---------------------------------------------------------------------


def excel_value(value: Any) -> Any:
    """A recorded cell as xlwings writes it: strings behind an apostrophe, links as formulas."""
    if isinstance(value, _Link):
        return value.formula()
    if isinstance(value, str):
        return "'" + value if value else None
    return value


def value_grid(rec: RecordingSheet) -> list[list[Any]]:
    """The recorded values from A1 to the last written cell, one block."""
    if not rec.cells:
        return [[None]]
    rows = max(r for r, _ in rec.cells) + 1
    cols = max(c for _, c in rec.cells) + 1
    grid: list[list[Any]] = [[None] * cols for _ in range(rows)]
    for (r, c), (value, _) in rec.cells.items():
        grid[r][c] = excel_value(value)
    return grid


Rect = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based)


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted numbers as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def rectangles(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """The cells as few rectangles: runs down each column, then equal row spans side by side merged."""
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_col.setdefault(c, []).append(r)
    spans: dict[tuple[int, int], list[int]] = {}
    for c, rows in by_col.items():
        for span in _runs(rows):
            spans.setdefault(span, []).append(c)
    out = [(top, first, bottom, last) for (top, bottom), cols in spans.items() for first, last in _runs(cols)]
    return sorted(out)


_H_ALIGN = {"left": "left", "center": "center", "centre": "center", "right": "right", "fill": "fill",
            "justify": "justify", "center_across": "center_across_selection", "distributed": "distributed"}
_V_ALIGN = {"top": "top", "vcenter": "center", "vcentre": "center", "bottom": "bottom", "vjustify": "justify",
            "vdistributed": "distributed"}


def _xl_range(sheet: Any, rect: Rect) -> Any:
    top, left, bottom, right = rect
    return sheet.range((top + 1, left + 1), (bottom + 1, right + 1))


def _setters() -> dict[str, Callable[[Any, Any], None]]:
    """XlsxWriter format property → how to set it on an xlwings range."""

    def font(attr: str) -> Callable[[Any, Any], None]:
        return lambda rng, value: setattr(rng.font, attr, value)

    return {
        "num_format": lambda rng, value: setattr(rng, "number_format", value),
        "bg_color": lambda rng, value: setattr(rng, "color", value),
        "font_name": font("name"),
        "font_size": font("size"),
        "bold": font("bold"),
        "italic": font("italic"),
        "font_color": font("color"),
        "text_wrap": lambda rng, value: setattr(rng, "wrap_text", bool(value)),
        "align": lambda rng, value: setattr(rng, "horizontal_alignment", _H_ALIGN[value]),
        "valign": lambda rng, value: setattr(rng, "vertical_alignment", _V_ALIGN[value]),
    }


_SHEET_WIDE = ("font_name", "font_size")  # set once on the whole block, then only where a cell differs


def _format_calls(rec: RecordingSheet, prop: str, block: Rect) -> list[tuple[Rect, Any]]:
    """(rectangle, value) settings that give every cell its ``prop``; defaults are not set."""
    values = {pos: props.get(prop) for pos, (_, props) in rec.cells.items()}
    calls: list[tuple[Rect, Any]] = []
    base = None
    if prop in _SHEET_WIDE:
        common = Counter(v for v in values.values() if v is not None).most_common(1)
        if common:
            base = common[0][0]
            calls.append((block, base))
    groups: dict[Any, list[tuple[int, int]]] = {}
    for pos, value in values.items():
        if value not in (None, False, 0, "") and value != base:
            groups.setdefault(value, []).append(pos)
    for value in sorted(groups, key=str):
        calls += [(rect, value) for rect in rectangles(groups[value])]
    return calls


def _apply_formats(sheet: Any, rec: RecordingSheet, block: Rect) -> None:
    """Each format property in as few calls as rectangles allow. A property the engine cannot set
    (alignment through xlwings Server's VBA client) is left to Excel's default."""
    for prop, setter in _setters().items():
        try:
            for rect, value in _format_calls(rec, prop, block):
                setter(_xl_range(sheet, rect), value)
        except NotImplementedError:
            continue


def _is_web_engine(sheet: Any) -> bool:
    """xlwings Server and Lite measure column widths in points, classic xlwings in characters."""
    return sheet.book.app.engine.name in ("remote", "officejs")


def _column_width(sheet: Any, chars: float) -> float:
    return round((chars * 7 + 5) * 0.75, 2) if _is_web_engine(sheet) else chars


def _apply_sizes(sheet: Any, rec: RecordingSheet) -> None:
    widths: dict[float, list[tuple[int, int]]] = {}
    for c, w in rec.widths.items():
        widths.setdefault(w, []).append((0, c))
    for w in sorted(widths):
        for rect in rectangles(widths[w]):
            _xl_range(sheet, rect).column_width = _column_width(sheet, w)
    heights: dict[float, list[tuple[int, int]]] = {}
    for r, h in rec.heights.items():
        heights.setdefault(h, []).append((r, 0))
    for h in sorted(heights):
        for rect in rectangles(heights[h]):
            _xl_range(sheet, rect).row_height = h


def frozen_range(row: int, col: int) -> str:
    """XlsxWriter's freeze_panes(row, col) as the frozen cells xlwings wants («1:4», «A:B», «A1:B4»)."""
    if col == 0:
        return f"1:{row}"
    if row == 0:
        return f"A:{xl_col_to_name(col - 1)}"
    return f"A1:{xl_rowcol_to_cell(row - 1, col - 1)}"


def _freeze(sheet: Any, row: int, col: int) -> None:
    """Freeze the panes; classic xlwings has no freeze API, so desktop Excel is told through COM."""
    try:
        sheet.freeze_panes.freeze_at(frozen_range(row, col))
        return
    except (AttributeError, NotImplementedError):
        pass
    try:
        window = sheet.book.app.api.ActiveWindow  # the sheet is active (see write_sheet)
        window.FreezePanes = False
        window.SplitColumn, window.SplitRow = col, row
        window.FreezePanes = True
    except Exception:  # noqa: BLE001 — frozen panes are a convenience, the sheet is written
        return


def _series_block(series: list[dict[str, Any]]) -> tuple[Rect, Rect] | None:
    """(values, categories) of column-chart series that share rows and stand side by side."""
    values = [s["values"] for s in series if isinstance(s.get("values"), list)]
    if not values or len({(v[1], v[3]) for v in values}) != 1:
        return None
    cols = sorted(v[2] for v in values)
    if cols != list(range(cols[0], cols[0] + len(cols))):
        return None
    top, bottom = values[0][1], values[0][3]
    cats = series[0].get("categories")
    categories = (cats[1], cats[2], cats[3], cats[4]) if isinstance(cats, list) else (top, cols[0], bottom, cols[0])
    return (top, cols[0], bottom, cols[-1]), categories


def _add_chart(sheet: Any, row: int, col: int, chart: _Chart) -> None:
    block = _series_block(chart.series)
    if block is None:
        return
    values, categories = block
    width, height = chart.size
    added = sheet.charts.add(chart_type="column_clustered", source=_xl_range(sheet, values), plot_by="columns",
                             anchor=sheet.range((row + 1, col + 1)), width=width * 0.75, height=height * 0.75)
    added.set_x_axis_values(_xl_range(sheet, categories))
    if chart.title:
        added.title = chart.title


def _fresh_sheet(xl_book: Any, name: str) -> Any:
    """The output sheet, empty: an old one of that name is deleted and a new one added at its place."""
    names = [s.name for s in xl_book.sheets]
    if name not in names:
        return xl_book.sheets.add(name, after=xl_book.sheets[len(names) - 1])
    index = names.index(name)
    xl_book.sheets[name].delete()
    if index == 0:
        return xl_book.sheets.add(name, before=xl_book.sheets[0])
    return xl_book.sheets.add(name, after=xl_book.sheets[index - 1])


def write_sheet(xl_book: Any, name: str, build: OutputBuilder) -> Any:
    """Write the output sheet ``name`` that ``build`` draws into the open book, and select it."""
    rec = record(build)
    sheet = _fresh_sheet(xl_book, name)
    grid = value_grid(rec)
    block = (0, 0, len(grid) - 1, len(grid[0]) - 1)
    _apply_formats(sheet, rec, block)
    sheet.range((1, 1)).value = grid
    for merge in rec.merges:
        _xl_range(sheet, merge).merge()
    _apply_sizes(sheet, rec)
    for row, col, chart in rec.charts:
        try:
            _add_chart(sheet, row, col, chart)
        except NotImplementedError:  # an engine without charts (xlwings Server's VBA client): the table stays
            break
    sheet.activate()
    if rec.freeze:
        _freeze(sheet, *rec.freeze)
    sheet.range((1, 1)).select()
    return sheet


# --- the entry points ------------------------------------------------------------------------------------


def _alert(xl_book: Any, message: str, critical: bool = False) -> None:
    xl_book.app.alert(message, title=TITLE, mode="critical" if critical else "info")


def run_action(action_key: str, xl_book: Any, argument: str = "", today: dt.date | None = None) -> bool:
    """Run a button's action on the open book; True when its output sheet was written.

    Every problem becomes a Russian message box: an action not ready yet, a book the reader cannot use
    (:class:`BookError`), or an internal error.
    """
    caption = next((b.caption for b in BUTTONS if b.action == action_key), action_key)
    if action_key not in ACTIONS:
        _alert(xl_book, f"Неизвестное действие «{action_key}». Пересоздайте книгу из шаблона.", critical=True)
        return False
    runner = ACTIONS[action_key]
    if runner is None:
        _alert(xl_book, NOT_READY.format(caption=caption))
        return False
    try:
        book = read_xlwings_book(xl_book)
        check = current_route().check
        if check is not None:
            check(book)
        output = runner(book, argument, today or dt.date.today(), xl_book)
        write_sheet(xl_book, output.sheet_name, output.build)
    except BookError as exc:
        _alert(xl_book, exc.message, critical=True)
        return False
    except Refused:
        raise
    except Exception as exc:  # noqa: BLE001 — the curator gets a message, never a traceback
        _alert(xl_book, f"Внутренняя ошибка программы при действии «{caption}»: {type(exc).__name__}: {exc}. "
                        "Сообщите о ней разработчикам.", critical=True)
        return False
    if output.message:
        _alert(xl_book, output.message)
    return True


def decode_argument(hex_utf16: str) -> str:
    """The dispatcher's argument: UTF-16 code units as hexadecimal digits (see HexUtf16 in Nastavnik.bas)."""
    try:
        return bytes.fromhex(hex_utf16).decode("utf-16-be")
    except ValueError:
        return ""


def main(action_key: str, argument_hex: str = "") -> None:
    """Called by RunPython from the dispatcher: the action on the book that pressed the button."""
    import xlwings as xw

    run_action(action_key, xw.Book.caller(), decode_argument(argument_hex))
