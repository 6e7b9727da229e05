"""Build a curator's workbook from the schema with XlsxWriter.

Every data sheet is an Excel Table with frozen headers, widths, dropdowns fed from
«Справочники», hints on the headers and print setup; «Панель» and «Целевые показатели» carry
formulas so the book counts and computes coverage by itself. Text is always written as text,
so a value starting with ``=``, ``+``, ``-`` or ``@`` never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book import formulas
from nastavnik_xl.book.server_link import AUTH_SETTING, SERVER_SETTING, ServerLink
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import (
    INDICATORS,
    LOOKUPS_NAME,
    MEETINGS,
    MENTEES,
    MENTORS,
    NO_CONTINGENT,
    ORGANISATION,
    PAIRS,
    PANEL_NAME,
    ROADMAP,
    SURVEYS,
    TARGETS,
    YEAR_CODE_WINDOWS,
    ColType,
    Column,
    Sheet,
    coverage_groups,
    lookups,
    target_years,
)

TABLE_SHEETS: tuple[Sheet, ...] = (ROADMAP, MENTORS, MENTEES, PAIRS, MEETINGS, SURVEYS, INDICATORS)
CARD_FIRST_ROW = 3  # Excel row of the first card label on «Организация»
CARD_LABEL_WIDTH = 30
HEADER_COLOR = "#1F4E78"
ACCENT = "#DDEBF7"
TABLE_STYLE = "Table Style Medium 2"
FIXED_TIME = dt.datetime(2026, 1, 1)  # document properties: same bytes for the same content


@dataclass
class BookContent:
    """What goes into a book: the organisation card, contingent and table rows (typed values)."""

    card: dict[str, Any]
    contingent: list[dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)  # year, group, target_pct (+ computed)
    figures: dict[str, Any] = field(default_factory=dict)  # cached values for «Панель»
    spare_rows: int = 200  # empty table rows ready for typing (LibreOffice does not grow tables)


class PreparedFormulaWorksheet(Worksheet):
    """A worksheet that rewrites each distinct formula once, not once per cell.

    XlsxWriter stores every formula through ``_prepare_formula``: ~30 regex passes for the dynamic-array
    functions, ~200 more when future functions are expanded (table column formulas always are). Our
    computed columns put one long formula on every table row — twice, as the table's column formula and
    as the cell with its cached value — and that rewriting was ¾ of `nastavnik demo` (71 s of 12 books
    in one process, 19 s without it). The result
    depends only on the text and the two flags, so caching it changes no byte of the file (a test builds
    the same book with the stock worksheet and compares). If XlsxWriter renames the method, the cache is
    simply bypassed: slower, never wrong.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[tuple[str, bool, bool], str] = {}

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, expand_future_functions, self.use_future_functions)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._prepared[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared


class BookWorkbook(Workbook):
    """The workbook we write: XlsxWriter's, with :class:`PreparedFormulaWorksheet` sheets."""

    worksheet_class = PreparedFormulaWorksheet


def contingent_header_row() -> int:
    return CARD_FIRST_ROW + len(ORGANISATION.card) + 2


def card_cell(field_name: str) -> str:
    """Absolute address of a card value on «Организация», e.g. ``Организация!$B$3``."""
    index = [c.field for c in ORGANISATION.card].index(field_name)
    return f"'{ORGANISATION.name}'!$B${CARD_FIRST_ROW + index}"


class _Formats:
    """Cell formats. Data cells wrap (a long value grows its row instead of being cut or running into the
    next cell); numbers are centred, so a number never touches the text of its neighbour."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        wrap = {**base, "text_wrap": True}
        centred = {**wrap, "align": "center"}
        self.text = wb.add_format(wrap)
        self.plain = wb.add_format(base)
        self.centred = wb.add_format(centred)
        self.date = wb.add_format({**wrap, "num_format": "dd.mm.yyyy", "align": "left"})
        self.int = wb.add_format({**centred, "num_format": "0"})
        self.number = wb.add_format({**centred, "num_format": "General"})
        self.percent = wb.add_format({**centred, "num_format": "0.0%"})
        self.points = wb.add_format({**centred, "num_format": "+0.0;-0.0;0.0"})
        self.header = wb.add_format({**base, "bold": True, "text_wrap": True, "font_color": "white",
                                     "bg_color": HEADER_COLOR, "valign": "vcenter", "border": 1})
        self.title = wb.add_format({"font_name": "Arial", "font_size": 16, "bold": True, "font_color": HEADER_COLOR})
        self.subtitle = wb.add_format({"font_name": "Arial", "font_size": 11, "italic": True, "font_color": "#595959"})
        self.label = wb.add_format({**base, "bold": True, "bg_color": ACCENT, "border": 1, "text_wrap": True,
                                    "valign": "vcenter"})
        self.value = wb.add_format({**base, "border": 1, "text_wrap": True})
        self.value_int = wb.add_format({**base, "border": 1, "num_format": "0", "align": "left"})
        self.big = wb.add_format({"font_name": "Arial", "font_size": 14, "bold": True, "border": 1,
                                  "align": "center", "valign": "vcenter"})
        self.big_pct = wb.add_format({"font_name": "Arial", "font_size": 14, "bold": True, "border": 1,
                                      "align": "center", "valign": "vcenter", "num_format": "0.0%"})
        self.section = wb.add_format({"font_name": "Arial", "font_size": 12, "bold": True,
                                      "font_color": HEADER_COLOR, "bottom": 2})
        self.note = wb.add_format({"font_name": "Arial", "font_size": 10, "text_wrap": True, "valign": "top"})
        self.computed = wb.add_format({**wrap, "font_color": "#595959", "bg_color": "#F2F2F2"})
        self.computed_header = wb.add_format({**base, "bold": True, "text_wrap": True, "font_color": "white",
                                              "bg_color": "#7F7F7F", "valign": "vcenter", "border": 1})
        self.alarm = wb.add_format({"font_color": "#C00000", "bg_color": "#FDE9E7"})

    def for_column(self, col: Column) -> Any:
        return {
            ColType.DATE: self.date,
            ColType.INT: self.int,
            ColType.NUMBER: self.number,
            ColType.PERCENT: self.percent,
            ColType.YESNO: self.centred,
        }.get(col.type, self.text)


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Any, column: Column | None = None) -> None:
    """Write one typed value; strings always as strings (no formula injection)."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_string(row, col, "да" if value else "нет", fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (tuple, list)):
        ws.write_string(row, col, "; ".join(str(v) for v in value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


# --- layout: how wide text is ------------------------------------------------------------------------

_NARROW = frozenset(" .,;:!'\"()[]/\\|-ilj")
_WIDE = frozenset("жмфшщъыюmw")
_SPECIAL = {"№": 2.1, "%": 1.7, "—": 2.0, "@": 2.0}
HEADER_LINE_PT = 13.0  # one line of a bold Arial 10 header, in points


def char_width(ch: str, bold: bool = False) -> float:
    """One character of Arial 10 (LibreOffice: Liberation Sans, same metrics), in column-width units.

    A unit is the width of «0» in the book's default font (7 px); the figures are the font's advance
    widths rounded up by class: Cyrillic lower case 1.0 (bold 1.1), its wide letters (ж м ф ш щ ъ ы ю)
    1.45 (1.6), capitals 1.4 (1.45), digits 1.06, spaces and punctuation 0.6.
    """
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch.isdigit():
        return 1.06
    if ch in _NARROW:
        return 0.65 if bold else 0.6
    if ch in _WIDE:
        return 1.6 if bold else 1.45
    if ch.isupper():
        return 1.45 if bold else 1.4
    return 1.1 if bold else 1.0


def text_width(text: str, bold: bool = False) -> float:
    """Estimated width of ``text`` in Arial 10, in column-width units (see :func:`char_width`)."""
    return sum(char_width(ch, bold) for ch in text)


CELL_PADDING = 1.0  # a unit for the cell's margins and the estimate's error


def fits(text: str, width: float, bold: bool = False) -> bool:
    return text_width(text, bold) + CELL_PADDING <= width


def wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` wide (breaks between words only)."""
    lines, current = 1, 0.0
    space = char_width(" ", bold)
    room = width - CELL_PADDING
    for word in text.split():
        w = text_width(word, bold)
        if current and current + space + w > room:
            lines, current = lines + 1, w
        else:
            current = current + space + w if current else w
    return lines


def header_height(columns: Sequence[Column]) -> float:
    """Height (points) of a table's header row: its longest wrapped header, at least two lines."""
    lines = max((wrapped_lines(c.header, c.width, bold=True) for c in columns if not c.hidden), default=1)
    return max(2, lines) * HEADER_LINE_PT + 4


# --- sheets -------------------------------------------------------------------------------------


def _print_setup(ws: Worksheet, header_row: int | None, landscape: bool = True) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&L&A&RСтраница &P из &N")
    if header_row is not None:
        ws.repeat_rows(header_row)


def _validation(ws: Worksheet, first: int, last: int, col_index: int, col: Column, list_names: dict[str, str]) -> None:
    """Dropdowns, date and number checks, and the header's hint, for one table column."""
    opts: dict[str, Any] = {}
    hint = col.help
    if col.type is ColType.LOOKUP and col.lookup:
        opts = {"validate": "list", "source": "=" + list_names[col.lookup], "error_type": "warning",
                "error_title": "Нет в справочнике",
                "error_message": f"Значения нет в списке «{lookups()[col.lookup].title}». "
                                 "Выберите из списка или дополните лист «Справочники»."}
    elif col.type is ColType.YESNO:
        opts = {"validate": "list", "source": ["да", "нет"], "error_type": "warning",
                "error_title": "Да или нет", "error_message": "Введите «да» или «нет»."}
    elif col.type is ColType.DATE:
        opts = {"validate": "date", "criteria": "between", "minimum": dt.date(1930, 1, 1),
                "maximum": dt.date(2100, 12, 31), "error_type": "warning", "error_title": "Нужна дата",
                "error_message": "Введите дату в формате ДД.ММ.ГГГГ, например 01.09.2026."}
    elif col.type is ColType.INT:
        opts = {"validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning",
                "error_title": "Нужно целое число", "error_message": "Введите целое число не меньше 0."}
    elif col.type is ColType.PERCENT:
        opts = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "error_type": "warning", "error_title": "Нужен процент",
                "error_message": "Введите процент от 0 до 100 %."}
    elif col.type is ColType.MULTI and col.lookup:
        hint = (hint + " " if hint else "") + "Несколько значений через «;»: " + "; ".join(lookups()[col.lookup].values)
    if col.required:
        hint = ("Обязательное поле. " + hint).strip()
    if hint:
        opts.update({"input_title": col.header[:32], "input_message": hint[:255]})
    if opts.get("validate") or hint:
        opts.setdefault("validate", "any")
        ws.data_validation(first, col_index, last, col_index, opts)


def _table_sheet(wb: Workbook, fm: _Formats, spec: Sheet, rows: Sequence[Mapping[str, Any]],
                 spare: int, list_names: dict[str, str], header_row: int = 0) -> None:
    ws = wb.add_worksheet(spec.name)
    _write_table(ws, fm, spec, rows, spare, list_names, header_row, first_col=0)
    ws.freeze_panes(header_row + 1, 1 if spec.id_field else 0)
    _print_setup(ws, header_row)
    if any(c.computed for c in spec.columns):
        _print_area_over_data(ws, spec, header_row, len(rows))


def _print_area_over_data(ws: Worksheet, spec: Sheet, header_row: int, data_rows: int) -> None:
    """Print the header and the data rows, not the spare rows below them.

    The spare rows of a sheet with computed columns hold formulas (LibreOffice does not fill a table's
    column formula into new rows), and a cell with a formula counts as used, so without a print area
    every spare row would be printed as a blank line. An empty table prints its header only.
    """
    visible = [i for i, c in enumerate(spec.columns) if not c.hidden]
    ws.print_area(header_row, 0, header_row + data_rows, visible[-1])


def _write_table(ws: Worksheet, fm: _Formats, spec: Sheet, rows: Sequence[Mapping[str, Any]], spare: int,
                 list_names: dict[str, str], header_row: int, first_col: int) -> tuple[int, int]:
    cols = spec.columns
    last_row = header_row + max(len(rows) + spare, 1)
    typed = [(first_col + c, col.field, fm.for_column(col)) for c, col in enumerate(cols) if not col.computed]
    for r, row in enumerate(rows, start=header_row + 1):
        for c, field_name, fmt in typed:
            write_value(ws, r, c, row.get(field_name), fmt)
    ws.add_table(header_row, first_col, last_row, first_col + len(cols) - 1, {
        "name": spec.table,
        "style": TABLE_STYLE,
        "columns": [_table_column(fm, spec, col) for col in cols],
    })
    for c, col in enumerate(cols):
        if col.computed:  # the same formula in every row, with the value Python computed cached
            formula = _computed_formula(spec, col)
            for r in range(header_row + 1, last_row + 1):
                i = r - header_row - 1
                cached = rows[i].get(col.field) if i < len(rows) else ""
                ws.write_formula(r, first_col + c, formula, fm.computed, "" if cached is None else cached)
    ws.set_row(header_row, header_height(cols))
    for c, col in enumerate(cols):
        ws.set_column(first_col + c, first_col + c, col.width, None, {"hidden": col.hidden})
        if col.computed:
            continue
        _validation(ws, header_row + 1, last_row, first_col + c, col, list_names)
    return header_row + 1, last_row


COMPUTED_FORMULAS: dict[tuple[str, str], Any] = {
    ("mentees", "pair_years"): lambda: formulas.pair_years(target_years()),
    **{("pairs", f"years_code_{w}"): (lambda w=w: formulas.pair_year_code(w)) for w in YEAR_CODE_WINDOWS},
    **{("mentees", f"years_code_{w}"): (lambda w=w: formulas.mentee_year_code(w)) for w in YEAR_CODE_WINDOWS},
}


def _table_column(fm: _Formats, sheet: Sheet, col: Column) -> dict[str, Any]:
    spec: dict[str, Any] = {"header": col.header, "header_format": fm.computed_header if col.computed else fm.header,
                            "format": fm.computed if col.computed else fm.for_column(col)}
    if col.computed:
        spec["formula"] = _computed_formula(sheet, col)
    return spec


@cache
def _computed_formula(sheet: Sheet, col: Column) -> str:
    return "=" + COMPUTED_FORMULAS[(sheet.key, col.field)]()


def _organisation_sheet(wb: Workbook, fm: _Formats, content: BookContent, list_names: dict[str, str]) -> None:
    ws = wb.add_worksheet(ORGANISATION.name)
    ws.write_string(0, 0, "Организация", fm.title)
    last_col = len(ORGANISATION.columns) - 1
    for i, col in enumerate(ORGANISATION.card):
        r = CARD_FIRST_ROW - 1 + i
        ws.write_string(r, 0, col.header, fm.label)
        fmt = fm.value_int if col.type is ColType.INT else fm.value
        ws.merge_range(r, 1, r, last_col, None, fmt)
        write_value(ws, r, 1, content.card.get(col.field), fmt, col)
        if col.lookup:
            _validation(ws, r, r, 1, col, list_names)
    head = contingent_header_row() - 1
    ws.write_string(head - 1, 0, "Контингент по годам (для расчёта охвата)", fm.section)
    _write_table(ws, fm, ORGANISATION, content.contingent, 0, list_names, head, first_col=0)
    ws.set_column(0, 0, CARD_LABEL_WIDTH)  # the card's labels; the contingent's «Год» below them
    _print_setup(ws, None, landscape=False)


def _targets_sheet(wb: Workbook, fm: _Formats, content: BookContent, list_names: dict[str, str]) -> None:
    ws = wb.add_worksheet(TARGETS.name)
    cols = TARGETS.columns
    header = 0
    n = len(content.targets)
    fields = [c.field for c in cols]
    for r, row in enumerate(content.targets, start=header + 1):
        group = next(g for g in coverage_groups() if g.title == row["group"])
        cell = {f: xl_rowcol_to_cell(r, fields.index(f)) for f in fields}
        ws.write_number(r, 0, row["year"], fm.int)
        ws.write_string(r, 1, row["group"], fm.text)
        write_value(ws, r, 2, row.get("target_pct"), fm.percent)
        year_cell = xl_rowcol_to_cell(r, 0, col_abs=True)
        ws.write_formula(r, 3, "=" + formulas.denominator(group, year_cell), fm.int, _cached(row.get("denominator")))
        ws.write_formula(r, 4, "=" + formulas.covered(group, year_cell, card_cell("reporting_year")), fm.int,
                         _cached(row.get("actual")))
        ws.write_formula(r, 5, "=" + formulas.actual_pct(cell["actual"], cell["denominator"]), fm.percent,
                         _cached_share(row))
        ws.write_formula(r, 6, "=" + formulas.gap(cell["actual_pct"], cell["target_pct"]), fm.points,
                         _cached(row.get("gap")))
    ws.add_table(header, 0, header + max(n, 1), len(cols) - 1, {
        "name": TARGETS.table, "style": TABLE_STYLE,
        "columns": [{"header": c.header, "header_format": fm.header, "format": fm.for_column(c)} for c in cols],
    })
    ws.set_row(header, header_height(cols))
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
    _validation(ws, header + 1, header + n, 2, TARGETS.column("target_pct"), list_names)
    note_col = len(cols) + 1
    ws.set_column(note_col, note_col, 60)
    notes = [
        "Как считается охват",
        ("Охвачено — число людей (не пар) из базы наставляемых, у которых в этом году была "
         "действующая пара: дата начала не позже 31 декабря и нет даты окончания или она не раньше 1 января."),
        ("Контингент берётся с листа «Организация» (для обучающихся — 10–19 лет, если не заполнено — всего). "
         f"Пока его за год нет (пусто или 0), в столбце «Факт, %» написано «{NO_CONTINGENT}». "
         "Годы после отчётного года не считаются: открытая пара ничего не говорит о будущем."),
        ("Цели на 2020–2024 годы — из типовой программы (обучающиеся: 10, 20, 30, 50, 70 %). "
         "Цели на 2025–2030 годы задаёт регион или школа: впишите их в столбец «Цель, %»."),
        "Столбцы с формулами не редактируйте: они пересчитываются сами.",
    ]
    ws.write_string(2, note_col, notes[0], fm.section)  # below the header row: not a column header
    ws.merge_range(3, note_col, 16, note_col, "\n\n".join(notes[1:]), fm.note)
    ws.freeze_panes(header + 1, 0)
    ws.conditional_format(header + 1, 6, header + max(n, 1), 6, {
        "type": "cell", "criteria": "<", "value": 0, "format": wb.add_format({"font_color": "#C00000", "bold": True})})
    _print_setup(ws, header)


def _cached_share(row: Mapping[str, Any]) -> Any:
    """What ``formulas.actual_pct`` gives for a row of «Целевые показатели»: the share; «нет контингента»
    for people counted over a missing or zero contingent; blank with no count (after the reporting year)."""
    if row.get("actual_pct") is not None:
        return row["actual_pct"]
    return NO_CONTINGENT if isinstance(row.get("actual"), (int, float)) else ""


def _cached(value: Any) -> Any:
    if value is None:
        return ""
    return value


def _lookups_sheet(wb: Workbook, fm: _Formats) -> dict[str, str]:
    ws = wb.add_worksheet(LOOKUPS_NAME)
    names: dict[str, str] = {}
    visible = [lk for lk in lookups().values() if not lk.internal]
    widths = [lookup_width(lk.title, lk.values) for lk in visible]
    for c, lk in enumerate(visible):
        ws.write_string(0, c, lk.title, fm.header)
        for r, value in enumerate(lk.values, start=1):
            ws.write_string(r, c, value, fm.text)
        ws.set_column(c, c, widths[c])
        name = f"lst_{lk.key}"
        col = xl_col_to_name(c)
        wb.define_name(name, f"='{LOOKUPS_NAME}'!${col}$2:${col}${len(lk.values) + 1}")
        names[lk.key] = name
    lines = max(wrapped_lines(lk.title, w, bold=True) for lk, w in zip(visible, widths, strict=True))
    ws.set_row(0, max(2, lines) * HEADER_LINE_PT + 4)
    ws.freeze_panes(1, 0)
    _print_setup(ws, 0)
    return names


LOOKUP_MAX_WIDTH = 50


def lookup_width(title: str, values: Sequence[str]) -> int:
    """A «Справочники» column: each value on one line if it can be, each title word unbroken."""
    longest = max(text_width(v) for v in values) + CELL_PADDING
    title_word = max(text_width(w, bold=True) for w in title.split()) + CELL_PADDING
    return math.ceil(max(12, title_word, min(longest, LOOKUP_MAX_WIDTH)))


PANEL_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("mentors", "Наставников в базе (строк с ID)", formulas.count_filled(MENTORS, "mentor_id")),
    ("mentors_active", "из них активных", formulas.count_if(MENTORS, "status", "активен")),
    ("mentees", "Наставляемых в базе (строк с ID)", formulas.count_filled(MENTEES, "mentee_id")),
    ("mentees_without_pair", "Наставляемых без пары", formulas.mentees_without_pair()),
    ("pairs", "Пар и групп", formulas.distinct_pairs()),
    ("meetings", "Встреч в журнале", formulas.count_filled(MEETINGS, "meeting_id")),
    ("text_dates", "Ячеек дат с текстом (исправьте)", formulas.text_dates(formulas.TEXT_DATE_FIELDS)),
)

INSTRUCTIONS: tuple[str, ...] = (
    "1. Заполните карточку и контингент на листе «Организация» — от контингента считается охват.",
    "2. Ведите базы на листах «Наставники» и «Наставляемые»: одна строка — один человек, ID не повторяются.",
    "3. Пары и группы — на листе «Пары»: группа — несколько строк с одним ID пары.",
    ("4. Встречи — на листе «Встречи» (встреча всей программы — без ID пары), ответы анкет — на листе «Анкеты», "
     "показатели участников на входе и на выходе — на листе «Показатели»."),
    "5. Значения выбирайте из выпадающих списков; списки — на листе «Справочники».",
    "6. Даты вводите как ДД.ММ.ГГГГ: дату, введённую текстом, формулы не учтут (см. счётчик слева).",
    "7. Охват по годам и отклонение от целей — на листе «Целевые показатели»; цели после 2024 года задайте сами.",
    "8. Проверка, охват, подбор пар и персучёт для муниципалитета: кнопки ниже (книга .xlsm с макросами и Python) "
    "или команды nastavnik validate, coverage, pair, registry.",
)
# A book whose buttons call the МНЦ's server (build_book(..., server=ServerLink(...))): item 8 says so.
SERVER_INSTRUCTIONS: tuple[str, ...] = (
    *INSTRUCTIONS[:-1],
    ("8. Проверка, охват, подбор пар и персучёт для муниципалитета: кнопки ниже. Они работают через сервер МНЦ, "
     "Python на компьютере не нужен: при нажатии кнопки книга передаётся на сервер, ответ появляется в книге. "
     "Адрес сервера и токен школы — на листе «xlwings.conf»."),
)
BUTTONS_SECTION = "Действия (нужны Excel, Python и надстройка xlwings; см. README)"
SERVER_BUTTONS_SECTION = "Действия (нужны Excel с включёнными макросами и связь с сервером МНЦ)"


PANEL_FIGURE_WIDTH = 24  # «нет контингента» in bold 14 pt (≈ 149 px; a unit is 7 px)


def _panel_sheet(wb: Workbook, fm: _Formats, content: BookContent, buttons: bool = False,
                 server: bool = False) -> None:
    ws = wb.add_worksheet(PANEL_NAME)
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, 38)
    ws.set_column(2, 2, PANEL_FIGURE_WIDTH)  # figures, and the coverage «Факт» (may say «нет контингента»)
    ws.set_column(3, 4, 16)
    ws.set_column(5, 5, 2)
    ws.set_column(6, 6, 100)
    ws.write_string(0, 1, "Наставничество: книга куратора", fm.title)
    ws.write_formula(1, 1, f'={card_cell("org_name")}&""', fm.subtitle, content.card.get("org_name") or "")
    for r, label, key in ((3, "Муниципальное образование", "municipality"), (4, "Куратор", "curator")):
        ws.write_string(r, 1, label, fm.label)
        ws.merge_range(r, 2, r, 4, None, fm.value)
        ws.write_formula(r, 2, f'={card_cell(key)}&""', fm.value, content.card.get(key) or "")
    ws.write_string(5, 1, "Отчётный год", fm.label)
    ws.write_formula(5, 2, f"={card_cell('reporting_year')}", fm.value_int, _cached(content.card.get("reporting_year")))

    ws.write_string(7, 1, "Ключевые цифры", fm.section)
    for i, (key, label, formula) in enumerate(PANEL_FIGURES):
        r = 8 + i
        ws.set_row(r, 22)
        ws.write_string(r, 1, label, fm.label)
        ws.write_formula(r, 2, "=" + formula, fm.big, content.figures.get(key, 0))
        if key in ("text_dates", "mentees_without_pair"):
            ws.conditional_format(r, 2, r, 2, {"type": "cell", "criteria": ">", "value": 0, "format": fm.alarm})

    r0 = 8 + len(PANEL_FIGURES) + 1
    ws.write_string(r0, 1, "Охват в отчётном году", fm.section)
    ws.write_string(r0 + 1, 1, "Категория", fm.label)
    ws.write_string(r0 + 1, 2, "Факт", fm.label)
    ws.write_string(r0 + 1, 3, "Цель", fm.label)
    ws.write_string(r0 + 1, 4, "Охвачено, чел.", fm.label)
    year_cell = "$C$6"
    cached = {(row["year"], row["group"]): row for row in content.targets}
    year = content.card.get("reporting_year")
    for i, group in enumerate(coverage_groups()):
        r = r0 + 2 + i
        ws.set_row(r, 22)
        row = cached.get((year, group.title), {})
        ws.write_string(r, 1, group.title, fm.label)
        ws.write_formula(r, 2, "=" + formulas.coverage_pct(year_cell, group.title), fm.big_pct,
                         _cached(row.get("actual_pct")) if row.get("actual_pct") is not None else NO_CONTINGENT)
        target = formulas.target_lookup("target_pct", year_cell, group.title)
        ws.write_formula(r, 3, f'=IF({target}>0,{target},"не задана")', fm.big_pct,
                         row.get("target_pct") or "не задана")
        ws.write_formula(r, 4, "=" + formulas.target_lookup("actual", year_cell, group.title), fm.big,
                         row.get("actual") or 0)

    ws.write_string(0, 6, "Как работать с книгой", fm.section)
    instructions = SERVER_INSTRUCTIONS if server else INSTRUCTIONS
    for i, text in enumerate(instructions, start=1):
        ws.write_string(i + 1, 6, text, fm.note)
    if buttons:
        from nastavnik_xl.excel.buttons import add_buttons  # the buttons' list; no xlwings is imported

        first = len(instructions) + 3
        ws.write_string(first, 6, SERVER_BUTTONS_SECTION if server else BUTTONS_SECTION, fm.section)
        add_buttons(ws, first + 2, 6)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.activate()
    ws.set_first_sheet()


# --- the whole book --------------------------------------------------------------------------------


XLWINGS_CONF = "xlwings.conf"
XLWINGS_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("INTERPRETER_WIN", "", "Путь к python.exe, если Python не найден сам (например, C:\\Python311\\python.exe)"),
    ("INTERPRETER_MAC", "", "Путь к python на macOS (например, /usr/local/bin/python3)"),
    ("PYTHONPATH", "", "Папка с пакетом nastavnik_xl, если он не установлен через pip"),
    ("UDF MODULES", "nastavnik_xl.excel.udfs", "Модуль функций листа (НЕ менять)"),
)


SERVER_WAIT_MS = 150_000  # xlwings waits 30 s by default; the server allows an action 120 s (serve --time-limit)


def server_settings(server: ServerLink) -> tuple[tuple[str, str, str], ...]:
    """The settings of a book whose buttons call the МНЦ's server. No local Python runs there, so none of
    XLWINGS_SETTINGS applies. xlwings reads column A from A1 down to the first empty cell, upper-cased, one
    key once: the keys are upper case and contiguous."""
    return (
        (SERVER_SETTING, server.base_url,
         "Адрес сервера МНЦ: кнопки книги работают через него. Меняйте, только если МНЦ сообщил новый адрес"),
        (AUTH_SETTING, server.authorization,
         ("Токен школы, выданный МНЦ (после слова Bearer): по нему сервер узнаёт школу. "
          "Не передавайте книгу с токеном другим организациям")),
        ("TIMEOUT", str(SERVER_WAIT_MS),
         "Сколько ждать ответа сервера, в миллисекундах (150000 — две с половиной минуты)"),
    )


def _xlwings_conf_sheet(wb: Workbook, fm: _Formats, server: ServerLink | None = None) -> None:
    """The settings xlwings reads from the book: what a school may need to set, explained."""
    ws = wb.add_worksheet(XLWINGS_CONF)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 40 if server is None else max(40, len(server.base_url) + 2, len(server.authorization) + 2))
    ws.set_column(2, 2, 70)
    for r, (key, value, note) in enumerate(XLWINGS_SETTINGS if server is None else server_settings(server)):
        ws.write_string(r, 0, key, fm.label)
        if value:
            ws.write_string(r, 1, value, fm.text)
        ws.write_string(r, 2, note, fm.note)


def build_book(path: Path, content: BookContent, server: ServerLink | None = None) -> Path:
    """Write the book atomically (temp file + rename); return its path.

    An .xlsm gets the buttons on «Панель», the VBA project built from macros/ and the «xlwings.conf» sheet.
    With ``server`` (an .xlsm only) the buttons call the МНЦ's server instead of the local Python: the project
    also holds xlwings' server modules (macros/server/) and «xlwings.conf» the server's address and token.
    """
    path = Path(path)
    macros = path.suffix.lower() == ".xlsm"
    if server is not None and not macros:
        raise BookError(f"Книга, кнопки которой работают через сервер МНЦ, — книга с макросами: укажите имя файла "
                        f"с расширением .xlsm вместо «{path.name}».", path=str(path), code="usage")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~nastavnik-", suffix=".xlsm" if macros else ".xlsx", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        wb = BookWorkbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
        wb.set_properties({"title": "Наставничество: книга куратора", "created": FIXED_TIME,
                           "author": "nastavnik-xl", "comments": "Целевая модель наставничества"})
        wb.set_calc_mode("auto")
        fm = _Formats(wb)
        list_names = {lk.key: f"lst_{lk.key}" for lk in lookups().values() if not lk.internal}
        _panel_sheet(wb, fm, content, buttons=macros, server=server is not None)
        _organisation_sheet(wb, fm, content, list_names)
        for spec in TABLE_SHEETS:
            _table_sheet(wb, fm, spec, content.rows.get(spec.key, []), content.spare_rows, list_names)
        _targets_sheet(wb, fm, content, list_names)
        _lookups_sheet(wb, fm)
        if macros:
            import io

            from nastavnik_xl.excel.vba_build import build_vba_project

            _xlwings_conf_sheet(wb, fm, server)
            project = build_vba_project(len(wb.worksheets()), server=server is not None)
            wb.add_vba_project(io.BytesIO(project), is_stream=True)
        wb.close()
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _replace(tmp: Path, path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a book on a shared МНЦ folder must be readable
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        raise BookError(
            f"Не удалось записать «{path.name}»: файл открыт в другой программе или нет прав на запись. "
            "Закройте книгу и повторите.", path=str(path), code="file-locked",
        ) from exc
