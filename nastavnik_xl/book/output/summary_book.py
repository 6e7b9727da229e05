"""The regional summary as a workbook, and the consolidated registry as another.

The summary book (:func:`write_summary_book`) holds aggregates only — no person's name or ID:
«Свод» (the region's key figures and the charts: coverage against target by municipality and by
year), «Муниципалитеты» (a row each and the region), «Организации» (grouped by municipality with
a subtotal after each and the regional total; organisations short of a target highlighted),
«По годам», «Не прочитаны» (each file with the reader's Russian reason) and «Отложены» (duplicate
organisations and exports of another period). Every figure is a value computed by the summary:
people summed, then divided.

The consolidated registry (:func:`write_registry_book`) is the only file with names: every
organisation's «Персонифицированный учёт» rows in one table, people found in several
organisations flagged and listed on «Повторы», and «Без согласия» (by ID only).

Both are written with XlsxWriter in the house style, text as text (``write_string``), atomically.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.actions.registry import MISSING, Registry
from nastavnik_xl.actions.summary.model import EXPORT, GroupYear, OrgSummary
from nastavnik_xl.actions.summary.reduce import SHOWN_GROUPS, GroupTotal, Totals, municipality
from nastavnik_xl.actions.summary.run import Summary
from nastavnik_xl.book.new_file import write_atomically
from nastavnik_xl.book.output.registry_sheet import EXCLUDED_COLUMNS, ROW_COLUMNS
from nastavnik_xl.book.output.style import ERROR_FILL, FONT, OutColumn, OutputFormats, landscape
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import coverage_groups, lookups

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
CREATED = dt.datetime(2000, 1, 1)  # fixed: the same summary gives the same bytes
SUBTOTAL_FILL, TOTAL_FILL = "#DDEBF7", "#BDD7EE"
HEADER_AT = 3
NO_VALUE = "не указано"
GROUP_TITLES = {g.key: g.title.capitalize() for g in coverage_groups()}
Row = list[tuple[Any, str]]  # (value, kind): kind text, int, pct, dec, date, yes-no


class _Formats(OutputFormats):
    """The house formats, and each kind of value in each kind of row (plain, subtotal, total, alert)."""

    NUMBERS: ClassVar[dict[str, str]] = {"int": "0", "pct": "0.0%", "dec": "0.0", "date": "dd.mm.yyyy"}
    FILLS: ClassVar[dict[str, str]] = {"sub": SUBTOTAL_FILL, "total": TOTAL_FILL, "alert": ERROR_FILL}

    def __init__(self, wb: Workbook) -> None:
        super().__init__(wb)
        self._wb = wb
        self._cache: dict[tuple[str, str], Any] = {}

    def cell(self, kind: str, style: str = "plain") -> Any:
        key = (kind, style)
        if key not in self._cache:
            spec: dict[str, Any] = {**FONT, "border": 1, "border_color": "#BFBFBF"}
            if kind in self.NUMBERS:
                spec["num_format"] = self.NUMBERS[kind]
            spec["align"] = "left" if kind == "text" else "center"
            spec["text_wrap"] = kind == "text"
            if style in self.FILLS:
                spec["bg_color"] = self.FILLS[style]
            if style in ("sub", "total"):
                spec["bold"] = True
            self._cache[key] = self._wb.add_format(spec)
        return self._cache[key]


def _put(ws: Worksheet, fm: _Formats, row: int, col: int, value: Any, kind: str, style: str = "plain") -> None:
    """A value in its format: blank when None, dates as dates, numbers as numbers, text as text."""
    fmt = fm.cell(kind, style)
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value.replace(microsecond=0), fm.cell("date", style))
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fm.cell("date", style))
    elif isinstance(value, bool):
        ws.write_string(row, col, "да" if value else "нет", fm.cell("text", "alert" if not value else style))
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _header(ws: Worksheet, fm: _Formats, row: int, columns: Sequence[OutColumn], height: float = 58) -> None:
    for c, col in enumerate(columns):
        ws.write_string(row, c, col.header, fm.header)
        ws.set_column(c, c, col.width)
    ws.set_row(row, height)


def _title(ws: Worksheet, fm: _Formats, title: str, *notes: str) -> None:
    ws.write_string(0, 0, title, fm.title)
    for i, note in enumerate(notes, start=1):
        ws.write_string(i, 0, note, fm.note)


def _file_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _folder(source: str) -> str:
    parts = source.replace("\\", "/").rsplit("/", 1)
    return parts[0] if len(parts) == 2 else ""


# --- coverage columns ---------------------------------------------------------------------------

COVERAGE_HEADERS = ("контингент, чел.", "охвачено, чел.", "охват, %", "цель, %", "нужно по цели, чел.",
                    "не хватает до цели, чел.", "цель достигнута")


def _coverage_columns(group: str) -> list[OutColumn]:
    title = GROUP_TITLES[group]
    widths = (11, 10, 9, 8, 10, 11, 11)
    return [OutColumn(f"{title}: {h}", w) for h, w in zip(COVERAGE_HEADERS, widths)]


def _org_coverage(g: GroupYear | None) -> tuple[Row, bool]:
    """The seven cells of one group for an organisation, and whether it is short of its target."""
    if g is None:
        return [(None, "int")] * 4 + [(None, "int"), (None, "int"), (None, "text")], False
    short = g.wanted is not None and g.covered < g.wanted
    pct = "pct"
    return [(g.contingent or None, "int"), (g.covered, "int"), (g.share, pct), (g.target, pct), (g.wanted, "int"),
            (max(g.wanted - g.covered, 0) if g.wanted is not None else None, "int"),
            (None if g.met is None else g.met, "text")], short


def _total_coverage(t: GroupTotal) -> Row:
    """A subtotal's seven cells; without any target the target's cells stay blank."""
    met = f"не достигнута в {t.missing} из {t.with_target}" if t.missing else (
        f"достигнута во всех ({t.with_target})" if t.with_target else "")
    targeted = t.with_target > 0
    return [(t.contingent, "int"), (t.covered, "int"), (t.share, "pct"), (t.target, "pct"),
            (t.wanted if targeted else None, "int"), (t.short if targeted else None, "int"), (met, "text")]


# --- «Организации» ----------------------------------------------------------------------------------


def _listed(summary: Summary, field: str, lookup: str) -> list[str]:
    """The list's values, then any other value found in the organisations (for columns)."""
    found = set(getattr(summary.region, field))
    values = lookups()[lookup].values
    return [*values, *sorted(found - set(values))]


