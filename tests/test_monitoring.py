"""Monthly monitoring on a hand-built book whose figures were worked out by hand.

The day of the report is Monday 3 March 2025: the month is 1–3 March, the twelve months start on 1 April 2024.
Pairs (mentor НК-1: П-0…П-3, П-7; НК-2: П-4…П-6, П-8, П-9):
  П-0 started 10.02, no meeting            → stage 0, знакомство due 24.02: 7 days overdue
  П-1 started 20.02, знакомство 21.02      → stage 1, пробная due 20.03: on time
  П-2 started 10.01, up to пробная         → stage 2, планирование due 21.02: 10 days overdue
  П-3 started 05.01, up to планирование    → stage 3, совместная работа due 02.03: 1 day overdue
  П-4 group of two, up to совместная работа (28.02, 01.03; 04.03 is after the day) → stage 4, итоговая due 31.05
  П-5 planned end 28.02, no end yet        → stage 4, итоговая 3 days overdue
  П-6 ended 02.03 (finished in the month); П-7 ended 31.01 (its mentee НЯ-7 has no exit value)
  П-8 started 01.03 (new in the month), П-9 on 28.02 (not in the month): both stage 0, on time
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import python_calamine

from nastavnik_xl.actions.monitoring import ALL_FORMS, MonitoringReport, monitor
from nastavnik_xl.actions.template import contingent_rows, finish_content
from nastavnik_xl.book.builder import BookContent, build_book
from nastavnik_xl.book.output.monitoring_sheet import SHEET_NAME, monitoring_sheet
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.writer import write_output_sheet
from nastavnik_xl.schema import INDICATORS, SHEET_ORDER, indicators, lookups

D = dt.date
ON = D(2025, 3, 3)
UU, SU, TT = "ученик – ученик", "студент – ученик", "учитель – учитель"
PLANNED = D(2025, 5, 31)


def _pair(pid: str, form: str, mentor: str, mentee: str, start: dt.date, status: str = "действует",
          end: dt.date | None = None, planned: dt.date | None = PLANNED) -> dict[str, Any]:
    return {"pair_id": pid, "form": form, "mentor_id": mentor, "mentee_id": mentee, "start_date": start,
            "planned_end": planned, "actual_end": end, "status": status}


PAIRS = [
    _pair("П-0", UU, "НК-1", "НЯ-0", D(2025, 2, 10)),
    _pair("П-1", UU, "НК-1", "НЯ-1", D(2025, 2, 20)),
    _pair("П-2", SU, "НК-1", "НЯ-2", D(2025, 1, 10)),
    _pair("П-3", UU, "НК-1", "НЯ-3", D(2025, 1, 5)),
    _pair("П-4", UU, "НК-2", "НЯ-4", D(2024, 10, 1)),
    _pair("П-4", UU, "НК-2", "НЯ-10", D(2024, 10, 1)),
    _pair("П-5", UU, "НК-2", "НЯ-5", D(2024, 9, 15), planned=D(2025, 2, 28)),
    _pair("П-6", UU, "НК-2", "НЯ-6", D(2024, 9, 10), "завершена", D(2025, 3, 2)),
    _pair("П-7", TT, "НК-1", "НЯ-7", D(2024, 9, 1), "завершена", D(2025, 1, 31)),
    _pair("П-8", UU, "НК-2", "НЯ-8", D(2025, 3, 1), "сформирована"),
    _pair("П-9", UU, "НК-2", "НЯ-9", D(2025, 2, 28)),
]
CYCLE = ("встреча-знакомство", "пробная встреча", "встреча-планирование", "совместная работа", "итоговая встреча")
MEETING_DAYS: dict[str, list[tuple[int, dt.date]]] = {  # pair → (index in CYCLE, day)
    "П-1": [(0, D(2025, 2, 21))],
    "П-2": [(0, D(2025, 1, 12)), (1, D(2025, 1, 25))],
    "П-3": [(0, D(2025, 1, 7)), (1, D(2025, 1, 18)), (2, D(2025, 2, 1))],
    "П-4": [(0, D(2024, 10, 2)), (1, D(2024, 10, 15)), (2, D(2024, 10, 29)), (3, D(2025, 2, 28)), (3, D(2025, 3, 1)),
            (3, D(2025, 3, 4))],
    "П-5": [(0, D(2024, 9, 16)), (1, D(2024, 9, 30)), (2, D(2024, 10, 14)), (3, D(2024, 11, 20))],
    "П-6": [(0, D(2024, 9, 11)), (1, D(2024, 9, 25)), (2, D(2024, 10, 9)), (3, D(2024, 12, 10)), (4, D(2025, 3, 2))],
}


def _meetings() -> list[dict[str, Any]]:
    rows = [{"pair_id": pid, "meeting_type": CYCLE[i], "date": day} for pid, days in MEETING_DAYS.items()
            for i, day in days]
    rows.append({"pair_id": "П-4", "meeting_type": "групповая встреча", "date": D(2025, 2, 10), "participants": 2})
    rows.append({"pair_id": None, "meeting_type": "групповая встреча", "date": D(2025, 3, 3), "participants": 10})
    return [{"meeting_id": f"В-{n}", **r} for n, r in enumerate(rows, start=1)]


def _answer(who: str, role: str, score: float | None, day: dt.date, survey: str = "удовлетворённость",
            phase: str = "выход", **kw: Any) -> dict[str, Any]:
    return {"survey": survey, "phase": phase, "respondent_id": who, "role": role, "date": day,
            "question": kw.pop("question", "Насколько вы удовлетворены?"), "score": score, **kw}


SURVEYS = [
    _answer("НЯ-6", "наставляемый", 8, D(2025, 3, 1)), _answer("НЯ-6", "наставляемый", 10, D(2025, 3, 1)),
    _answer("НЯ-7", "наставляемый", 6, D(2025, 1, 30)), _answer("НЯ-7", "наставляемый", 7, D(2025, 1, 30)),
    _answer("НК-2", "наставник", 7, D(2025, 3, 1)),
    _answer("НЯ-9", "наставляемый", 1, D(2024, 3, 15)),  # before the twelve months
    _answer("НЯ-6", "наставляемый", None, D(2025, 3, 1), text="Помог разобраться", swot_tag="S"),
    _answer("НЯ-7", "наставляемый", None, D(2025, 1, 30), text="Помог  разобраться ", swot_tag="S"),
    _answer("НК-2", "наставник", None, D(2025, 3, 1), text="Мало времени", swot_tag="W"),
    # the questionnaire's scores feed «самооценка» of НЯ-6: entry (4 + 6) / 2 = 5, exit 7
    _answer("НЯ-6", "наставляемый", 4, D(2024, 9, 20), "влияние программы (вход/выход)", "вход",
            question="Уверен в себе?", indicator="самооценка"),
    _answer("НЯ-6", "наставляемый", 6, D(2024, 9, 20), "влияние программы (вход/выход)", "вход",
            question="Справлюсь сам?", indicator="самооценка"),
    _answer("НЯ-6", "наставляемый", 7, D(2025, 3, 1), "влияние программы (вход/выход)", "выход",
            question="Уверен в себе?", indicator="самооценка"),
]
SURVEYS = [{"response_id": f"А-{n}", **r} for n, r in enumerate(SURVEYS, start=1)]


def _measure(who: str, name: str, phase: str, day: dt.date, value: float) -> dict[str, Any]:
    return {"person_id": who, "role": "наставляемый", "indicator": name, "phase": phase, "date": day, "value": value,
            "scale": "1–10", "source": "тест"}


MEASURES = [
    _measure("НЯ-6", "тревожность", "вход", D(2024, 9, 20), 7),
    _measure("НЯ-6", "тревожность", "промежуточный", D(2024, 12, 20), 5),
    _measure("НЯ-6", "тревожность", "выход", D(2025, 3, 1), 4),
    _measure("НЯ-6", "успеваемость (средний балл)", "вход", D(2024, 9, 20), 3.5),
    _measure("НЯ-6", "успеваемость (средний балл)", "выход", D(2025, 3, 1), 3.9),
    _measure("НЯ-2", "тревожность", "вход", D(2025, 1, 15), 6),
    _measure("НЯ-2", "тревожность", "выход", D(2025, 2, 25), 6),
    _measure("НЯ-4", "тревожность", "вход", D(2024, 10, 10), 6),  # П-4 still runs: waiting for the exit
    _measure("НЯ-7", "тревожность", "вход", D(2024, 9, 10), 5),  # Excel row 10: П-7 ended, no exit
]
ROADMAP = [
    {"item_no": "1.1", "activity": "Положение", "due_date": D(2025, 1, 31), "status": "выполнено"},
    {"item_no": "1.2", "activity": "Приказ", "due_date": D(2025, 2, 28), "status": "в работе"},
    {"item_no": "1.3", "activity": "Обучение", "due_date": D(2025, 4, 30), "status": "не начато"},
    {"item_no": "1.4", "activity": "Отменённое", "due_date": D(2025, 1, 1), "status": "отменено"},
]


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mentees = [{"mentee_id": f"НЯ-{i}", "full_name": f"Наставляемый {i}",
                "participant_type": "педагог" if i == 7 else "обучающийся"} for i in range(11)]
    mentors = [{"mentor_id": "НК-1", "full_name": "Петров Пётр", "mentor_category": "педагог"},
               {"mentor_id": "НК-2", "full_name": "Сидорова Анна", "mentor_category": "обучающийся"}]
    card = {"org_name": "МБОУ «СОШ № 1»", "municipality": "Округ", "curator": "Куратор", "reporting_year": 2025}
    content = finish_content(BookContent(card=card, contingent=contingent_rows(), spare_rows=5, rows={
        "roadmap": ROADMAP, "mentors": mentors, "mentees": mentees, "pairs": PAIRS, "meetings": _meetings(),
        "surveys": SURVEYS, "indicators": MEASURES}))
    return build_book(tmp_path_factory.mktemp("mon") / "книга.xlsx", content)


@pytest.fixture(scope="module")
def report(book_path: Path) -> MonitoringReport:
    return monitor(read_book(book_path), ON)


def test_the_new_sheet_and_columns_are_in_the_schema_and_read_back(book_path: Path) -> None:
    assert SHEET_ORDER.index("Показатели") == SHEET_ORDER.index("Анкеты") + 1
    assert tuple(indicators()) == lookups()["indicators"].values
    assert {n for n, i in indicators().items() if i.lower_is_better} == {"тревожность", "учёт ВШК / ОДН", "конфликты"}
    book = read_book(book_path)
    assert len(book.table("indicators").rows) == len(MEASURES)
    assert book.table("indicators").sheet.key == INDICATORS.key and "targets" in book.tables
    assert [m.get("participants") for m in book.table("meetings").rows][-2:] == [2, 10]
    assert book.table("surveys").rows[-1]["indicator"] == "самооценка"
    assert not book.all_findings()


def test_periods_and_pairs_by_form(report: MonitoringReport) -> None:
    assert (report.month_start, report.window_start) == (D(2025, 3, 1), D(2024, 4, 1))
    counts = {(p.form, p.status): (p.pairs, p.groups, p.mentees) for p in report.pairs_by_form}
    assert counts == {(UU, "действует"): (6, 1, 7), (UU, "завершена"): (1, 0, 1), (UU, "сформирована"): (1, 0, 1),
                      (SU, "действует"): (1, 0, 1), (TT, "завершена"): (1, 0, 1)}
    assert [e.pair_id for e in report.new_pairs] == ["П-8"]  # П-9 started on 28 February
    assert [(e.pair_id, e.day) for e in report.finished_pairs] == [("П-6", D(2025, 3, 2))]


def test_meetings_of_the_month_stop_at_its_first_day_and_at_the_report_day(report: MonitoringReport) -> None:
    assert [(t.meeting_type, t.meetings, t.pairs) for t in report.meetings_by_type] == [
        ("совместная работа", 1, 1), ("итоговая встреча", 1, 1), ("групповая встреча", 1, 0)]


def test_each_active_pair_has_its_stage_and_what_is_overdue(report: MonitoringReport) -> None:
    rows = {c.pair_id: (c.stage_no, c.next_step, c.due, c.overdue_days) for c in report.cycle}
    assert rows == {
        "П-0": (0, "встреча-знакомство", D(2025, 2, 24), 7),
        "П-1": (1, "пробная встреча", D(2025, 3, 20), 0),
        "П-2": (2, "встреча-планирование", D(2025, 2, 21), 10),
        "П-3": (3, "совместная работа", D(2025, 3, 2), 1),
        "П-4": (4, "итоговая встреча", D(2025, 5, 31), 0),
        "П-5": (4, "итоговая встреча", D(2025, 2, 28), 3),
        "П-8": (0, "встреча-знакомство", D(2025, 3, 15), 0),
        "П-9": (0, "встреча-знакомство", D(2025, 3, 14), 0),
    }
    assert report.active_pairs == 8
    assert [c.pair_id for c in report.cycle[:4]] == ["П-2", "П-0", "П-5", "П-3"]  # most overdue first
    assert next(c for c in report.cycle if c.pair_id == "П-4").last_meeting == D(2025, 3, 1)
    assert report.stage_counts() == [("нет встреч", 3, 1), ("знакомство", 1, 0), ("пробная", 1, 1),
                                     ("планирование", 1, 1), ("совместная работа", 2, 1), ("итоговая", 0, 0)]


def test_roadmap(report: MonitoringReport) -> None:
    rm = report.roadmap
    assert (rm.total, rm.done, rm.in_progress, rm.not_started, rm.cancelled, rm.overdue) == (4, 1, 1, 1, 1, 1)
    assert rm.share_done == pytest.approx(1 / 3)
    assert [i.item_no for i in rm.overdue_items] == ["1.2"]


def test_satisfaction_counts_respondents_within_twelve_months(report: MonitoringReport) -> None:
    mentees, mentors = report.satisfaction
    assert (mentees.role, mentees.respondents, mentees.answers, mentees.satisfied) == ("наставляемый", 2, 4, 1)
    assert mentees.mean == pytest.approx((9 + 6.5) / 2) and mentees.share_satisfied == 0.5
    assert (mentors.respondents, mentors.mean, mentors.share_satisfied) == (1, 7, 1.0)


def test_swot_is_grouped_with_counts(report: MonitoringReport) -> None:
    groups = {g.tag: g for g in report.swot}
    assert [(i.text, i.count) for i in groups["S"].items] == [("Помог разобраться", 2)]
    assert (groups["W"].count, groups["O"].count, groups["T"].count) == (1, 0, 0)


def test_group_meetings_attendance_against_ninety_percent(report: MonitoringReport) -> None:
    group, programme = report.group_meetings
    assert (group.pair_id, group.participants, group.expected, group.meets_target) == ("П-4", 2, 3, False)
    # the whole programme on 3 March: НК-1, НК-2 and the nine mentees of the eight active pairs
    assert (programme.pair_id, programme.participants, programme.expected) == (None, 10, 11)
    assert programme.share == pytest.approx(10 / 11) and programme.meets_target


def test_impact_per_form_and_overall_in_the_indicator_direction(report: MonitoringReport) -> None:
    rows = {(i.indicator, i.form): i for i in report.impact}
    uu, su, both = rows[("тревожность", UU)], rows[("тревожность", SU)], rows[("тревожность", ALL_FORMS)]
    assert (uu.people, uu.mean_entry, uu.mean_exit, uu.mean_change, uu.improved, uu.waiting) == (1, 7, 4, -3, 1, 1)
    assert (su.people, su.mean_change, su.improved, su.share_improved) == (1, 0, 0, 0)
    assert (both.people, both.mean_entry, both.mean_exit, both.mean_change) == (2, 6.5, 5, -1.5)
    assert (both.improved, both.share_improved, both.waiting, both.lower_is_better) == (1, 0.5, 1, True)
    marks = rows[("успеваемость (средний балл)", UU)]
    assert marks.mean_change == pytest.approx(0.4) and marks.share_improved == 1
    own = rows[("самооценка", UU)]  # from the questionnaire: the mean of the entry questions
    assert (own.mean_entry, own.mean_exit, own.improved) == (5, 7, 1)
    assert ("тревожность", TT) not in rows  # НЯ-7 has no exit: a finding, not a row


def test_a_person_without_an_exit_after_the_pair_ended_is_a_finding(report: MonitoringReport) -> None:
    assert [(m.person_id, m.pair_id, m.ended, m.indicators) for m in report.missing_exits] == [
        ("НЯ-7", "П-7", D(2025, 1, 31), ["тревожность"])]
    (finding,) = report.findings
    assert (finding.code, finding.severity, finding.sheet, finding.row, finding.column) == (
        "monitoring-no-exit", "предупреждение", "Показатели", 10, "Этап")
    assert "П-7" in finding.message and "выход" in finding.message


def test_best_mentors_by_the_stated_rule(report: MonitoringReport) -> None:
    best = [(m.mentor_id, m.completed, m.meetings, m.satisfaction, m.improved_share, m.score)
            for m in report.best_mentors]
    # НК-2: 5 × 1 + 15 meetings (П-4: 6 in the window, П-5: 4, П-6: 5) + 9 + 10 × 3/3 = 39
    # НК-1: 5 × 1 + 6 meetings + 6.5 + 10 × 0/1 (НЯ-2 did not improve) = 17.5
    assert best == [("НК-2", 1, 15, 9, 1.0, 39), ("НК-1", 1, 6, 6.5, 0.0, 17.5)]
    assert "5 × завершённых" in report.rules["best"]


def test_the_sheet_is_written_into_the_book(book_path: Path, report: MonitoringReport, tmp_path: Path) -> None:
    book = tmp_path / "с мониторингом.xlsx"
    book.write_bytes(book_path.read_bytes())
    write_output_sheet(book, SHEET_NAME, monitoring_sheet(report))
    wb = python_calamine.CalamineWorkbook.from_path(str(book))
    assert SHEET_NAME in wb.sheet_names
    cells = [c for row in wb.get_sheet_by_name(SHEET_NAME).to_python() for c in row if isinstance(c, str)]
    assert "Мониторинг программы наставничества: МБОУ «СОШ № 1»" in cells
    assert "Лучшие наставники (для грамот и благодарственных писем)" in cells
    assert read_book(book).tables.keys() == read_book(book_path).tables.keys()


def test_monitor_command_json_and_write(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from nastavnik_xl.actions.demo import generate_region

    region = generate_region(tmp_path / "демо", schools=1, seed=2, mistake_rate=0, today=dt.date(2026, 11, 30))
    book = region.books[0]
    result = subprocess.run([sys.executable, "-m", "nastavnik_xl", "monitor", str(book), "--date", "25.11.2026",
                             "--format", "json", "--write"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["on"] == "2026-11-25" and data["active_pairs"] > 0 and data["impact"]
    assert "«Мониторинг» записан" in result.stderr
    from python_calamine import CalamineWorkbook

    assert "Мониторинг" in CalamineWorkbook.from_path(str(book)).sheet_names
