"""Coverage against targets: hand-built books whose right answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from books import ORG_ROWS, write_book

from nastavnik_xl.actions.coverage_report import coverage_report, people_needed
from nastavnik_xl.book.reader import read_book

D = dt.datetime
MENTORS = [
    ["ID наставника", "ФИО", "Категория наставника"],
    ["НК-1", "Петров Пётр", "педагог"],
    ["НК-2", "Сидоров Иван", "обучающийся"],
    ["НК-3", "Орлова Анна", "студент"],
]
MENTEES = [
    ["ID наставляемого", "ФИО", "Тип участника", "Статус", "Дата включения в базу"],
    ["Я-1", "Кузнецов Илья", "обучающийся", "в паре", D(2023, 9, 1)],
    ["Я-2", "Смирнова Ольга", "обучающийся", "в паре", D(2023, 9, 1)],
    ["Я-3", "Волков Денис", "молодой специалист", "в паре", D(2023, 9, 1)],
    ["Я-4", "Зайцева Мария", "педагог", "в паре", D(2024, 9, 1)],
    ["Я-5", "Морозов Олег", "обучающийся", "в базе", D(2024, 9, 1)],
    ["Я-6", "Белова Нина", "обучающийся", "выбыл", D(2024, 9, 1)],
    ["Я-7", "Новиков Пётр", "обучающийся", "в базе", D(2025, 2, 1)],
]
PAIRS = [
    ["ID пары", "Форма наставничества", "ID наставника", "ID наставляемого", "Дата начала", "Фактическое окончание"],
    # a group of two pupils with a pupil mentor, 2023 only
    ["П-1", "ученик – ученик", "НК-2", "Я-1", D(2023, 10, 1), D(2023, 12, 31)],
    ["П-1", "ученик – ученик", "НК-2", "Я-2", D(2023, 10, 1), D(2023, 12, 31)],
    # Я-1 again in 2024 with a student: two pairs, one person; spans 2024–2025
    ["П-2", "студент – ученик", "НК-3", "Я-1", D(2024, 1, 1), D(2025, 3, 1)],
    ["П-3", "ученик – ученик", "НК-2", "Я-1", D(2024, 2, 1), D(2024, 5, 1)],
    # teachers: a young specialist (2023–open) and a teacher (2024)
    ["П-4", "учитель – учитель", "НК-1", "Я-3", D(2023, 11, 1), None],
    ["П-5", "учитель – учитель", "НК-1", "Я-4", D(2024, 10, 1), D(2024, 12, 20)],
]


def book(tmp_path: Path, contingent: list[list[object]] | None = None) -> Path:
    org = [list(r) for r in ORG_ROWS[:7]] + [list(ORG_ROWS[7])]
    org += contingent if contingent is not None else [[2023, 500, 30, 20, 4], [2024, 520, 31, 21, 5]]
    return write_book(tmp_path / "book.xlsx", {"Организация": org, "Наставники": MENTORS, "Наставляемые": MENTEES,
                                              "Пары": PAIRS})


def test_people_not_pairs_and_teachers_with_young_specialists(tmp_path: Path) -> None:
    report = coverage_report(read_book(book(tmp_path)), 2024)
    r23, r24 = report.row(2023, "students"), report.row(2024, "students")
    # 2023: Я-1 and Я-2 (one group) → 2 of 30; target 50 % → 15 people → 13 short
    assert (r23.covered, r23.contingent, r23.target, r23.gap_people, r23.needed) == (2, 30, 0.5, -13, 13)
    # 2024: only Я-1, in two pairs → 1 person of 31; target 70 % → ceil(21.7) = 22 → 21 short
    assert (r24.covered, r24.contingent, r24.needed) == (1, 31, 21)
    assert abs(r24.share - 1 / 31) < 1e-12 and abs(r24.gap_pp - (1 / 31 - 0.7) * 100) < 1e-9
    # teachers count young specialists too: 2023 Я-3 → 1 of 20; 2024 Я-3 and Я-4 → 2 of 21
    assert report.row(2023, "teachers").covered == 1 and report.row(2024, "teachers").covered == 2
    assert report.row(2024, "teachers").contingent == 21
    # young specialists also have a line of their own: Я-3 in 2023 and 2024 of 4 and 5
    assert (report.row(2024, "young").covered, report.row(2024, "young").contingent) == (1, 5)


def test_mentor_role_and_who_could_close_the_gap(tmp_path: Path) -> None:
    report = coverage_report(read_book(book(tmp_path)), 2024)
    roles = {m.year: (m.mentors, m.contingent) for m in report.mentor_role}
    assert roles[2023] == (1, 30)  # НК-2
    assert roles[2024] == (2, 31)  # НК-2 (П-3) and НК-3 (П-2)
    unpaired = {u.group: u.mentees for u in report.unpaired}
    # 2024: Я-2 (no pair in 2024), Я-5 (none yet); not Я-6 (left), not Я-7 (enters in 2025)
    assert unpaired["students"] == 2 and unpaired["teachers"] == 0


def test_a_pair_spanning_two_years_counts_in_both(tmp_path: Path) -> None:
    report = coverage_report(read_book(book(tmp_path, [[2023, 500, 30, 20, 4], [2024, 520, 31, 21, 5],
                                                       [2025, 530, 32, 22, 5]])), 2025)
    assert report.row(2025, "students").covered == 1  # Я-1 through П-2 until 01.03.2025


def test_missing_contingent_gives_no_share_and_no_gap(tmp_path: Path) -> None:
    report = coverage_report(read_book(book(tmp_path, [[2023, 500, 30, 20, 4]])), 2024)
    r = report.row(2024, "students")
    assert (r.covered, r.contingent, r.share, r.gap_pp, r.needed) == (1, None, None, None, None)


def test_people_needed_rounds_up() -> None:
    assert people_needed(0.7, 31) == 22 and people_needed(0.5, 30) == 15 and people_needed(0.1, 0) is None
    assert people_needed(0.7, 10) == 7  # 7.000000000000001 is still 7


def test_cli_coverage_json_and_exit_code(tmp_path: Path) -> None:
    path = book(tmp_path)
    result = subprocess.run([sys.executable, "-m", "nastavnik_xl", "coverage", str(path), "--year", "2024",
                             "--format", "json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr  # short of the target
    data = json.loads(result.stdout)
    assert data["year"] == 2024 and any(r["group"] == "teachers" for r in data["rows"])


def test_the_coverage_sheet_says_when_the_contingent_is_missing(tmp_path: Path) -> None:
    """«Охват» shows «нет контингента» where people were counted over no contingent, as the book's own cells do."""
    import python_calamine

    from nastavnik_xl.book.output.coverage_sheet import HEADER_AT, SHEET_NAME, coverage_sheet
    from nastavnik_xl.cli import _write_sheet  # the CLI's --write: the one output-sheet writer

    path = book(tmp_path, [[2023, 500, 30, 20, 4]])
    _write_sheet(path, SHEET_NAME, coverage_sheet(coverage_report(read_book(path), 2024)))
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET_NAME).to_python()
    by_line = {(r[0], r[1]): r[4] for r in rows[HEADER_AT + 1:] if r and r[1] != ""}
    assert by_line[("обучающиеся", 2024.0)] == "нет контингента"
    assert abs(by_line[("обучающиеся", 2023.0)] - 2 / 30) < 1e-12