def _forms(summary: Summary) -> list[str]:
    return _listed(summary, "pairs_by_form", "forms")


def _statuses(summary: Summary) -> list[str]:
    return _listed(summary, "pairs_by_status", "pair_statuses")


def _org_columns(summary: Summary) -> list[OutColumn]:
    checked = "Проверка" if summary.validated else "При чтении"
    cols = [OutColumn("Муниципальное образование", 22), OutColumn("Организация", 30), OutColumn("ИНН", 12),
            OutColumn("Тип ОО", 10), OutColumn("Источник", 11), OutColumn("Отчётный год", 8),
            OutColumn("Файл изменён", 11)]
    for group in SHOWN_GROUPS:
        cols += _coverage_columns(group)
    cols.append(OutColumn("Пар и групп в периоде", 9))
    cols += [OutColumn(f"Пары: {f}", 11) for f in _forms(summary)]
    cols += [OutColumn(f"Пары, статус «{s}»", 10) for s in _statuses(summary)]
    cols += [OutColumn("Встреч в периоде", 9), OutColumn("Дорожная карта: мероприятий", 11),
             OutColumn("Дорожная карта: выполнено, %", 11), OutColumn("Дорожная карта: просрочено", 11),
             OutColumn("Удовлетворённость: средний балл", 12), OutColumn("Удовлетворённость: ответов", 11),
             OutColumn(f"{checked}: ошибок", 9), OutColumn(f"{checked}: предупреждений", 12),
             OutColumn("Людей, найденных и в других ОО", 11), OutColumn("Файл", 40)]
    return cols


