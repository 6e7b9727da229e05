"""«Персонифицированный учёт»: quarters, who is in a quarter, consent, the file, and LibreOffice.

The school book below is built by hand; the expected rows of each quarter were worked out by
hand from its dates (see the comments at each pair).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from books import write_book
from calc_engine import error_cells, recalc, render_png
from python_calamine import CalamineWorkbook

from nastavnik_xl.actions.registry import (
    ExcludedPerson,
    Quarter,
    Registry,
    RegistryRow,
    build_registry,
    check_quarter_in_book,
    pair_active_in_quarter,
    parse_quarter,
    registry_file_name,
)
from nastavnik_xl.book.output.registry_sheet import (
    EXCLUDED_SHEET_NAME,
    ROW_COLUMNS,
    SHEET_NAME,
    registry_sheet,
    write_registry_file,
)
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.writer import write_output_sheet
from nastavnik_xl.findings import BookError

D = dt.datetime
d = dt.date
ORG_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7»"

ORG = [
    ["Карточка организации"],
    [],
    ["Полное наименование ОО", ORG_NAME],
    ["Краткое наименование", "МБОУ «СШ № 7»"],
    ["ИНН", "7701234567"],
    ["Муниципальное образование", "Тестовый муниципальный округ"],
    ["Куратор (ФИО)", "Иванова Мария Петровна"],
    ["Отчётный год", 2024],
    [],
    ["Год", "Обучающихся всего", "Обучающихся 10–19 лет", "Педагогических работников",
     "Молодых специалистов (стаж 0–3 года)"],
    [2023, 500, 300, 40, 5],
    [2024, 520, 310, 42, 6],
]
MENTORS = [
    ["ID наставника", "ФИО", "Дата рождения", "Категория наставника", "Согласие на обработку ПДн (дата)",
     "Согласие на наставничество (ст. 351.8 ТК), дата", "Статус"],
    ["НК-1", "Орлов Олег Олегович", D(2007, 2, 10), "обучающийся", D(2024, 8, 30), None, "активен"],
    ["НК-2", "Петров Пётр Петрович", D(1980, 3, 4), "педагог", D(2023, 9, 1), None, "активен"],
    ["НК-3", "Орлова Анна Сергеевна", D(1985, 7, 1), "сотрудник предприятия", D(2024, 9, 1), D(2024, 9, 5),
     "активен"],
    ["НК-4", "Морозова Елена Викторовна", D(1975, 11, 11), "педагог", None, None, "активен"],  # no ПДн consent
    ["НК-5", "Сидорова Анна Ивановна", D(1979, 6, 6), "педагог", D(2024, 8, 15), D(2025, 2, 20), "активен"],
]
MENTEES = [
    ["ID наставляемого", "ФИО", "Дата рождения", "Тип участника", "Категория наставляемого",
     "Согласие на обработку ПДн (дата)", "Статус"],
    ["НЯ-1", "Кузнецов Илья", D(2011, 5, 3), "обучающийся", "неудовлетворительные образовательные результаты",
     D(2024, 8, 20), "в паре"],
    ["НЯ-2", "Смирнова Ольга", D(2011, 1, 20), "обучающийся", "выдающиеся способности", D(2024, 8, 21), "в паре"],
    ["НЯ-3", "Волков Денис Андреевич", D(1999, 2, 1), "молодой специалист", "молодой специалист", D(2024, 10, 20),
     "в паре"],
    ["НЯ-4", "Белова Мария", D(2010, 4, 4), "обучающийся", None, D(2024, 9, 10), "в паре"],
    ["НЯ-5", "Зайцев Павел", D(2010, 12, 1), "обучающийся", None, D(2024, 9, 5), "выбыл"],
    ["НЯ-6", "Лебедева Дарья", D(2012, 3, 8), "обучающийся", None, D(2024, 10, 1), "в паре"],
    ["НЯ-7", "Никитин Глеб", D(2011, 7, 7), "обучающийся", None, D(2024, 10, 7), "в паре"],  # consent after Q3
    ["НЯ-8", "Григорьев Антон", D(2011, 9, 9), "обучающийся", None, None, "в базе"],  # no pair, no consent
]
PAIRS = [
    ["ID пары", "Форма наставничества", "Вариант", "ID наставника", "ID наставляемого", "Дата начала",
     "Плановое окончание", "Фактическое окончание", "Статус", "Результат"],
    # a group: two rows with one pair ID
    ["Г-1", "ученик – ученик", "успевающий – неуспевающий", "НК-1", "НЯ-1", D(2024, 9, 2), D(2025, 5, 31), None,
     "действует", None],
    ["Г-1", "ученик – ученик", "успевающий – неуспевающий", "НК-1", "НЯ-2", D(2024, 9, 2), D(2025, 5, 31), None,
     "действует", None],
    # НЯ-1's second pair
    ["П-2", "работодатель – ученик", "профессионал – ученик", "НК-3", "НЯ-1", D(2024, 9, 16), D(2025, 5, 31), None,
     "действует", None],
    # spans two years: Q4 2024, Q1 and Q2 2025
    ["П-3", "учитель – учитель", "опытный педагог – молодой специалист", "НК-2", "НЯ-3", D(2024, 11, 1),
     D(2025, 6, 30), D(2025, 4, 30), "завершена", "адаптирован, остаётся в школе"],
    # the mentor has no consent
    ["П-4", "ученик – ученик", "равный – равному", "НК-4", "НЯ-4", D(2024, 9, 20), D(2025, 5, 31), None,
     "действует", None],
    # ends on the last day of Q3
    ["П-5", "ученик – ученик", "лидер – пассивный", "НК-5", "НЯ-5", D(2024, 9, 9), D(2024, 12, 27), D(2024, 9, 30),
     "расторгнута", "переезд семьи"],
    # starts on the first day of Q4
    ["П-6", "ученик – ученик", "адаптированный – неадаптированный", "НК-5", "НЯ-6", D(2024, 10, 1), D(2025, 5, 31),
     None, "действует", None],
    # the mentee's consent is dated 07.10.2024: after Q3
    ["П-7", "ученик – ученик", "равный – равному", "НК-1", "НЯ-7", D(2024, 9, 25), D(2025, 5, 31), None,
     "действует", None],
]


def school_sheets() -> dict[str, list[list[Any]]]:
    return {"Организация": [list(r) for r in ORG], "Наставники": [list(r) for r in MENTORS],
            "Наставляемые": [list(r) for r in MENTEES], "Пары": [list(r) for r in PAIRS]}


@pytest.fixture
def school(tmp_path: Path):  # type: ignore[no-untyped-def]
    return read_book(write_book(tmp_path / "school.xlsx", school_sheets()))


def row(reg: Registry, person_id: str) -> RegistryRow:
    found = [r for r in reg.rows if r.person_id == person_id]
    assert len(found) == 1, [r.person_id for r in reg.rows]
    return found[0]


def brief(r: RegistryRow) -> dict[str, Any]:
    """The fields worked out by hand below."""
    return {"pairs": r.pair_ids, "others": list(zip(r.other_ids, r.other_names)), "forms": r.forms,
            "variants": r.variants, "start": r.start_date, "planned": r.planned_end, "actual": r.actual_end,
            "statuses": r.statuses, "outcomes": r.outcomes}


# --- quarters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2024Q3", "2024-Q3", "2024 Q3", "2024q3", "2024К3", "2024-к3", "2024K3", " 2024 – Q3 ", "3 кв. 2024",
    "3 кв 2024", "3 КВ. 2024", "Q3 2024", "q3-2024", "к3 2024", "III квартал 2024 г.", "3-й квартал 2024 года",
    "iii кв. 2024", "2024 кв. 3", "3Q 2024",
])
def test_a_quarter_written_in_any_usual_way(text: str) -> None:
    assert parse_quarter(text) == Quarter(2024, 3)


@pytest.mark.parametrize("text", ["", "2024", "Q3", "3 кв.", "2024-07", "абв", "24Q3", "2024Q", "2024 Q3 Q4",
                                  "2024Q5", "2024Q0", "V квартал 2024", "2024QQ3"])
def test_a_bad_quarter_is_a_russian_usage_error(text: str) -> None:
    with pytest.raises(BookError) as exc:
        parse_quarter(text)
    assert exc.value.code == "usage"
    assert "квартал" in exc.value.message and "2024Q3" in exc.value.message


def test_quarter_dates_label_and_title() -> None:
    assert [(Quarter(2024, n).first, Quarter(2024, n).last) for n in (1, 2, 3, 4)] == [
        (d(2024, 1, 1), d(2024, 3, 31)), (d(2024, 4, 1), d(2024, 6, 30)),
        (d(2024, 7, 1), d(2024, 9, 30)), (d(2024, 10, 1), d(2024, 12, 31))]
    assert Quarter(2024, 3).label == "2024-Q3"
    assert Quarter(2024, 3).title == "III квартал 2024 г."
    assert Quarter(2025, 4).title == "IV квартал 2025 г."
    assert parse_quarter(Quarter(2026, 1).title) == Quarter(2026, 1)


def test_a_pair_ending_on_the_last_day_is_in_that_quarter_only() -> None:
    ends_30_09 = {"start_date": d(2024, 9, 9), "actual_end": d(2024, 9, 30)}
    starts_01_10 = {"start_date": d(2024, 10, 1), "actual_end": None}
    q3, q4 = Quarter(2024, 3), Quarter(2024, 4)
    assert pair_active_in_quarter(ends_30_09, q3) and not pair_active_in_quarter(ends_30_09, q4)
    assert not pair_active_in_quarter(starts_01_10, q3) and pair_active_in_quarter(starts_01_10, q4)
    assert not pair_active_in_quarter({"start_date": "скоро", "actual_end": None}, q4)


def test_quarters_outside_the_books_years(school) -> None:  # type: ignore[no-untyped-def]
    # contingent from 2023; the latest dated fact is П-3's actual end, 30.04.2025
    for ok in ("2023Q1", "2024Q3", "2025Q4"):
        check_quarter_in_book(school, parse_quarter(ok))
    for bad in ("2022Q4", "2026Q1"):
        with pytest.raises(BookError) as exc:
            check_quarter_in_book(school, parse_quarter(bad))
        assert exc.value.code == "usage"
        assert "2023–2025 гг." in exc.value.message and "2023Q1 по 2025Q4" in exc.value.message


# --- who is in a quarter, by hand -----------------------------------------------------------------


def test_third_quarter_2024(school) -> None:  # type: ignore[no-untyped-def]
    """Active 01.07–30.09: Г-1, П-2, П-4, П-5 (ends 30.09), П-7. Not П-3 (from 01.11) nor П-6 (from 01.10)."""
    reg = build_registry(school, parse_quarter("2024Q3"))
    assert [(r.role, r.person_id) for r in reg.rows] == [
        ("наставник", "НК-1"), ("наставник", "НК-3"), ("наставник", "НК-5"),
        ("наставляемый", "НЯ-1"), ("наставляемый", "НЯ-2"), ("наставляемый", "НЯ-4"), ("наставляемый", "НЯ-5")]
    # the group's mentor: one row with the group and the separate pair; НЯ-7's consent is later, no name
    assert brief(row(reg, "НК-1")) == {
        "pairs": ["Г-1", "П-7"], "others": [("НЯ-1", "Кузнецов Илья"), ("НЯ-2", "Смирнова Ольга"),
                                           ("НЯ-7", "(нет согласия)")],
        "forms": ["ученик – ученик"], "variants": ["успевающий – неуспевающий", "равный – равному"],
        "start": d(2024, 9, 2), "planned": d(2025, 5, 31), "actual": None, "statuses": ["действует"], "outcomes": []}
    # a mentee in two pairs: both mentors, both pair IDs, forms and variants
    assert brief(row(reg, "НЯ-1")) == {
        "pairs": ["Г-1", "П-2"], "others": [("НК-1", "Орлов Олег Олегович"), ("НК-3", "Орлова Анна Сергеевна")],
        "forms": ["ученик – ученик", "работодатель – ученик"],
        "variants": ["успевающий – неуспевающий", "профессионал – ученик"],
        "start": d(2024, 9, 2), "planned": d(2025, 5, 31), "actual": None, "statuses": ["действует"], "outcomes": []}
    # the pair that ends on 30.09 is in Q3
    assert brief(row(reg, "НЯ-5")) == {
        "pairs": ["П-5"], "others": [("НК-5", "Сидорова Анна Ивановна")], "forms": ["ученик – ученик"],
        "variants": ["лидер – пассивный"], "start": d(2024, 9, 9), "planned": d(2024, 12, 27),
        "actual": d(2024, 9, 30), "statuses": ["расторгнута"], "outcomes": ["переезд семьи"]}
    assert row(reg, "НК-5").other_ids == ["НЯ-5"]  # not НЯ-6: from 01.10
    # the mentor without consent is not named on his mentee's row
    assert list(zip(row(reg, "НЯ-4").other_ids, row(reg, "НЯ-4").other_names)) == [("НК-4", "(нет согласия)")]

    nya1 = row(reg, "НЯ-1")
    assert (nya1.full_name, nya1.birth_date, nya1.person_type, nya1.mentee_category, nya1.pd_consent_date) == (
        "Кузнецов Илья", d(2011, 5, 3), "обучающийся", "неудовлетворительные образовательные результаты",
        d(2024, 8, 20))
    assert (nya1.mentoring_consent_date, nya1.mentoring_consent) == (None, "")
    assert row(reg, "НК-1").person_type == "обучающийся" and row(reg, "НК-1").mentee_category == ""
    # ст. 351.8: not in force in 2024; НК-3 has signed it
    assert [(r.person_id, r.mentoring_consent_date, r.mentoring_consent) for r in reg.rows if r.role == "наставник"] == [
        ("НК-1", None, "не требуется"), ("НК-3", d(2024, 9, 5), ""), ("НК-5", None, "не требуется")]

    assert [(e.role, e.person_id, e.pair_ids, e.missing, e.sheet, e.row) for e in reg.excluded] == [
        ("наставник", "НК-4", ["П-4"], "нет согласия на обработку ПДн", "Наставники", 5),
        ("наставляемый", "НЯ-7", ["П-7"], "согласие датировано позже квартала (07.10.2024)", "Наставляемые", 8)]
    assert not reg.complete and reg.warnings == []
    assert (reg.quarter, reg.quarter_title, reg.period_start, reg.period_end) == (
        "2024-Q3", "III квартал 2024 г.", d(2024, 7, 1), d(2024, 9, 30))
    assert (reg.org_name, reg.short_name, reg.inn, reg.municipality) == (
        ORG_NAME, "МБОУ «СШ № 7»", "7701234567", "Тестовый муниципальный округ")
    assert reg.file_name == "Персучёт_МБОУ «СШ № 7»_2024-Q3.xlsx"


def test_fourth_quarter_2024(school) -> None:  # type: ignore[no-untyped-def]
    """Active 01.10–31.12: Г-1, П-2, П-3 (from 01.11), П-4, П-6 (from 01.10), П-7. Not П-5 (ended 30.09)."""
    reg = build_registry(school, parse_quarter("2024Q4"))
    assert [r.person_id for r in reg.rows] == ["НК-1", "НК-2", "НК-3", "НК-5",
                                               "НЯ-1", "НЯ-2", "НЯ-3", "НЯ-4", "НЯ-6", "НЯ-7"]
    assert row(reg, "НК-1").other_names == ["Кузнецов Илья", "Смирнова Ольга", "Никитин Глеб"]
    assert brief(row(reg, "НК-5")) == {
        "pairs": ["П-6"], "others": [("НЯ-6", "Лебедева Дарья")], "forms": ["ученик – ученик"],
        "variants": ["адаптированный – неадаптированный"], "start": d(2024, 10, 1), "planned": d(2025, 5, 31),
        "actual": None, "statuses": ["действует"], "outcomes": []}
    # the pair spanning two years, with its actual end in 2025
    assert brief(row(reg, "НЯ-3")) == {
        "pairs": ["П-3"], "others": [("НК-2", "Петров Пётр Петрович")], "forms": ["учитель – учитель"],
        "variants": ["опытный педагог – молодой специалист"], "start": d(2024, 11, 1), "planned": d(2025, 6, 30),
        "actual": d(2025, 4, 30), "statuses": ["завершена"], "outcomes": ["адаптирован, остаётся в школе"]}
    assert row(reg, "НК-2").mentoring_consent == "не требуется"
    assert "НЯ-5" not in {r.person_id for r in reg.rows} | {e.person_id for e in reg.excluded}
    assert [(e.person_id, e.missing) for e in reg.excluded] == [("НК-4", "нет согласия на обработку ПДн")]
    assert reg.warnings == []


def test_first_quarter_2025_and_the_employee_consent(school) -> None:  # type: ignore[no-untyped-def]
    """П-3 runs to 30.04.2025: НК-2 (педагог) needs ст. 351.8 consent from 01.03.2025 and has none."""
    reg = build_registry(school, parse_quarter("2025Q1"))
    assert [r.person_id for r in reg.rows] == ["НК-1", "НК-2", "НК-3", "НК-5",
                                               "НЯ-1", "НЯ-2", "НЯ-3", "НЯ-4", "НЯ-6", "НЯ-7"]
    assert [(r.person_id, r.mentoring_consent_date, r.mentoring_consent) for r in reg.rows if r.role == "наставник"] == [
        ("НК-1", None, "не требуется"), ("НК-2", None, "нет"), ("НК-3", d(2024, 9, 5), ""),
        ("НК-5", d(2025, 2, 20), "")]
    assert [(w.code, w.sheet, w.row, w.field) for w in reg.warnings] == [
        ("registry-mentoring-consent-missing", "Наставники", 3, "mentoring_consent_date")]
    assert "351.8" in reg.warnings[0].message and "НК-2" in reg.warnings[0].message


def test_third_quarter_2025_after_the_pair_spanning_two_years_ended(school) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2025Q3"))
    assert "НЯ-3" not in {r.person_id for r in reg.rows} and "НК-2" not in {r.person_id for r in reg.rows}
    assert reg.warnings == []


def test_a_quarter_before_any_pair_is_empty(school) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2024Q2"))
    assert reg.rows == [] and reg.excluded == [] and reg.complete


def test_a_person_missing_from_the_base_and_an_undated_pair(tmp_path: Path) -> None:
    sheets = school_sheets()
    sheets["Пары"].append(["П-8", "ученик – ученик", "равный – равному", "НК-5", "НЯ-99", D(2024, 8, 1), None, None,
                           "действует", None])
    sheets["Пары"].append(["П-9", "ученик – ученик", "равный – равному", "НК-5", "НЯ-2", "скоро", None, None,
                           "сформирована", None])
    reg = build_registry(read_book(write_book(tmp_path / "b.xlsx", sheets)), parse_quarter("2024Q3"))
    assert [(e.person_id, e.sheet, e.row) for e in reg.excluded if e.person_id == "НЯ-99"] == [("НЯ-99", "Пары", 10)]
    assert "нет в базе «Наставляемые»" in next(e.missing for e in reg.excluded if e.person_id == "НЯ-99")
    assert list(zip(row(reg, "НК-5").other_ids, row(reg, "НК-5").other_names)) == [
        ("НЯ-99", "(нет в базе)"), ("НЯ-5", "Зайцев Павел")]  # П-8 starts first
    assert [(w.code, w.row, w.value) for w in reg.warnings] == [("registry-pair-undated", 11, "скоро")]
    assert row(reg, "НЯ-2").pair_ids == ["Г-1"]


def test_ids_match_as_excel_does_and_a_person_in_both_roles(tmp_path: Path) -> None:
    sheets = school_sheets()
    sheets["Наставники"].append(["НК-6", "Смирнова Ольга", D(2011, 1, 20), "обучающийся", D(2024, 8, 21), None,
                                 "активен"])
    sheets["Пары"].append(["П-10", "ученик – ученик", "равный – равному", "нк-6 ", "ня-8", D(2024, 9, 1), None,
                           None, "действует", None])
    reg = build_registry(read_book(write_book(tmp_path / "b.xlsx", sheets)), parse_quarter("2024Q3"))
    assert row(reg, "НК-6").other_ids == ["НЯ-8"] and row(reg, "НК-6").other_names == ["(нет согласия)"]
    assert row(reg, "НЯ-2").full_name == row(reg, "НК-6").full_name == "Смирнова Ольга"
    assert ("наставляемый", "НЯ-8", "нет согласия на обработку ПДн") in {
        (e.role, e.person_id, e.missing) for e in reg.excluded}


def test_json(school) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(build_registry(school, parse_quarter("2024 Q3")).as_json())
    assert data["quarter"] == "2024-Q3" and data["inn"] == "7701234567"
    assert data["rows"][0]["pair_ids"] == ["Г-1", "П-7"] and data["rows"][0]["start_date"] == "2024-09-02"
    assert data["excluded"][0]["missing"] == "нет согласия на обработку ПДн"
    assert "full_name" not in data["excluded"][0] and "Морозова" not in json.dumps(data, ensure_ascii=False)


# --- the file name --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("МБОУ СОШ № 7", "Персучёт_МБОУ СОШ № 7_2024-Q3.xlsx"),
    ('МБОУ "СОШ №7" г. Мирный/Южный', "Персучёт_МБОУ СОШ №7 г. Мирный Южный_2024-Q3.xlsx"),
    ("Школа\\<1>|:*?", "Персучёт_Школа 1_2024-Q3.xlsx"),
    ("  Лицей\t№ 2\r\n\x00\x1f\x7f ", "Персучёт_Лицей № 2_2024-Q3.xlsx"),
    ("Ёлочка", "Персучёт_Ёлочка_2024-Q3.xlsx"),
    ("", "Персучёт_ОО_2024-Q3.xlsx"),
    ('  /:*?"<>|  ', "Персучёт_ОО_2024-Q3.xlsx"),
    ("Школа.", "Персучёт_Школа_2024-Q3.xlsx"),
])
def test_file_names(name: str, expected: str) -> None:
    assert registry_file_name(name, Quarter(2024, 3)) == expected


def test_a_long_name_is_cut_to_120_characters() -> None:
    name = registry_file_name("Муниципальное автономное общеобразовательное учреждение " * 5, Quarter(2024, 3))
    assert len(name) == 120
    assert name.startswith("Персучёт_Муниципальное автономное") and name.endswith("_2024-Q3.xlsx")
    assert " _" not in name and not set(name) & set('\\/:*?"<>|')


def test_the_file_name_is_made_on_disk(tmp_path: Path) -> None:
    for name in ('МБОУ "СОШ №7"/Южный', "Лицей\t№ 2", "А" * 300):
        (tmp_path / registry_file_name(name, Quarter(2024, 3))).write_bytes(b"")
    assert len(list(tmp_path.iterdir())) == 3


# --- the file -------------------------------------------------------------------------------------


def cells(path: Path, sheet: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(sheet).to_python()


def test_the_registry_file(school, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2024Q3"))
    path = write_registry_file(reg, tmp_path / reg.file_name)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET_NAME, EXCLUDED_SHEET_NAME]
    ws = wb[SHEET_NAME]
    assert "III квартал 2024 г." in ws["A1"].value and ORG_NAME in ws["A1"].value
    assert [c.value for c in ws[4]] == [c.out.header for c in ROW_COLUMNS]
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref == "A4:V11"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    first = [c.value for c in ws[5]]
    assert first[:7] == ["2024-Q3", ORG_NAME, "7701234567", "Тестовый муниципальный округ", "наставник", "НК-1",
                         "Орлов Олег Олегович"]
    assert first[7] == D(2007, 2, 10) and ws.cell(5, 8).number_format == "dd.mm.yyyy"
    assert first[12:15] == ["Г-1; П-7", "НЯ-1; НЯ-2; НЯ-7", "Кузнецов Илья; Смирнова Ольга; (нет согласия)"]
    assert first[15] == D(2024, 9, 2) and first[17] is None and first[21] == "не требуется"
    excluded = wb[EXCLUDED_SHEET_NAME]
    assert [[c.value for c in r] for r in excluded.iter_rows(min_row=5, max_row=6)] == [
        ["наставник", "НК-4", "нет согласия на обработку ПДн", "П-4", "Наставники", 5],
        ["наставляемый", "НЯ-7", "согласие датировано позже квартала (07.10.2024)", "П-7", "Наставляемые", 8]]
    names = {str(c.value) for r in excluded.iter_rows() for c in r}
    assert not any("Морозова" in n or "Никитин" in n for n in names)  # no names without consent
    # the same registry gives the same bytes
    again = write_registry_file(reg, tmp_path / "again.xlsx")
    assert again.read_bytes() == path.read_bytes()


def test_the_file_replaces_an_old_one_and_refuses_an_open_one(school, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2024Q4"))
    target = tmp_path / reg.file_name
    target.write_bytes(b"old")
    write_registry_file(reg, target)
    assert zipfile.is_zipfile(target)
    (tmp_path / f".~lock.{target.name}#").write_text("x")
    with pytest.raises(BookError) as exc:
        write_registry_file(build_registry(school, parse_quarter("2024Q3")), target)
    assert exc.value.code == "book-locked" and "LibreOffice" in exc.value.message
    assert cells(target, SHEET_NAME)[0][0].endswith("IV квартал 2024 г.")
    with pytest.raises(BookError) as exc:
        write_registry_file(reg, tmp_path / "нет такой папки" / "x.xlsx")
    assert "Папки" in exc.value.message


def test_the_sheet_goes_into_the_book(school, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2024Q3"))
    result = write_output_sheet(school.path, SHEET_NAME, registry_sheet(reg))
    assert not result.side_file
    again = read_book(school.path)
    assert again.table("pairs").rows == school.table("pairs").rows
    grid = cells(school.path, SHEET_NAME)
    assert grid[0][0].startswith("Персонифицированный учёт наставничества")
    assert [r[5] for r in grid[4:11]] == ["НК-1", "НК-3", "НК-5", "НЯ-1", "НЯ-2", "НЯ-4", "НЯ-5"]
    below = [r[4:10] for r in grid[12:] if any(r)]
    assert below[0][0].startswith("Не включены в учёт (III квартал 2024 г.)")
    assert below[1][:2] == ["Роль", "ID"]
    assert below[2:] == [["наставник", "НК-4", "нет согласия на обработку ПДн", "П-4", "Наставники", 5.0],
                         ["наставляемый", "НЯ-7", "согласие датировано позже квартала (07.10.2024)", "П-7",
                          "Наставляемые", 8.0]]


# --- text stays text, in LibreOffice --------------------------------------------------------------

TRICKY = ["=Иванов Иван", "+7 912 345-67-89", "-Петров", "@ник", "\tТабуляция", "\rВозврат", "=1+1",
          "=HYPERLINK(\"http://x.ru\";\"жми\")", "http://example.ru"]


def tricky_registry() -> Registry:
    rows = [RegistryRow(role="наставляемый", person_id=f"НЯ-{n}", full_name=text, outcomes=[text],
                        pair_ids=[f"П-{n}"], other_ids=["НК-1"], other_names=["-Петров"], start_date=d(2024, 9, 2),
                        pd_consent_date=d(2024, 8, 1))
            for n, text in enumerate(TRICKY, start=1)]
    return Registry(quarter="2024-Q3", quarter_title="III квартал 2024 г.", period_start=d(2024, 7, 1),
                    period_end=d(2024, 9, 30), org_name="=ООО «Ромашка»", municipality="@район", rows=rows,
                    excluded=[ExcludedPerson(role="наставник", person_id="=НК-9", missing="нет согласия на обработку ПДн",
                                             sheet="Наставники", row=7)])


ODS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
       "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
       "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}


def _ods_text(el: ET.Element) -> str:
    """A cell's text as LibreOffice wrote it: <text:tab/>, <text:s/> and line breaks included
    (python-calamine drops a tab, so the .ods is read here)."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tab":
            parts.append("\t")
        elif tag == "s":
            parts.append(" " * int(child.get(f"{{{ODS['text']}}}c", "1")))
        elif tag == "line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def ods_cells(path: Path, sheet: str, rows: int = 40, cols: int = 30) -> list[list[tuple[str, str]]]:
    """(value type, text) of the sheet's top-left cells in an .ods file."""
    t = f"{{{ODS['table']}}}"
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("content.xml"))
    table = next(el for el in root.iter(f"{t}table") if el.get(f"{t}name") == sheet)
    grid: list[list[tuple[str, str]]] = []
    for tr in table.iter(f"{t}table-row"):
        line: list[tuple[str, str]] = []
        for tc in tr:
            kind = tc.get(f"{{{ODS['office']}}}value-type", "")
            text = "\n".join(_ods_text(p) for p in tc if p.tag == f"{{{ODS['text']}}}p")
            line += [(kind, text)] * min(int(tc.get(f"{t}number-columns-repeated", "1")), cols)
        grid += [line[:cols]] * min(int(tr.get(f"{t}number-rows-repeated", "1")), rows)
        if len(grid) >= rows:
            break
    return grid[:rows]


