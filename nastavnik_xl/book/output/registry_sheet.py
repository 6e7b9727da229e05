"""«Персонифицированный учёт»: the quarterly registry as a sheet of the book and as its own file.

The file (``write_registry_file``) has two sheets: «Персонифицированный учёт» (people with consent)
and «Без согласия» (who is missing and why, by ID and book row: no names of people without
consent). In the curator's book (``registry_sheet`` for ``book.writer.write_output_sheet``) both
parts stand on one sheet, the list of those without consent below the table.

Text stays text: every string is written with ``write_string`` (in a book opened with
``strings_to_formulas`` and ``strings_to_urls`` off), so a name like «=Иванов» or «@ник» is never
a formula or a link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.actions.registry import MISSING, SEPARATOR, ExcludedPerson, Registry, RegistryRow
from nastavnik_xl.book.new_file import write_atomically
from nastavnik_xl.book.output.style import FONT, WARNING_FILL, OutColumn, OutputFormats, header_row, landscape

SHEET_NAME = "Персонифицированный учёт"
EXCLUDED_SHEET_NAME = "Без согласия"
HEADER_AT = 3  # 0-based row of the table's header
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_CREATED = dt.datetime(2000, 1, 1)  # fixed, so the same registry gives the same bytes

Value = str | int | float | dt.date | None


@dataclass(frozen=True)
class _Col:
    out: OutColumn
    value: Callable[[Registry, RegistryRow], Value]
    kind: str = "text"  # text / date / center / consent (a date, or «нет» marked as a warning)


def _joined(values: Sequence[str]) -> str:
    return SEPARATOR.join(values)


def _mentoring_consent(row: RegistryRow) -> Value:
    return row.mentoring_consent_date or row.mentoring_consent


ROW_COLUMNS: tuple[_Col, ...] = (
    _Col(OutColumn("Квартал", 9), lambda reg, r: reg.quarter, "center"),
    _Col(OutColumn("Организация", 30), lambda reg, r: reg.org_name),
    _Col(OutColumn("ИНН", 12), lambda reg, r: reg.inn, "center"),
    _Col(OutColumn("Муниципальное образование", 20), lambda reg, r: reg.municipality),
    _Col(OutColumn("Роль", 13), lambda reg, r: r.role),
    _Col(OutColumn("ID", 9), lambda reg, r: r.person_id),
    _Col(OutColumn("ФИО", 26), lambda reg, r: r.full_name),
    _Col(OutColumn("Дата рождения", 11), lambda reg, r: r.birth_date, "date"),
    _Col(OutColumn("Тип участника / категория наставника", 17), lambda reg, r: r.person_type),
    _Col(OutColumn("Категория наставляемого", 20), lambda reg, r: r.mentee_category),
    _Col(OutColumn("Форма наставничества", 18), lambda reg, r: _joined(r.forms)),
    _Col(OutColumn("Вариант", 22), lambda reg, r: _joined(r.variants)),
    _Col(OutColumn("ID пары", 9), lambda reg, r: _joined(r.pair_ids)),
    _Col(OutColumn("Вторая сторона: ID", 11), lambda reg, r: _joined(r.other_ids)),
    _Col(OutColumn("Вторая сторона: ФИО", 26), lambda reg, r: _joined(r.other_names)),
    _Col(OutColumn("Дата начала", 11), lambda reg, r: r.start_date, "date"),
    _Col(OutColumn("Плановое окончание", 11), lambda reg, r: r.planned_end, "date"),
    _Col(OutColumn("Фактическое окончание", 11), lambda reg, r: r.actual_end, "date"),
    _Col(OutColumn("Статус пары", 12), lambda reg, r: _joined(r.statuses)),
    _Col(OutColumn("Результат", 22), lambda reg, r: _joined(r.outcomes)),
    _Col(OutColumn("Согласие на обработку ПДн (дата)", 12), lambda reg, r: r.pd_consent_date, "date"),
    _Col(OutColumn("Согласие на наставничество (ст. 351.8 ТК), дата", 14),
         lambda reg, r: _mentoring_consent(r), "consent"),
)

EXCLUDED_COLUMNS: tuple[tuple[OutColumn, Callable[[ExcludedPerson], Value], str], ...] = (
    (OutColumn("Роль", 13), lambda e: e.role, "text"),
    (OutColumn("ID", 10), lambda e: e.person_id, "text"),
    (OutColumn("Чего не хватает", 50), lambda e: e.missing, "text"),
    (OutColumn("ID пары", 12), lambda e: _joined(e.pair_ids), "text"),
    (OutColumn("Где исправить: лист", 16), lambda e: e.sheet, "text"),
    (OutColumn("Строка", 8), lambda e: e.row, "center"),
)
# In the book the list stands under the table from its «Роль» column, whose widths it then shares.
EXCLUDED_LEFT_IN_BOOK = next(i for i, c in enumerate(ROW_COLUMNS) if c.out.header == "Роль")
HEADER_HEIGHT = 45  # three lines of a wrapped header


# --- cells ------------------------------------------------------------------------------------


class _Formats(OutputFormats):
    """The house formats and a centred warning («нет» in the ст. 351.8 column)."""

    def __init__(self, wb: Workbook) -> None:
        super().__init__(wb)
        self.missing = wb.add_format({**FONT, "bg_color": WARNING_FILL, "align": "center", "border": 1,
                                      "border_color": "#BFBFBF"})


def _cell(ws: Worksheet, fm: _Formats, row: int, col: int, value: Value, kind: str) -> None:
    """Dates as dates, numbers as numbers, and every string as a string."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fm.text if kind == "text" else fm.center)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fm.date)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(row, col, value, fm.center)
    elif kind == "consent" and value == MISSING:
        ws.write_string(row, col, str(value), fm.missing)
    else:
        ws.write_string(row, col, str(value), fm.text if kind == "text" else fm.center)