def _org_row(summary: Summary, org: OrgSummary, index: int) -> tuple[Row, bool]:
    year = summary.period.year
    row: Row = [(municipality(org), "text"), (org.card.name, "text"), (org.card.inn, "text"),
                (org.card.org_type, "text"), (org.kind, "text"), (org.card.reporting_year, "int"),
                (org.modified if org.modified.year > 1 else None, "date")]
    short_any = False
    for group in SHOWN_GROUPS:
        cells, short = _org_coverage(org.group(year, group) if org.kind != EXPORT else None)
        row += cells
        short_any |= short
    row.append((org.pairs, "int"))
    row += [(org.pairs_by_form.get(f, 0) if org.pairs is not None else None, "int") for f in _forms(summary)]
    row += [(org.pairs_by_status.get(s, 0) if org.pairs is not None else None, "int") for s in _statuses(summary)]
    road = org.roadmap
    mean = org.satisfaction[0] / org.satisfaction[1] if org.satisfaction[1] else None
    row += [(org.meetings, "int"), (road.items if road else None, "int"), (road.done_share if road else None, "pct"),
            (road.overdue if road else None, "int"), (mean, "dec"),
            (org.satisfaction[1] if org.kind != EXPORT else None, "int"),
            (org.validation.errors if org.validation else None, "int"),
            (org.validation.warnings if org.validation else None, "int"),
            (summary.elsewhere(index) if summary.registry else None, "int"), (org.source, "text")]
    return row, short_any


def _totals_row(summary: Summary, t: Totals, label: str) -> Row:
    row: Row = [(label if label else t.name, "text"), (f"Итого: {t.orgs} ОО", "text"), (None, "text"),
                (None, "text"), (f"книг {t.books}, выгрузок {t.exports}", "text"), (None, "int"), (None, "date")]
    for group in SHOWN_GROUPS:
        row += _total_coverage(t.group(group))
    row.append((t.pairs, "int"))
    row += [(t.pairs_by_form.get(f, 0), "int") for f in _forms(summary)]
    row += [(t.pairs_by_status.get(s, 0), "int") for s in _statuses(summary)]
    row += [(t.meetings, "int"), (t.roadmap_items, "int"), (t.roadmap_share, "pct"), (t.roadmap_overdue, "int"),
            (t.satisfaction, "dec"), (t.satisfaction_count, "int"), (t.errors, "int"), (t.warnings, "int"),
            (t.people_elsewhere if summary.registry else None, "int"), (None, "text")]
    return row


def _write_row(ws: Worksheet, fm: _Formats, r: int, row: Row, style: str = "plain",
               alert: Sequence[int] = ()) -> None:
    for c, (value, kind) in enumerate(row):
        _put(ws, fm, r, c, value, kind, "alert" if c in alert else style)


def _alert_columns(row: Row, first_group_col: int) -> list[int]:
    """The cells that show an organisation is short of a target: its name, and the group's share and verdict."""
    out = []
    for g in range(len(SHOWN_GROUPS)):
        base = first_group_col + g * len(COVERAGE_HEADERS)
        if row[base + 6][0] is False:
            out += [1, base + 2, base + 5, base + 6]
    return out