@pytest.mark.libreoffice
def test_text_stays_text_through_libreoffice(soffice: str, tmp_path: Path) -> None:
    path = write_registry_file(tricky_registry(), tmp_path / "tricky.xlsx")
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
        assert not any("hyperlink" in n for n in z.namelist())
    body = range(4, 4 + len(TRICKY))

    ods = recalc(path, tmp_path / "ods", "ods")
    assert error_cells(ods) == []
    grid = ods_cells(ods, SHEET_NAME)
    for col in (6, 19):  # ФИО, Результат
        assert [grid[r][col] for r in body] == [("string", t) for t in TRICKY]
    assert grid[4][1] == ("string", "=ООО «Ромашка»") and grid[4][3] == ("string", "@район")
    assert grid[4][14] == ("string", "-Петров")
    assert ods_cells(ods, EXCLUDED_SHEET_NAME)[4][1] == ("string", "=НК-9")

    xlsx = recalc(path, tmp_path / "xlsx", "xlsx")
    assert error_cells(xlsx) == []
    ws = openpyxl.load_workbook(xlsx)[SHEET_NAME]
    for col in (7, 20):
        assert [(ws.cell(r + 1, col).value, ws.cell(r + 1, col).data_type) for r in body] == [(t, "s") for t in TRICKY]
    assert all(ws.cell(r + 1, 7).hyperlink is None for r in body)