def _title(ws: Worksheet, fm: _Formats, registry: Registry, note: str) -> None:
    org = registry.org_name or registry.short_name or "организация не указана"
    ws.write_string(0, 0, f"Персонифицированный учёт наставничества: {org}, {registry.quarter_title}", fm.title)
    ws.write_string(1, 0, note, fm.note)


def _summary(registry: Registry, excluded_where: str) -> str:
    parts = [f"Период: {registry.period_start:%d.%m.%Y}–{registry.period_end:%d.%m.%Y}"]
    if registry.municipality:
        parts.append(f"муниципальное образование: {registry.municipality}")
    if registry.inn:
        parts.append(f"ИНН {registry.inn}")
    text = "; ".join(parts) + f". Строк: {len(registry.rows)} — люди с согласием на обработку ПДн."
    if registry.excluded:
        text += f" Не включены из-за согласия: {len(registry.excluded)} — {excluded_where}."
    return text


def _people_table(ws: Worksheet, fm: _Formats, registry: Registry) -> int:
    """The header and one row per person and role; returns the last row used."""
    header_row(ws, fm, HEADER_AT, [c.out for c in ROW_COLUMNS])
    ws.set_row(HEADER_AT, HEADER_HEIGHT)
    if not registry.rows:
        ws.merge_range(HEADER_AT + 1, 0, HEADER_AT + 1, len(ROW_COLUMNS) - 1,
                       "В квартале нет участников с действующей парой и согласием на обработку ПДн.", fm.text)
    for n, person in enumerate(registry.rows, start=1):
        for c, col in enumerate(ROW_COLUMNS):
            _cell(ws, fm, HEADER_AT + n, c, col.value(registry, person), col.kind)
    last = HEADER_AT + max(len(registry.rows), 1)
    ws.freeze_panes(HEADER_AT + 1, 0)
    ws.autofilter(HEADER_AT, 0, last, len(ROW_COLUMNS) - 1)
    landscape(ws, HEADER_AT)
    ws.set_footer("&CСтраница &P из &N")
    return last


def _excluded_table(ws: Worksheet, fm: _Formats, registry: Registry, top: int, left: int = 0) -> int:
    """The list of people without consent: header at row ``top``, from column ``left``; returns the last row."""
    for c, (col, _, _) in enumerate(EXCLUDED_COLUMNS):
        ws.write_string(top, left + c, col.header, fm.header)
    ws.set_row(top, HEADER_HEIGHT)
    if not registry.excluded:
        ws.merge_range(top + 1, left, top + 1, left + len(EXCLUDED_COLUMNS) - 1,
                       "Все участники квартала дали согласие на обработку ПДн.", fm.ok)
    for n, person in enumerate(registry.excluded, start=1):
        for c, (_, value, kind) in enumerate(EXCLUDED_COLUMNS):
            _cell(ws, fm, top + n, left + c, value(person), kind)
    return top + max(len(registry.excluded), 1)


# --- the sheet in the book and the file -------------------------------------------------------


def registry_sheet(registry: Registry) -> Callable[[Workbook, Worksheet], None]:
    """An OutputBuilder for ``write_output_sheet``: the table, then those without consent below it."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        fm = _Formats(wb)
        _title(ws, fm, registry, _summary(registry, "список под таблицей") +
               " Лист пересоздаётся командой nastavnik registry: не вносите сюда данные.")
        last = _people_table(ws, fm, registry)
        ws.write_string(last + 2, EXCLUDED_LEFT_IN_BOOK, f"Не включены в учёт ({registry.quarter_title}): нет "
                        "согласия на обработку ПДн. ФИО не выводятся — найдите человека по ID.", fm.bold)
        _excluded_table(ws, fm, registry, last + 3, EXCLUDED_LEFT_IN_BOOK)

    return build


def _excluded_sheet(ws: Worksheet, fm: _Formats, registry: Registry) -> None:
    ws.write_string(0, 0, f"Не включены в персонифицированный учёт: {registry.quarter_title}", fm.title)
    ws.write_string(1, 0, "Нет согласия на обработку ПДн (ФЗ-152): ФИО не выводятся.", fm.note)
    ws.write_string(2, 0, "Получите согласие, впишите дату в книгу куратора и сформируйте учёт заново.", fm.note)
    for c, (col, _, _) in enumerate(EXCLUDED_COLUMNS):
        ws.set_column(c, c, col.width)
    last = _excluded_table(ws, fm, registry, HEADER_AT)
    ws.freeze_panes(HEADER_AT + 1, 0)
    ws.autofilter(HEADER_AT, 0, last, len(EXCLUDED_COLUMNS) - 1)
    landscape(ws, HEADER_AT)


def _render_file(registry: Registry, target: str) -> None:
    wb = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    wb.set_properties({"title": f"Персонифицированный учёт: {registry.quarter_title}",
                       "company": registry.org_name, "created": _CREATED})
    fm = _Formats(wb)
    people = wb.add_worksheet(SHEET_NAME)
    _title(people, fm, registry, _summary(registry, f"лист «{EXCLUDED_SHEET_NAME}»"))
    _people_table(people, fm, registry)
    _excluded_sheet(wb.add_worksheet(EXCLUDED_SHEET_NAME), fm, registry)
    wb.close()


def write_registry_file(registry: Registry, path: Path) -> Path:
    """Write the registry as its own .xlsx at ``path``, atomically (temporary file, then ``os.replace``)."""
    return write_atomically(path, lambda target: _render_file(registry, target))