def _organisations(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("Организации")
    _title(ws, fm, f"Организации: {summary.period.title}",
           "По муниципальным образованиям, после каждого — итог, внизу — итог по региону. Охват — люди с "
           "действующей в году парой, делённые на контингент; в итогах люди складываются, потом делятся.",
           "Красным — организации, не достигшие цели охвата (цель — из книги организации).")
    columns = _org_columns(summary)
    _header(ws, fm, HEADER_AT, columns)
    r = HEADER_AT + 1
    index = {id(o): i for i, o in enumerate(summary.orgs)}
    by_name = {t.name: t for t in summary.municipalities}
    for name, total in by_name.items():
        for org in (o for o in summary.orgs if municipality(o) == name):
            row, _ = _org_row(summary, org, index[id(org)])
            _write_row(ws, fm, r, row, alert=_alert_columns(row, 7))
            r += 1
        _write_row(ws, fm, r, _totals_row(summary, total, name), "sub")
        r += 1
    _write_row(ws, fm, r, _totals_row(summary, summary.region, summary.region.name), "total")
    ws.freeze_panes(HEADER_AT + 1, 2)
    ws.autofilter(HEADER_AT, 0, r, len(columns) - 1)
    landscape(ws, HEADER_AT)


# --- «Муниципалитеты», «По годам», «Свод» --------------------------------------------------------------

MUNICIPALITY_COLUMNS = [OutColumn("Муниципальное образование", 26), OutColumn("Организаций", 10),
                        OutColumn("из них книг", 8), OutColumn("выгрузок персучёта", 10)]
MUNICIPALITY_TAIL = [OutColumn("Пар и групп в периоде", 9), OutColumn("Встреч в периоде", 9),
                     OutColumn("Дорожная карта: выполнено, %", 11), OutColumn("Дорожная карта: просрочено", 11),
                     OutColumn("Удовлетворённость: средний балл", 12), OutColumn("Удовлетворённость: ответов", 11),
                     OutColumn("ОО с ошибками в книгах", 10), OutColumn("Людей, найденных в нескольких ОО", 11)]


def _municipality_row(summary: Summary, t: Totals) -> tuple[Row, list[int]]:
    row: Row = [(t.name, "text"), (t.orgs, "int"), (t.books, "int"), (t.exports, "int")]
    alert = []
    for group in SHOWN_GROUPS:
        g = t.group(group)
        if g.share is not None and g.target is not None and g.share < g.target:
            alert.append(len(row) + 2)
        row += _total_coverage(g)
    row += [(t.pairs, "int"), (t.meetings, "int"), (t.roadmap_share, "pct"), (t.roadmap_overdue, "int"),
            (t.satisfaction, "dec"), (t.satisfaction_count, "int"), (t.with_errors, "int"),
            (t.people_elsewhere if summary.registry else None, "int")]
    return row, alert


def _municipalities(wb: Workbook, fm: _Formats, summary: Summary) -> int:
    """The sheet; returns the Excel row index of the region's total (the charts stop above it)."""
    ws = wb.add_worksheet("Муниципалитеты")
    _title(ws, fm, f"Муниципальные образования: {summary.period.title}",
           "Охват и цель — люди всех организаций, делённые на их контингент (не среднее процентов). «Не хватает "
           "до цели» — сумма по организациям, не достигшим цели. Красным — охват ниже цели.")
    columns = MUNICIPALITY_COLUMNS + [c for g in SHOWN_GROUPS for c in _coverage_columns(g)] + MUNICIPALITY_TAIL
    _header(ws, fm, HEADER_AT, columns)
    r = HEADER_AT + 1
    for t in summary.municipalities:
        row, alert = _municipality_row(summary, t)
        _write_row(ws, fm, r, row, alert=alert)
        r += 1
    row, alert = _municipality_row(summary, summary.region)
    _write_row(ws, fm, r, row, "total", alert)
    ws.freeze_panes(HEADER_AT + 1, 1)
    landscape(ws, HEADER_AT)
    return r


YEAR_GROUPS = tuple(g.key for g in coverage_groups())


def _years(wb: Workbook, fm: _Formats, summary: Summary) -> int:
    """«По годам»: the region per year; returns the last row written."""
    ws = wb.add_worksheet("По годам")
    _title(ws, fm, "Охват по годам: регион",
           "Каждый год — люди с действующей в этом году парой во всех организациях, делённые на их контингент. "
           "Годы после отчётного года книги считаются по её данным (открытая пара — действующая).")
    columns = [OutColumn("Год", 8)]
    for g in YEAR_GROUPS:
        columns += [OutColumn(f"{GROUP_TITLES[g]}: {h}", w) for h, w in zip(COVERAGE_HEADERS[:4], (11, 10, 9, 8))]
    _header(ws, fm, HEADER_AT, columns)
    years = sorted({y.year for y in summary.years})
    by = {(y.year, y.group): y.total for y in summary.years}
    r = HEADER_AT
    for r, year in enumerate(years, start=HEADER_AT + 1):
        row: Row = [(year, "int")]
        for g in YEAR_GROUPS:
            t = by.get((year, g), GroupTotal())
            row += [(t.contingent, "int"), (t.covered, "int"), (t.share, "pct"), (t.target, "pct")]
        _write_row(ws, fm, r, row)
    ws.freeze_panes(HEADER_AT + 1, 1)
    landscape(ws, HEADER_AT)
    return r


def _key_figures(summary: Summary) -> list[tuple[str, Any, str]]:
    t = summary.region
    out: list[tuple[str, Any, str]] = [
        ("Файлов обработано", summary.files, "int"), ("Организаций в сводке", t.orgs, "int"),
        ("из них по выгрузке персучёта", t.exports, "int"), ("Муниципальных образований", len(summary.municipalities), "int"),
        ("Файлов не прочитано (лист «Не прочитаны»)", len(summary.unreadable), "int"),
        ("Файлов отложено (лист «Отложены»)", len(summary.set_aside), "int"),
    ]
    for group in SHOWN_GROUPS:
        g, title = t.group(group), GROUP_TITLES[group]
        targeted = g.with_target > 0
        out += [(f"{title}: контингент, чел.", g.contingent, "int"), (f"{title}: охвачено, чел.", g.covered, "int"),
                (f"{title}: охват", g.share, "pct"),
                (f"{title}: цель" + ("" if targeted else " (не задана в книгах)"), g.target, "pct"),
                (f"{title}: не хватает до цели, чел.", g.short if targeted else None, "int"),
                (f"{title}: организаций, не достигших цели", f"{g.missing} из {g.with_target}" if targeted else None,
                 "text")]
    out += [("Пар и групп в периоде", t.pairs, "int"), ("Встреч в периоде", t.meetings, "int"),
            ("Дорожные карты: выполнено мероприятий", t.roadmap_share, "pct"),
            ("Дорожные карты: просрочено мероприятий", t.roadmap_overdue, "int"),
            ("Удовлетворённость: средний балл", t.satisfaction, "dec"),
            ("Удовлетворённость: ответов", t.satisfaction_count, "int"),
            ("Организаций с ошибками в книгах", t.with_errors, "int")]
    if summary.registry:
        out.append(("Людей, найденных в нескольких организациях", len(summary.registry.repeated), "int"))
    return out


def _chart_by_municipality(wb: Workbook, group: str, last: int) -> Any:
    sheet, title = "Муниципалитеты", GROUP_TITLES[group]
    base = len(MUNICIPALITY_COLUMNS) + SHOWN_GROUPS.index(group) * len(COVERAGE_HEADERS)
    chart = wb.add_chart({"type": "bar"})
    for offset, name, color in ((2, "Охват", "#2E75B6"), (3, "Цель", "#F4B183")):
        chart.add_series({"name": name, "categories": [sheet, HEADER_AT + 1, 0, last, 0],
                          "values": [sheet, HEADER_AT + 1, base + offset, last, base + offset],
                          "fill": {"color": color}, "gap": 60})
    chart.set_title({"name": f"{title}: охват и цель по муниципальным образованиям",
                     "name_font": {"size": 11, "name": "Arial"}})
    chart.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8, "name": "Arial"}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": _chart_height(last)})
    return chart