@pytest.mark.libreoffice
def test_formula_like_names_from_a_book(soffice: str, tmp_path: Path) -> None:
    sheets = school_sheets()
    sheets["Наставляемые"][1][1] = "=Кузнецов Илья"
    sheets["Наставляемые"][2][1] = "@Смирнова"
    sheets["Наставники"][1][1] = "+Орлов"
    sheets["Пары"][4][9] = "-отлично"
    book_path = write_book(tmp_path / "b.xlsx", sheets)
    as_text(book_path, {"Наставляемые": {"B2"}})
    reg = build_registry(read_book(book_path), parse_quarter("2024Q4"))
    assert row(reg, "НЯ-1").full_name == "=Кузнецов Илья" and row(reg, "НК-1").other_names[:2] == [
        "=Кузнецов Илья", "@Смирнова"]
    out = recalc(write_registry_file(reg, tmp_path / reg.file_name), tmp_path / "calc", "xlsx")
    assert error_cells(out) == []
    grid = cells(out, SHEET_NAME)
    found = {r[6] for r in grid[4:]} | {r[14] for r in grid[4:]} | {r[19] for r in grid[4:]}
    assert {"=Кузнецов Илья", "@Смирнова", "+Орлов", "-отлично"} <= found


def as_text(path: Path, where: dict[str, set[str]]) -> None:
    """openpyxl takes a string starting with «=» for a formula: make those cells text, as a curator's book has."""
    wb = openpyxl.load_workbook(path)
    for sheet, refs in where.items():
        for ref in refs:
            wb[sheet][ref].data_type = "s"
    wb.save(path)


