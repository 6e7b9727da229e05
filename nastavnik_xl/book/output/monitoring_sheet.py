"""«Мониторинг»: the monthly monitoring of the programme — Этап 1 (process), Этап 2 (impact), the best
mentors — with charts of the cycle's progress, satisfaction, and entry against exit per indicator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book.output.style import OutColumn, OutputFormats, header_row, landscape, write_text

if TYPE_CHECKING:
    from nastavnik_xl.actions.monitoring import MonitoringReport

SHEET_NAME = "Мониторинг"
WIDTHS = (34, 22, 14, 14, 14, 13, 13, 13, 13, 13, 13)
CHART_COL = len(WIDTHS) + 1
CHART_ROWS = 17  # rows a chart of the default size takes
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
          "декабрь")
FONT = {"name": "Arial", "size": 10}


class _Writer:
    """Writes the sheet top to bottom: sections, tables, notes; charts to the right of their section."""

    def __init__(self, wb: Workbook, ws: Worksheet, report: MonitoringReport) -> None:
        self.wb, self.ws, self.r = wb, ws, report
        self.fm = OutputFormats(wb)
        self.section_fmt = wb.add_format({"font_name": "Arial", "font_size": 12, "bold": True,
                                          "font_color": "#1F4E78", "bottom": 2})
        self.row = 0
        self.next_chart_row = 0

    # --- primitives ---

    def section(self, title: str, note: str = "") -> None:
        self.row += 1
        self.ws.merge_range(self.row, 0, self.row, len(WIDTHS) - 1, title, self.section_fmt)
        self.row += 1
        if note:
            self.note(note)

    def note(self, text: str) -> None:
        self.ws.merge_range(self.row, 0, self.row, len(WIDTHS) - 1, text, self.wb.add_format(
            {"font_name": "Arial", "font_size": 9, "italic": True, "font_color": "#595959", "text_wrap": True,
             "valign": "top"}))
        self.ws.set_row(self.row, 13 * max(1, -(-len(text) // 190)) + 2)
        self.row += 1

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], flags: Sequence[bool] = ()) -> tuple[int, int]:
        """A header and rows; a flagged row is highlighted. Returns the first and last data row."""
        header_row(self.ws, self.fm, self.row, [OutColumn(h, WIDTHS[i]) for i, h in enumerate(headers)])
        self.row += 1
        first = self.row
        for i, values in enumerate(rows):
            flagged = i < len(flags) and flags[i]
            for c, value in enumerate(values):
                self.cell(c, value, flagged)
            self.row += 1
        if not rows:
            self.ws.write_string(self.row, 0, "нет данных", self.fm.note)
            self.row += 1
        return first, self.row - 1

    def cell(self, col: int, value: Any, flagged: bool = False) -> None:
        fm = self.fm
        if isinstance(value, _Pct):
            fmt = fm.error if flagged else fm.percent
            if value.value is None:
                self.ws.write_blank(self.row, col, None, fmt)
            else:
                self.ws.write_number(self.row, col, value.value, fm.percent if not flagged else self._pct_flag)
        elif isinstance(value, bool):
            self.ws.write_string(self.row, col, "да" if value else "нет", fm.error if flagged else fm.center)
        elif isinstance(value, dt.date):
            self.ws.write_datetime(self.row, col, dt.datetime(value.year, value.month, value.day),
                                   self._date_flag if flagged else fm.date)
        elif isinstance(value, float):
            self.ws.write_number(self.row, col, round(value, 2), self._dec_flag if flagged else fm.decimal)
        elif isinstance(value, int):
            self.ws.write_number(self.row, col, value, self._num_flag if flagged else fm.number)
        else:
            write_text(self.ws, self.row, col, value, fm.error if flagged else fm.text)

    def chart(self, chart: Any, at: int) -> None:
        row = max(at, self.next_chart_row)
        self.ws.insert_chart(row, CHART_COL, chart)
        self.next_chart_row = row + CHART_ROWS + 1

    def _flag(self, num_format: str) -> Any:
        return self.wb.add_format({"font_name": "Arial", "font_size": 10, "valign": "top", "bold": True,
                                   "bg_color": "#F8CBAD", "border": 1, "border_color": "#BFBFBF",
                                   "num_format": num_format})

    def prepare(self) -> None:
        self._pct_flag = self._flag("0.0%")
        self._dec_flag = self._flag("0.0")
        self._num_flag = self._flag("0")
        self._date_flag = self._flag("dd.mm.yyyy")


class _Pct:
    """A share written as a percentage."""

    def __init__(self, value: float | None) -> None:
        self.value = value


def _month(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _chart(wb: Workbook, kind: str, title: str, subtype: str | None = None) -> Any:
    chart = wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
    chart.set_title({"name": title, "name_font": {**FONT, "size": 11}})
    chart.set_legend({"position": "bottom", "font": FONT})
    chart.set_size({"width": 560, "height": 320})
    return chart


# --- sections -------------------------------------------------------------------------------------------


def _head(w: _Writer) -> None:
    r, fm, ws = w.r, w.fm, w.ws
    title = f"Мониторинг программы наставничества: {r.organisation}" if r.organisation else \
        "Мониторинг программы наставничества"
    ws.write_string(0, 0, title, fm.title)
    ws.write_string(1, 0, f"По состоянию на {_d(r.on)}. Месяц — {_month(r.on)}; удовлетворённость, SWOT, явка, "
                          f"показатели и лучшие наставники — за 12 месяцев с {_d(r.window_start)}. "
                          "Лист пересоздаётся при каждом расчёте.", fm.note)
    w.row = 3
    sat = {s.role: s for s in r.satisfaction}
    figures: list[tuple[str, Any]] = [
        ("Действующих пар и групп", r.active_pairs),
        ("Новых пар за месяц", len(r.new_pairs)),
        ("Завершено пар за месяц", len(r.finished_pairs)),
        ("Встреч за месяц", sum(t.meetings for t in r.meetings_by_type)),
        ("Пар с просроченным этапом цикла", len(r.overdue)),
        ("Дорожная карта: выполнено", _Pct(r.roadmap.share_done)),
        ("Удовлетворены наставляемые", _Pct(sat["наставляемый"].share_satisfied)),
        ("Удовлетворены наставники", _Pct(sat["наставник"].share_satisfied)),
        ("Нет замера на выходе, чел.", len(r.missing_exits)),
    ]
    for label, value in figures:
        ws.write_string(w.row, 0, label, fm.text)
        flagged = label.startswith(("Пар с просроч", "Нет замера")) and bool(value)
        w.cell(1, value, flagged)
        w.row += 1


def _pairs(w: _Writer) -> None:
    r = w.r
    w.section("Этап 1. Пары и группы по формам и статусам",
              "Пара или группа — одна запись с одним ID пары; группа — несколько наставляемых у одного ID.")
    w.table(("Форма", "Статус", "Пар и групп", "из них групп", "Наставляемых"),
            [(p.form, p.status, p.pairs, p.groups, p.mentees) for p in r.pairs_by_form])
    w.section(f"Новые и завершённые пары за {_month(r.on)}")
    events = [("сформирована", e) for e in r.new_pairs] + [("завершена", e) for e in r.finished_pairs]
    w.table(("ID пары", "Форма", "Наставник", "Наставляемых", "Дата", "Событие"),
            [(e.pair_id, e.form, e.mentor_id, e.mentees, e.day, what) for what, e in events])
    w.section(f"Встречи за {_month(r.on)} по типам")
    w.table(("Тип встречи", "Встреч", "Пар"), [(t.meeting_type, t.meetings, t.pairs) for t in r.meetings_by_type])


def _cycle(w: _Writer) -> None:
    r = w.r
    w.section("Цикл действующих пар", r.rules["stage"])
    start = w.row
    first, last = w.table(("Этап цикла", "Пар и групп", "из них с просрочкой"), r.stage_counts())
    chart = _chart(w.wb, "column", "Где пары в цикле встреч")
    chart.add_series({"name": "Пар и групп", "categories": [SHEET_NAME, first, 0, last, 0],
                      "values": [SHEET_NAME, first, 1, last, 1], "fill": {"color": "#2E75B6"},
                      "data_labels": {"value": True}})
    chart.add_series({"name": "из них с просрочкой", "categories": [SHEET_NAME, first, 0, last, 0],
                      "values": [SHEET_NAME, first, 2, last, 2], "fill": {"color": "#C00000"}})
    chart.set_y_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "num_font": FONT})
    chart.set_x_axis({"num_font": FONT})
    w.chart(chart, start)


def _roadmap(w: _Writer) -> None:
    rm = w.r.roadmap
    w.section("Дорожная карта", "Просрочено — не выполнено и не отменено, а контрольная дата прошла. Доля "
                                "выполненного — от мероприятий, кроме отменённых.")
    w.table(("Мероприятий", "Выполнено", "В работе", "Не начато", "Перенесено", "Отменено", "Просрочено",
             "Выполнено, %"),
            [(rm.total, rm.done, rm.in_progress, rm.not_started, rm.postponed, rm.cancelled, rm.overdue,
              _Pct(rm.share_done))], flags=[rm.overdue > 0])
    if rm.overdue_items:
        w.row += 1
        w.table(("Просрочено: мероприятие", "№", "Контрольная дата", "Статус"),
                [(i.activity, i.item_no, i.due_date, i.status) for i in rm.overdue_items])


def _satisfaction(w: _Writer) -> None:
    r = w.r
    w.section("Удовлетворённость участников", r.rules["satisfaction"])
    start = w.row
    first, last = w.table(("Роль", "Респондентов", "Ответов", "Среднее (из 10)", "Удовлетворены, чел.",
                           "Удовлетворены, %"),
                          [(s.role, s.respondents, s.answers, s.mean, s.satisfied, _Pct(s.share_satisfied))
                           for s in r.satisfaction])
    chart = _chart(w.wb, "bar", "Удовлетворённость: среднее из 10")
    chart.add_series({"name": "Среднее (из 10)", "categories": [SHEET_NAME, first, 0, last, 0],
                      "values": [SHEET_NAME, first, 3, last, 3], "fill": {"color": "#70AD47"},
                      "data_labels": {"value": True, "num_format": "0.0"}})
    chart.set_x_axis({"min": 0, "max": 10, "major_unit": 1, "num_font": FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"num_font": FONT})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 200})
    w.chart(chart, start)


def _swot(w: _Writer) -> None:
    w.section("SWOT по ответам анкет", "Ответы с меткой S, W, O или T за 12 месяцев; одинаковые ответы "
                                       "сложены, в скобках — сколько раз.")
    rows = []
    for g in w.r.swot:
        answers = "; ".join(f"{i.text} ({i.count})" if i.count > 1 else i.text for i in g.items)
        rows.append((f"{g.tag} — {g.title}", g.count, answers or "—"))
    header_row(w.ws, w.fm, w.row, [OutColumn(h, WIDTHS[i]) for i, h in enumerate(("Группа", "Ответов", "Ответы"))])
    w.row += 1
    for label, count, answers in rows:
        w.ws.write_string(w.row, 0, label, w.fm.text)
        w.ws.write_number(w.row, 1, count, w.fm.number)
        w.ws.merge_range(w.row, 2, w.row, len(WIDTHS) - 1, answers, w.fm.text)
        w.ws.set_row(w.row, 13 * max(1, -(-len(answers) // 120)) + 3)
        w.row += 1


def _attendance(w: _Writer) -> None:
    r = w.r
    w.section("Групповые встречи: явка", r.rules["attendance"])
    w.table(("ID встречи", "Дата", "ID пары", "Пришли, чел.", "Участников, чел.", "Явка, %", "Не менее 90 %"),
            [(g.meeting_id, g.day, g.pair_id or "вся программа", g.participants, g.expected, _Pct(g.share),
              "не указано, сколько пришло" if g.meets_target is None else g.meets_target)
             for g in r.group_meetings],
            flags=[g.meets_target is False for g in r.group_meetings])


def _impact(w: _Writer) -> None:
    r = w.r
    w.section("Этап 2. Показатели участников на входе и на выходе", r.rules["impact"])
    w.table(("Показатель", "Форма", "Роль", "Что лучше", "Человек (вход и выход)", "Вход, среднее",
             "Выход, среднее", "Изменение", "Улучшились, чел.", "Улучшились, %", "Ждут выхода, чел."),
            [(i.indicator, i.form, i.role, "меньше" if i.lower_is_better else "больше", i.people, i.mean_entry,
              i.mean_exit, i.mean_change, i.improved, _Pct(i.share_improved), i.waiting) for i in r.impact])
    overall = _overall(r)
    if not overall:
        return
    w.row += 1
    start = w.row
    w.ws.write_string(w.row, 0, "Итого по показателям (все формы) — для диаграмм", w.fm.bold)
    w.row += 1
    first, last = w.table(("Показатель", "Вход, среднее", "Выход, среднее", "Улучшились, %"),
                          [(i.indicator + (" (меньше — лучше)" if i.lower_is_better else ""), i.mean_entry, i.mean_exit,
                            _Pct(i.share_improved)) for i in overall])
    chart = _chart(w.wb, "bar", "Вход и выход: среднее по показателю")
    for col, name, color in ((1, "Вход", "#BDD7EE"), (2, "Выход", "#2E75B6")):
        chart.add_series({"name": name, "categories": [SHEET_NAME, first, 0, last, 0],
                          "values": [SHEET_NAME, first, col, last, col], "fill": {"color": color},
                          "data_labels": {"value": True, "num_format": "0.0", "font": {**FONT, "size": 8}}})
    chart.set_y_axis({"reverse": True, "num_font": {**FONT, "size": 9}})
    chart.set_x_axis({"min": 0, "num_font": FONT, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_size({"width": 560, "height": max(320, 60 + 38 * len(overall))})
    w.chart(chart, start)
    share = _chart(w.wb, "bar", "Доля улучшившихся по показателю")
    share.add_series({"name": "Улучшились, %", "categories": [SHEET_NAME, first, 0, last, 0],
                      "values": [SHEET_NAME, first, 3, last, 3], "fill": {"color": "#70AD47"},
                      "data_labels": {"value": True, "num_format": "0%", "font": {**FONT, "size": 8}}})
    share.set_y_axis({"reverse": True, "num_font": {**FONT, "size": 9}})
    share.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    share.set_legend({"none": True})
    share.set_size({"width": 560, "height": max(320, 60 + 26 * len(overall))})
    w.next_chart_row += (max(320, 60 + 38 * len(overall)) - 320) // 20
    w.chart(share, start)


def _overall(r: MonitoringReport) -> list[Any]:
    """One row per indicator of mentees with people compared: all forms together (or the only form)."""
    from nastavnik_xl.actions.monitoring import ALL_FORMS

    out: dict[str, Any] = {}
    for i in r.impact:
        if i.role != "наставляемый" or not i.people:
            continue
        if i.form == ALL_FORMS or i.indicator not in out:
            out[i.indicator] = i
    return list(out.values())


def _missing(w: _Writer) -> None:
    r = w.r
    w.section("Нет замера на выходе", r.rules["missing_exit"])
    headers = ("ID участника", "Роль", "ID пары", "Пара завершилась", "Показатели без выхода")
    header_row(w.ws, w.fm, w.row, [OutColumn(h, WIDTHS[i]) for i, h in enumerate(headers)])
    w.ws.merge_range(w.row, 4, w.row, len(WIDTHS) - 1, headers[-1], w.fm.header)
    w.row += 1
    for m in r.missing_exits:
        for c, value in enumerate((m.person_id, m.role, m.pair_id, m.ended)):
            w.cell(c, value)
        w.ws.merge_range(w.row, 4, w.row, len(WIDTHS) - 1, ", ".join(m.indicators), w.fm.text)
        w.row += 1
    if not r.missing_exits:
        w.ws.write_string(w.row, 0, "нет: у всех завершивших программу есть замер на выходе", w.fm.note)
        w.row += 1


def _best(w: _Writer) -> None:
    r = w.r
    w.section("Лучшие наставники (для грамот и благодарственных писем)", r.rules["best"])
    w.table(("ФИО", "ID наставника", "Завершено пар", "Встреч", "Удовлетворённость наставляемых",
             "Улучшились, %", "Балл"),
            [(m.full_name, m.mentor_id, m.completed, m.meetings, m.satisfaction, _Pct(m.improved_share), m.score)
             for m in r.best_mentors])


def _cycle_list(w: _Writer) -> None:
    r = w.r
    w.section("Действующие пары: этап цикла и следующая встреча", "Сначала — пары с просрочкой.")
    w.table(("ID пары", "Форма", "Наставник", "Наставляемых", "Начало", "Этап", "Последняя встреча",
             "Следующая встреча", "Срок", "Просрочено, дней"),
            [(c.pair_id, c.form, c.mentor_id, c.mentees, c.start, c.stage, c.last_meeting, c.next_step or "—",
              c.due, c.overdue_days) for c in r.cycle],
            flags=[c.overdue_days > 0 for c in r.cycle])


def monitoring_sheet(report: MonitoringReport):  # type: ignore[no-untyped-def]
    """An OutputBuilder that renders ``report`` for the one output-sheet writer."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        w = _Writer(wb, ws, report)
        w.prepare()
        for c, width in enumerate(WIDTHS):
            ws.set_column(c, c, width)
        _head(w)
        w.next_chart_row = 3
        for part in (_pairs, _cycle, _roadmap, _satisfaction, _swot, _attendance, _impact, _missing, _best,
                     _cycle_list):
            part(w)
        landscape(ws, 0)
        ws.repeat_rows(0, 0)

    return build