ROW_PIXELS = 20  # a default row of the sheet


def _chart_height(last: int) -> int:
    """A bar chart grows with the number of municipalities (rows HEADER_AT+1 … last)."""
    return max(260, 110 + 34 * (last - HEADER_AT))


def _chart_by_year(wb: Workbook, last: int) -> Any:
    sheet = "По годам"
    chart = wb.add_chart({"type": "column"})
    colors = {"students": ("#2E75B6", "#9DC3E6"), "teachers": ("#C55A11", "#F4B183")}
    for group in SHOWN_GROUPS:
        base = 1 + YEAR_GROUPS.index(group) * 4
        for offset, what, color in ((2, "охват", colors[group][0]), (3, "цель", colors[group][1])):
            chart.add_series({"name": f"{GROUP_TITLES[group]}: {what}",
                              "categories": [sheet, HEADER_AT + 1, 0, last, 0],
                              "values": [sheet, HEADER_AT + 1, base + offset, last, base + offset],
                              "fill": {"color": color}})
    chart.set_title({"name": "Регион: охват и цель по годам", "name_font": {"size": 11, "name": "Arial"}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": "Год"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 320})
    return chart


def _overview(wb: Workbook, fm: _Formats, summary: Summary) -> Worksheet:
    ws = wb.add_worksheet("Свод")
    p = summary.period
    how = ("все правила проверки" if summary.validated else
           "только ячейки, из которых считается сводка (полная проверка — с --validate)")
    _title(ws, fm, f"Сводка по наставничеству: {p.title}",
           f"Период {p.first:%d.%m.%Y}–{p.last:%d.%m.%Y}, данные на {p.on:%d.%m.%Y}. Проверены {how}.",
           "Только сводные числа: персональных данных здесь нет (они — в файле сводного персонифицированного учёта).")
    _header(ws, fm, HEADER_AT, [OutColumn("Показатель", 46), OutColumn("Регион", 14)], height=20)
    for r, (label, value, kind) in enumerate(_key_figures(summary), start=HEADER_AT + 1):
        _put(ws, fm, r, 0, label, "text")
        _put(ws, fm, r, 1, value, kind)
    ws.set_column(2, 2, 3)
    ws.freeze_panes(HEADER_AT + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    return ws


# --- «Не прочитаны», «Отложены» -------------------------------------------------------------------------


def _unreadable(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("Не прочитаны")
    _title(ws, fm, "Файлы, которые не удалось прочитать",
           "Их данных нет в сводке. Исправьте книгу по указанной причине или попросите организацию прислать её заново.")
    _header(ws, fm, HEADER_AT, [OutColumn("Файл", 34), OutColumn("Папка", 30), OutColumn("Изменён", 11),
                                OutColumn("Причина", 90), OutColumn("Код", 16)], height=20)
    if not summary.unreadable:
        ws.write_string(HEADER_AT + 1, 0, "Все файлы прочитаны.", fm.ok)
    for r, u in enumerate(summary.unreadable, start=HEADER_AT + 1):
        _write_row(ws, fm, r, [(_file_name(u.source), "text"), (_folder(u.source), "text"), (u.modified, "date"),
                               (u.message, "text"), (u.code, "text")])
    ws.freeze_panes(HEADER_AT + 1, 1)
    landscape(ws, HEADER_AT)


def _set_aside(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("Отложены")
    _title(ws, fm, "Файлы, отложенные при сведении",
           "Вторая книга той же организации (тот же ИНН, а без ИНН — то же наименование и муниципальное "
           "образование): в сводку взята более новая. И выгрузки персучёта за другой период.")
    _header(ws, fm, HEADER_AT, [OutColumn("Файл", 30), OutColumn("Организация", 30), OutColumn("ИНН", 12),
                                OutColumn("Муниципальное образование", 22), OutColumn("Источник", 12),
                                OutColumn("Изменён", 14), OutColumn("Взят вместо него", 30),
                                OutColumn("Причина", 70)], height=30)
    if not summary.set_aside:
        ws.write_string(HEADER_AT + 1, 0, "Отложенных файлов нет.", fm.ok)
    for r, a in enumerate(summary.set_aside, start=HEADER_AT + 1):
        o = a.org
        _write_row(ws, fm, r, [(_file_name(o.source), "text"), (o.card.name, "text"), (o.card.inn, "text"),
                               (o.card.municipality, "text"), (o.kind, "text"), (o.modified, "date"),
                               (_file_name(a.kept) if a.kept else "", "text"), (a.reason, "text")])
    ws.freeze_panes(HEADER_AT + 1, 1)
    landscape(ws, HEADER_AT)


def _render_summary(summary: Summary, target: str) -> None:
    wb = xlsxwriter.Workbook(target, OPTIONS)
    wb.set_properties({"title": f"Сводка по наставничеству: {summary.period.title}", "created": CREATED})
    fm = _Formats(wb)
    overview = _overview(wb, fm, summary)
    last_municipality = _municipalities(wb, fm, summary) - 1
    _organisations(wb, fm, summary)
    last_year = _years(wb, fm, summary)
    _unreadable(wb, fm, summary)
    _set_aside(wb, fm, summary)
    chart_row = HEADER_AT
    if last_municipality > HEADER_AT:
        for group in SHOWN_GROUPS:
            chart = _chart_by_municipality(wb, group, last_municipality)
            overview.insert_chart(chart_row, 3, chart)
            chart_row += math.ceil(_chart_height(last_municipality) / ROW_PIXELS) + 1
    if last_year > HEADER_AT:
        overview.insert_chart(chart_row, 3, _chart_by_year(wb, last_year))
    wb.close()


# --- the consolidated registry ------------------------------------------------------------------------

REGISTRY_SHEET, REPEATED_SHEET, LEFT_SHEET = "Персонифицированный учёт", "Повторы", "Без согласия"
ALSO_IN = OutColumn("Есть и в других ОО (ФИО и дата рождения)", 34)


def _org_label(heading: Registry) -> str:
    return heading.short_name or heading.org_name


def _registry_cell(ws: Worksheet, fm: _Formats, r: int, c: int, value: Any) -> None:
    """One cell of the big table: blanks are not written (the table may have a hundred thousand rows)."""
    if value is None or value == "":
        return
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fm.cell("date"))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, value, fm.cell("int"))
    else:
        ws.write_string(r, c, str(value), fm.cell("text"))


def _registry_rows(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    reg = summary.registry
    assert reg is not None
    ws = wb.add_worksheet(REGISTRY_SHEET)
    _title(ws, fm, f"Сводный персонифицированный учёт наставничества: {summary.period.title}",
           f"Организаций: {len(reg.orgs)}; строк: {len(reg.participants)} — люди с согласием на обработку ПДн. "
           f"Один человек в нескольких организациях (ФИО и дата рождения) не объединяется: он отмечен в последнем "
           f"столбце и на листе «{REPEATED_SHEET}». Содержит персональные данные: храните и передавайте по ФЗ-152.")
    columns = [c.out for c in ROW_COLUMNS] + [ALSO_IN]
    _header(ws, fm, HEADER_AT, columns)
    consent = next(i for i, c in enumerate(ROW_COLUMNS) if c.kind == "consent")
    values = [c.value for c in ROW_COLUMNS]
    alert = fm.cell("text", "alert")
    for r, p in enumerate(reg.participants, start=HEADER_AT + 1):
        heading = reg.orgs[p.org]
        for c, value in enumerate(values):
            _registry_cell(ws, fm, r, c, value(heading, p.person))  # type: ignore[arg-type]
        if p.person.mentoring_consent == MISSING:  # ст. 351.8 required and not given: marked as a warning
            ws.write_string(r, consent, MISSING, alert)
        if p.also_in:
            ws.write_string(r, len(values), "; ".join(_org_label(reg.orgs[i]) for i in p.also_in), alert)
    last = HEADER_AT + max(len(reg.participants), 1)
    ws.freeze_panes(HEADER_AT + 1, 0)
    ws.autofilter(HEADER_AT, 0, last, len(columns) - 1)
    landscape(ws, HEADER_AT)


def _repeated(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    reg = summary.registry
    assert reg is not None
    ws = wb.add_worksheet(REPEATED_SHEET)
    _title(ws, fm, "Люди, найденные в нескольких организациях",
           "Совпали ФИО и дата рождения. Это может быть один человек (наставник в двух школах) или двое с "
           "одинаковыми данными: проверьте, записи не объединялись.")
    _header(ws, fm, HEADER_AT, [OutColumn("ФИО", 30), OutColumn("Дата рождения", 12), OutColumn("Организация", 30),
                                OutColumn("Муниципальное образование", 24), OutColumn("Роль", 13),
                                OutColumn("ID в организации", 12)], height=30)
    r = HEADER_AT
    for person in reg.repeated:
        for org, role, pid in person.places:
            r += 1
            heading = reg.orgs[org]
            _write_row(ws, fm, r, [(person.full_name, "text"), (person.birth_date, "date"),
                                   (_org_label(heading), "text"), (heading.municipality, "text"), (role, "text"),
                                   (pid, "text")])
    if not reg.repeated:
        ws.write_string(HEADER_AT + 1, 0, "Повторов нет.", fm.ok)
    ws.freeze_panes(HEADER_AT + 1, 1)


def _left(wb: Workbook, fm: _Formats, summary: Summary) -> None:
    reg = summary.registry
    assert reg is not None
    ws = wb.add_worksheet(LEFT_SHEET)
    _title(ws, fm, "Не включены в учёт: нет согласия на обработку ПДн",
           "ФИО не выводятся (ФЗ-152): организация найдёт человека по ID, листу и строке своей книги.")
    columns = [OutColumn("Организация", 30), OutColumn("Муниципальное образование", 22)] + \
        [c[0] for c in EXCLUDED_COLUMNS]
    _header(ws, fm, HEADER_AT, columns, height=30)
    for r, item in enumerate(reg.left, start=HEADER_AT + 1):
        heading = reg.orgs[item.org]
        row: Row = [(_org_label(heading), "text"), (heading.municipality, "text")]
        row += [(value(item.person), "int" if kind == "center" else "text") for _, value, kind in EXCLUDED_COLUMNS]
        _write_row(ws, fm, r, row)
    if not reg.left:
        ws.write_string(HEADER_AT + 1, 0, "Все участники периода дали согласие на обработку ПДн.", fm.ok)
    ws.freeze_panes(HEADER_AT + 1, 1)


def _render_registry(summary: Summary, target: str) -> None:
    wb = xlsxwriter.Workbook(target, {**OPTIONS, "constant_memory": True})
    wb.set_properties({"title": f"Сводный персонифицированный учёт: {summary.period.title}", "created": CREATED})
    fm = _Formats(wb)
    _registry_rows(wb, fm, summary)
    _repeated(wb, fm, summary)
    _left(wb, fm, summary)
    wb.close()


# --- writing files ----------------------------------------------------------------------------------


def _atomic(path: Path, render: Callable[[str], None]) -> Path:
    """Render into a temporary file beside ``path``, then replace it (a half-written file is never left)."""
    return write_atomically(path, render)


def write_summary_book(summary: Summary, path: Path) -> Path:
    """The summary workbook (aggregates only) at ``path``."""
    return _atomic(path, lambda target: _render_summary(summary, target))


def write_registry_book(summary: Summary, path: Path) -> Path:
    """The consolidated registry (names) at ``path``; the summary must have been built with ``registry=True``."""
    if summary.registry is None:
        raise BookError("Сводный персонифицированный учёт не собирался: запустите сводку без отказа от учёта.",
                        code="usage")
    return _atomic(path, lambda target: _render_registry(summary, target))