@pytest.mark.libreoffice
def test_the_registry_in_libreoffice(soffice: str, school, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = build_registry(school, parse_quarter("2025Q1"))
    path = write_registry_file(reg, tmp_path / reg.file_name)
    assert error_cells(recalc(path, tmp_path / "calc", "xlsx")) == []
    pngs = render_png(path, tmp_path / "png", [SHEET_NAME, EXCLUDED_SHEET_NAME], dpi=60)
    assert all(p.stat().st_size > 5000 for p in pngs)
    write_output_sheet(school.path, SHEET_NAME, registry_sheet(reg))
    assert error_cells(recalc(school.path, tmp_path / "book", "xlsx"), [SHEET_NAME]) == []


# --- the command -------------------------------------------------------------------------------


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_cli_writes_the_file_beside_the_book_and_exits_1_for_missing_consent(school) -> None:  # type: ignore[no-untyped-def]
    result = _cli("registry", school.path, "--quarter", "2024Q3", "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    written = Path(data["file"])
    expected = build_registry(school, parse_quarter("2024Q3")).file_name
    assert written.parent == school.path.parent and written.name == expected and expected.startswith("Персучёт_")
    assert written.exists() and data["excluded"]


def test_cli_bad_quarter_is_exit_2(school) -> None:  # type: ignore[no-untyped-def]
    for quarter in ("2024Q5", "2031Q1"):
        result = _cli("registry", school.path, "--quarter", quarter)
        assert result.returncode == 2 and "квартал" in result.stderr and "Traceback" not in result.stderr
