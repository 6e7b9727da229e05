"""The municipal and regional summary (issue 16), checked figure by figure on hand-built books.

The folder built by ``summary_folder`` holds, for the fourth quarter of 2024:

* «школа-7.xlsx» (A) — the clean book of ``validate_books`` with ИНН 7700000007;
* «гимназия-2.xlsx» (B) — another school of the same municipality with its own targets, a group
  pair, a mentee without consent, and the mentor «Петров Пётр Петрович» (04.03.1980) of A;
* «школа-7-старая.xlsx» (C) — an older copy of A (same ИНН, one pair fewer): set aside;
* «Персучёт_СОШ3_2024-Q4.xlsx» (D) — the exported registry of a third school, another municipality;
* «Персучёт_СОШ3_2024-Q3.xlsx» — the same school's export of the third quarter: set aside;
* a broken, an encrypted and a foreign book (unreadable), and an Excel lock file (skipped).

Every expected number below was worked out by hand from those rows (see the comments).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from books import write_book
from calc_engine import error_cells, render_png
from msoffcrypto.format.ooxml import OOXMLFile
from python_calamine import CalamineWorkbook
from validate_books import clean_sheets

from nastavnik_xl.actions.registry import build_registry, parse_quarter
from nastavnik_xl.actions.summary.collect import collect, needs
from nastavnik_xl.actions.summary.duplicates import one_per_organisation
from nastavnik_xl.actions.summary.model import BOOK, EXPORT, OrgCard, OrgSummary, month_period
from nastavnik_xl.actions.summary.report import summary_json
from nastavnik_xl.actions.summary.run import Summary, resolve_period, summarise
from nastavnik_xl.actions.validate import validate_book
from nastavnik_xl.book.fast import WHOLE, read_fast
from nastavnik_xl.book.output.registry_sheet import write_registry_file
from nastavnik_xl.book.output.summary_book import write_registry_book, write_summary_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import SHEETS_BY_KEY

D = dt.datetime
PERIOD = "2024Q4"
ON = dt.date(2024, 12, 31)
TEST_MO, SECOND_MO = "Тестовый муниципальный округ", "Второй муниципальный округ"
Sheets = dict[str, list[list[Any]]]


# --- the books ----------------------------------------------------------------------------------


def _card(sheets: Sheets, name: str, inn: str, municipality: str, kind: str) -> None:
    rows = sheets["Организация"]
    rows[2] = ["Полное наименование ОО", name]
    rows[3] = ["Муниципальное образование", municipality]
    rows.insert(3, ["ИНН", inn])
    rows.insert(4, ["Тип ОО", kind])


def school_a() -> Sheets:
    sheets = clean_sheets()
    _card(sheets, "МБОУ «Средняя общеобразовательная школа № 7»", "7700000007", TEST_MO, "СОШ")
    return sheets


def school_b() -> Sheets:
    sheets = clean_sheets()
    _card(sheets, "МБОУ «Гимназия № 2»", "7700000002", TEST_MO, "гимназия")
    org = sheets["Организация"]
    org[-2:] = [[2023, 390, 195, 30, 3], [2024, 400, 200, 30, 3]]
    sheets["Наставники"][1:] = [
        ["НК-1", "Петров Пётр Петрович", D(1980, 3, 4), "сотрудник предприятия", "инженер", 20, "+7 (912) 345-67-89",
         "работодатель – ученик", 4, D(2024, 1, 10), D(2024, 1, 10), "активен"],
    ]
    sheets["Наставляемые"][1:] = [
        ["НЯ-1", "Белова Анна", D(2010, 2, 2), "обучающийся", "8 «А»", "профессия", D(2024, 9, 1), D(2024, 9, 5),
         "в паре"],
        ["НЯ-2", "Новиков Кирилл", D(2010, 3, 3), "обучающийся", "8 «А»", "профессия", None, D(2024, 9, 5), "в паре"],
        ["НЯ-3", "Зайцева Ольга", D(2011, 4, 4), "обучающийся", "7 «Б»", "профессия", D(2024, 1, 20), D(2024, 1, 25),
         "завершил программу"],
    ]
    sheets["Пары"][1:] = [  # П-1: a group of two (one pair); П-2 ended in June
        ["П-1", "работодатель – ученик", "профессионал – ученик", "НК-1", "НЯ-1", D(2024, 9, 15), D(2025, 5, 31), None,
         "действует"],
        ["П-1", "работодатель – ученик", "профессионал – ученик", "НК-1", "НЯ-2", D(2024, 9, 15), D(2025, 5, 31), None,
         "действует"],
        ["П-2", "работодатель – ученик", "профессионал – ученик", "НК-1", "НЯ-3", D(2024, 2, 1), D(2024, 6, 30),
         D(2024, 6, 30), "завершена"],
    ]
    sheets["Встречи"][1:] = [["В-1", "П-1", "групповая встреча", D(2024, 10, 10)],
                             ["В-2", "П-1", "совместная работа", D(2024, 11, 10)],
                             ["В-3", "П-2", "встреча-знакомство", D(2024, 3, 1)]]
    answers = [["А-1", "удовлетворённость", "промежуточный", "НЯ-1", "наставляемый", "П-1", D(2024, 11, 15),
                "Насколько полезны встречи?", 6, None],
               ["А-2", "удовлетворённость", "промежуточный", "НЯ-2", "наставляемый", "П-1", D(2024, 10, 20),
                "Насколько полезны встречи?", 10, None],
               ["А-3", "влияние программы (вход/выход)", "вход", "НЯ-1", "наставляемый", "П-1", D(2024, 11, 15),
                "Насколько ясна профессия?", 3, None],
               ["А-4", "удовлетворённость", "выход", "НЯ-3", "наставляемый", "П-2", D(2023, 5, 1),
                "Насколько полезны встречи?", 9, None]]
    sheets["Анкеты"][1:] = answers
    sheets["Дорожная карта"][1:] = [["1", "Издать приказ", D(2024, 9, 30), "выполнено", D(2024, 9, 20)],
                                    ["2", "Провести педсовет", D(2024, 11, 30), "в работе", None],
                                    ["3", "Экскурсия на завод", D(2024, 10, 31), "отменено", None]]
    sheets["Целевые показатели"] = [["Год", "Категория", "Цель, %"], [2024, "обучающиеся", 0.01],
                                    [2024, "педагоги", 0.1]]
    return sheets


def school_c() -> Sheets:
    """An older copy of A: the same ИНН, without the pair П-3."""
    sheets = school_a()
    sheets["Пары"] = [r for r in sheets["Пары"] if r[0] != "П-3"]
    return sheets


def school_d() -> Sheets:
    sheets = clean_sheets()
    _card(sheets, "МБОУ «СОШ № 3»", "7700000003", SECOND_MO, "СОШ")
    names = {"НК-1": "Соколов Олег Ильич", "НК-2": "Белов Андрей", "НК-3": "Лебедева Ирина Павловна",
             "НЯ-1": "Морозов Лев", "НЯ-2": "Морозова Вера", "НЯ-3": "Павлов Артём"}
    for key in ("Наставники", "Наставляемые"):
        for row in sheets[key][1:]:
            row[1] = names[row[0]]
    return sheets


def _export(sheets: Sheets, quarter: str, folder: Path, name: str) -> Path:
    book = read_book(write_book(folder / f".{name}.source.xlsx", sheets))
    path = write_registry_file(build_registry(book, parse_quarter(quarter)), folder / name)
    (folder / f".{name}.source.xlsx").unlink()
    return path


def _encrypted(folder: Path) -> Path:
    plain = write_book(folder / ".plain.xlsx", school_a())
    locked = folder / "с-паролем.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("секрет", dst)
    plain.unlink()
    return locked


def _foreign(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Лист1"
    wb.active.append(["Фамилия", "Класс", "Оценка"])
    wb.active.append(["Иванов", "5А", 5])
    wb.save(folder / "чужая.xlsx")
    return folder / "чужая.xlsx"


def _set_mtime(path: Path, when: D) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def build_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_book(folder / "школа-7.xlsx", school_a())
    write_book(folder / "гимназия-2.xlsx", school_b())
    _set_mtime(write_book(folder / "школа-7-старая.xlsx", school_c()), D(2024, 6, 1, 12, 0))
    _export(school_d(), "2024Q4", folder, "Персучёт_СОШ3_2024-Q4.xlsx")
    _export(school_d(), "2024Q3", folder, "Персучёт_СОШ3_2024-Q3.xlsx")
    (folder / "сломанная.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    _encrypted(folder)
    _foreign(folder)
    (folder / "~$школа-7.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file: skipped silently
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_folder(tmp_path_factory.mktemp("summary") / "книги")


@pytest.fixture(scope="module")
def summary(folder: Path) -> Summary:
    return summarise([folder], PERIOD, jobs=2)


def _org(summary: Summary, file: str) -> OrgSummary:
    return next(o for o in summary.orgs if Path(o.source).name == file)


# --- figures ----------------------------------------------------------------------------------------


def test_files_used_unreadable_and_set_aside(summary: Summary) -> None:
    assert summary.files == 8  # the lock file is not among them
    assert [Path(o.source).name for o in summary.orgs] == [
        "Персучёт_СОШ3_2024-Q4.xlsx", "гимназия-2.xlsx", "школа-7.xlsx"]  # Второй МО first, then by name
    assert {Path(u.source).name: u.code for u in summary.unreadable} == {
        "сломанная.xlsx": "damaged", "с-паролем.xlsx": "encrypted", "чужая.xlsx": "missing-sheet"}
    messages = {Path(u.source).name: u.message for u in summary.unreadable}
    assert "повреждён" in messages["сломанная.xlsx"] and "паролем" in messages["с-паролем.xlsx"]
    assert "нет листа" in messages["чужая.xlsx"]
    assert summary.exit_code == 1


def test_the_newer_book_of_an_organisation_wins(summary: Summary) -> None:
    aside = {Path(a.org.source).name: a for a in summary.set_aside}
    old = aside["школа-7-старая.xlsx"]
    assert Path(old.kept).name == "школа-7.xlsx"
    assert "тот же ИНН 7700000007" in old.reason and "«школа-7.xlsx»" in old.reason and "01.06.2024" in old.reason


def test_an_export_of_another_quarter_is_set_aside(summary: Summary) -> None:
    aside = {Path(a.org.source).name: a for a in summary.set_aside}
    q3 = aside["Персучёт_СОШ3_2024-Q3.xlsx"]
    assert q3.kept == "" and "III квартал 2024 г." in q3.reason and "IV квартал 2024 г." in q3.reason
    assert len(summary.set_aside) == 2


def test_school_a(summary: Summary) -> None:
    a = _org(summary, "школа-7.xlsx")
    assert a.kind == BOOK and a.card.inn == "7700000007" and a.card.org_type == "СОШ" and a.card.reporting_year == 2024
    assert a.contingent == {"students_total": 520, "students_10_19": 310, "teachers": 42, "young_specialists": 6}
    # 2024: НЯ-1 (П-1 to 25.05.2024) and НЯ-2 (П-3 from 01.10.2024) of 310 aged 10–19; target 70 % → 217 people
    students = a.group(2024, "students")
    assert (students.contingent, students.covered, students.wanted, students.target) == (310, 2, 217, 0.7)
    assert students.met is False
    # teachers: НЯ-3 (молодой специалист, П-2) of 42; no target for 2024 in the programme
    teachers = a.group(2024, "teachers")
    assert (teachers.contingent, teachers.covered, teachers.wanted) == (42, 1, None)
    # 2023: only НЯ-1 (П-1 from 01.12.2023) of 300; target 50 % → 150
    assert (a.group(2023, "students").covered, a.group(2023, "students").wanted) == (1, 150)
    assert a.group(2021, "students").contingent == 0  # no contingent for 2021 in the book
    # Q4 2024: П-2 and П-3 (П-1 ended in May)
    assert a.pairs == 2 and a.pairs_by_form == {"учитель – учитель": 1, "работодатель – ученик": 1}
    assert a.pairs_by_status == {"действует": 2}
    assert a.meetings == 2  # В-3 (03.10.2024), В-5 (04.10.2024)
    assert (a.roadmap.items, a.roadmap.done, a.roadmap.overdue) == (2, 1, 0)
    assert a.satisfaction == (8.0, 1)  # А-1, 20.05.2024
    assert (a.mentors, a.mentees) == (3, 3)
    assert a.validation.checked is False and a.validation.errors == 0
    assert sorted(p.person_id for p in a.registry.rows) == ["НК-1", "НК-3", "НЯ-2", "НЯ-3"]


def test_school_b(summary: Summary) -> None:
    b = _org(summary, "гимназия-2.xlsx")
    # 2024: all three mentees had a pair in 2024 (П-1 group from 15.09, П-2 February–June) of 200; the book's
    # own target 1 % → 2 people: met
    students = b.group(2024, "students")
    assert (students.contingent, students.covered, students.wanted, students.met) == (200, 3, 2, True)
    teachers = b.group(2024, "teachers")  # nobody of 30; target 10 % → 3 people
    assert (teachers.contingent, teachers.covered, teachers.wanted, teachers.met) == (30, 0, 3, False)
    assert b.group(2023, "students").wanted is None  # the book sets no target for 2023
    assert b.pairs == 1 and b.pairs_by_form == {"работодатель – ученик": 1}  # the group П-1 is one pair
    assert b.meetings == 2
    assert (b.roadmap.items, b.roadmap.done, b.roadmap.overdue) == (2, 1, 1)  # the cancelled item is not counted
    assert b.satisfaction == (16.0, 2)  # А-1 and А-2; А-3 is another survey, А-4 is of 2023
    assert [p.person_id for p in b.registry.rows] == ["НК-1", "НЯ-1"]
    assert [e.person_id for e in b.registry.excluded] == ["НЯ-2"]  # no consent


def test_the_export(summary: Summary) -> None:
    d = _org(summary, "Персучёт_СОШ3_2024-Q4.xlsx")
    assert d.kind == EXPORT and d.card.inn == "7700000003" and d.card.municipality == SECOND_MO
    assert (d.mentors, d.mentees, d.pairs) == (2, 2, 2)
    assert d.pairs_by_form == {"учитель – учитель": 1, "работодатель – ученик": 1}
    assert d.pairs_by_status == {"действует": 2}
    assert d.coverage == () and d.meetings is None and d.roadmap is None
    assert sorted(p.full_name for p in d.registry.rows) == [
        "Лебедева Ирина Павловна", "Морозова Вера", "Павлов Артём", "Соколов Олег Ильич"]


def test_municipality_subtotals_sum_people_then_divide(summary: Summary) -> None:
    assert [m.name for m in summary.municipalities] == [SECOND_MO, TEST_MO]
    second, test = summary.municipalities
    assert (second.orgs, second.books, second.exports, second.pairs) == (1, 0, 1, 2)
    assert second.group("students").share is None  # an export gives no coverage
    assert (test.orgs, test.books, test.exports) == (2, 2, 0)
    s = test.group("students")
    assert (s.contingent, s.covered, s.wanted, s.target_contingent) == (510, 5, 219, 510)
    assert s.share == pytest.approx(5 / 510) and s.target == pytest.approx(219 / 510)  # not (2/310 + 3/200) / 2
    assert (s.with_target, s.missing, s.short) == (2, 1, 215)  # A lacks 215; B's surplus does not make up for it
    t = test.group("teachers")
    assert (t.contingent, t.covered, t.wanted, t.target_contingent, t.missing, t.short) == (72, 1, 3, 30, 1, 3)
    assert t.target == pytest.approx(0.1)
    assert (test.pairs, dict(test.pairs_by_form)) == (3, {"учитель – учитель": 1, "работодатель – ученик": 2})
    assert (test.meetings, test.roadmap_items, test.roadmap_done, test.roadmap_overdue) == (4, 4, 2, 1)
    assert test.satisfaction == pytest.approx(24 / 3)  # (8 + 6 + 10) / 3 answers, not the mean of 8 and 8
    assert (test.mentors, test.mentees, test.people_elsewhere) == (4, 6, 2)


def test_the_region(summary: Summary) -> None:
    r = summary.region
    assert (r.orgs, r.books, r.exports) == (3, 2, 1)
    assert (r.group("students").covered, r.group("students").contingent) == (5, 510)
    assert r.pairs == 5 and dict(r.pairs_by_form) == {"учитель – учитель": 2, "работодатель – ученик": 3}
    assert dict(r.pairs_by_status) == {"действует": 5}
    assert (r.meetings, r.satisfaction_count, r.mentors, r.mentees) == (4, 3, 6, 8)
    by_year = {(y.year, y.group): y.total for y in summary.years}
    assert [y for y, g in by_year if g == "students"] == [2020, 2021, 2022, 2023, 2024]
    y2023 = by_year[(2023, "students")]  # A: 1 of 300 (target 150); B: 0 of 195 (no target)
    assert (y2023.contingent, y2023.covered, y2023.wanted, y2023.target_contingent) == (495, 1, 150, 300)


def test_a_person_in_two_organisations_is_flagged_never_merged(summary: Summary) -> None:
    reg = summary.registry
    assert len(reg.participants) == 10  # A 4, B 2, D 4: nobody merged
    assert len(reg.repeated) == 1
    person = reg.repeated[0]
    assert (person.full_name, person.birth_date) == ("Петров Пётр Петрович", dt.date(1980, 3, 4))
    assert sorted(reg.orgs[o].inn for o, _, _ in person.places) == ["7700000002", "7700000007"]
    flagged = [p for p in reg.participants if p.also_in]
    assert len(flagged) == 2 and {p.person.person_id for p in flagged} == {"НК-1"}
    assert [summary.elsewhere(i) for i in range(3)] == [0, 1, 1]
    assert [(reg.orgs[x.org].inn, x.person.person_id) for x in reg.left] == [("7700000002", "НЯ-2")]


# --- the files ------------------------------------------------------------------------------------------


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


PEOPLE = ("Петров", "Кузнецов", "Смирнова", "Волков", "Орлова", "Белова", "Новиков", "Соколов", "Морозова", "НК-1",
          "НЯ-2")


def test_the_summary_book_holds_aggregates_only(summary: Summary, tmp_path: Path) -> None:
    path = write_summary_book(summary, tmp_path / "сводка.xlsx")
    sheets = _cells(path)
    assert list(sheets) == ["Свод", "Муниципалитеты", "Организации", "По годам", "Не прочитаны", "Отложены"]
    text = " ".join(str(c) for rows in sheets.values() for row in rows for c in row)
    assert not [p for p in PEOPLE if p in text]
    orgs = sheets["Организации"]
    header = orgs[3]
    total = next(r for r in orgs if r[0] == "Итого по региону")
    col = {h: i for i, h in enumerate(header)}
    assert total[col["Обучающиеся: охвачено, чел."]] == 5 and total[col["Обучающиеся: контингент, чел."]] == 510
    assert total[col["Обучающиеся: не хватает до цели, чел."]] == 215
    assert total[col["Обучающиеся: цель достигнута"]] == "не достигнута в 1 из 2"
    a = next(r for r in orgs if r[1] == "МБОУ «Средняя общеобразовательная школа № 7»")
    assert a[col["Обучающиеся: цель достигнута"]] == "нет" and a[col["Пары: учитель – учитель"]] == 1
    subtotal = next(r for r in orgs if r[0] == TEST_MO and str(r[1]).startswith("Итого"))
    assert subtotal[col["Пар и групп в периоде"]] == 3
    assert [r[3] for r in sheets["Не прочитаны"][4:]] and len(sheets["Не прочитаны"]) == 7
    assert sum(1 for r in sheets["Отложены"][4:] if r[0]) == 2


def test_the_consolidated_registry_has_the_names(summary: Summary, tmp_path: Path) -> None:
    path = write_registry_book(summary, tmp_path / "персучёт.xlsx")
    sheets = _cells(path)
    assert list(sheets) == ["Персонифицированный учёт", "Повторы", "Без согласия"]
    rows = sheets["Персонифицированный учёт"]
    header = rows[3]
    people = [dict(zip(header, r)) for r in rows[4:]]
    assert len(people) == 10
    petrov = [p for p in people if p["ФИО"] == "Петров Пётр Петрович"]
    assert len(petrov) == 2 and all(p["Есть и в других ОО (ФИО и дата рождения)"] for p in petrov)
    assert {p["ИНН"] for p in petrov} == {"7700000002", "7700000007"}
    assert [r[0] for r in sheets["Повторы"][4:]] == ["Петров Пётр Петрович"] * 2
    left = sheets["Без согласия"][4:]
    assert len(left) == 1 and "Новиков" not in " ".join(map(str, left[0]))


def test_validation_is_optional_and_counts_what_validate_book_counts(folder: Path) -> None:
    period = resolve_period(PERIOD)
    for name in ("школа-7.xlsx", "гимназия-2.xlsx"):
        report = validate_book(read_book(folder / name), ON)
        result = collect(folder / name, period, validate=True)
        assert result.validation.checked and (result.validation.errors, result.validation.warnings) == (
            report.errors, report.warnings)
        fast = collect(folder / name, period)
        assert (fast.coverage, fast.pairs_by_form, fast.meetings, fast.satisfaction) == (
            result.coverage, result.pairs_by_form, result.meetings, result.satisfaction)


def test_periods() -> None:
    q = resolve_period("3 кв. 2024")
    assert (q.first, q.last, q.on, q.label, q.is_quarter) == (dt.date(2024, 7, 1), dt.date(2024, 9, 30),
                                                              dt.date(2024, 9, 30), "2024-Q3", True)
    m = resolve_period(date=dt.date(2024, 2, 25))
    assert (m.first, m.last, m.on, m.label, m.title, m.quarter_label) == (
        dt.date(2024, 2, 1), dt.date(2024, 2, 29), dt.date(2024, 2, 25), "2024-02", "февраль 2024 г.", "2024-Q1")
    assert resolve_period().label == month_period(dt.date.today()).label
    with pytest.raises(BookError) as both:
        resolve_period("2024Q3", dt.date(2024, 9, 1))
    assert both.value.code == "usage"
    with pytest.raises(BookError):
        resolve_period("2024Q5")


def test_no_books_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(BookError) as err:
        summarise([tmp_path], PERIOD, jobs=1)
    assert err.value.code == "usage" and "Не найдено" in err.value.message


def _org_stub(name: str, inn: str, municipality: str, modified: D, year: int = 2024) -> OrgSummary:
    return OrgSummary(source=f"/книги/{name}-{inn}-{modified:%m%d}.xlsx", kind=BOOK, modified=modified,
                      card=OrgCard(org_name=name, inn=inn, municipality=municipality, reporting_year=year))


def test_organisations_are_matched_by_inn_else_by_name_and_municipality() -> None:
    old, new = D(2024, 5, 1), D(2024, 11, 1)
    orgs = [
        _org_stub("МБОУ «СОШ № 1»", "7700000001", "Город", old),
        _org_stub("мбоу сош №1", "", "город", new),  # no ИНН: the same name and municipality → the same school
        _org_stub("МБОУ «СОШ № 1»", "7700000099", "Город", new),  # another ИНН: another school, same name
        _org_stub("МБОУ «СОШ № 1»", "", "Посёлок", new),  # another municipality
        _org_stub("МБОУ «Лицей»", "", "Город", old, 2023),
        _org_stub("МБОУ «ЛИЦЕЙ»", "", "ГОРОД", old, 2024),  # same time: the later reporting year wins
    ]
    kept, aside = one_per_organisation(orgs)
    assert kept == [orgs[1], orgs[2], orgs[3], orgs[5]]
    assert sorted(a.org.source for a in aside) == sorted([orgs[0].source, orgs[4].source])
    assert "то же наименование и муниципальное образование" in aside[0].reason


# --- the fast reader and a worker that dies ---------------------------------------------------------------


def messy_sheets() -> Sheets:
    """Headers by synonyms and out of order, dates as text, numbers as text, list synonyms, blank rows."""
    sheets = copy.deepcopy(school_b())
    sheets["Пары"] = [
        ["№ пары", "Дата формирования", "Форма", "Код наставника", "Код наставляемого", "Лишний столбец", "Окончание факт",
         "Статус"],
        [1, 2, 3, 4, 5, 6, 7, 8],  # the column numbers of an official form
        ["П-1", "15.09.2024", "работодатель - ученик", "НК-1", "НЯ-1", "x", None, "активна"],
        [None, None, None, None, None, "только лишний", None, None],
        ["П-2", 45352.0, "Работодатель – Ученик", " НК-1 ", "НЯ-3", None, "30 июня 2024 г.", "закончена"],
        ["П-3", "когда-то", "учитель", "НК-1", "НЯ-2", None, "31.02.2024", "???"],
    ]
    return sheets


def test_the_fast_reader_reads_what_the_reader_reads(tmp_path: Path) -> None:
    path = write_book(tmp_path / "messy.xlsx", messy_sheets())
    every = {k: (WHOLE if k == "organisation" else tuple(c.field for c in s.columns)) for k, s in SHEETS_BY_KEY.items()}
    for wanted in (every, needs(True)):
        fast, full = read_fast(path, wanted), read_book(path)
        for key, table in fast.tables.items():
            fields = set(wanted[key]) if wanted[key] != WHOLE else None
            rows = [{k: v for k, v in r.items() if fields is None or k in fields or k == "_row"}
                    for r in full.tables[key].rows]
            rows = [r for r in rows if any(v not in (None, "") for k, v in r.items() if k != "_row")]
            assert table.rows == rows, key
            expected = [f for f in full.tables[key].findings if fields is None or f.field in fields]
            expected = [f for f in expected if f.code != "duplicate-column"]
            assert table.findings == expected, key


def _far_cell_book(path: Path, dimension: str | None) -> Path:
    """A valid school book whose «Организация» has a value in XFD1048576; ``dimension`` rewrites its <dimension>."""
    write_book(path, school_a())
    wb = openpyxl.load_workbook(path)
    wb["Организация"]["XFD1048576"] = " "
    wb.save(path)
    if dimension is not None:
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), parts[sheet])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


def test_a_far_stray_cell_is_refused_before_calamine_loads_it(tmp_path: Path) -> None:
    with pytest.raises(BookError) as err:
        read_fast(_far_cell_book(tmp_path / "далеко.xlsx", None), needs(False))
    assert err.value.code == "sheet-too-big" and "Ctrl+End" in err.value.message


def test_a_worker_that_dies_on_a_book_costs_only_that_book(tmp_path: Path) -> None:
    """A book that lies in its <dimension> gets past the cheap guard; calamine aborts its process."""
    folder = tmp_path / "книги"
    folder.mkdir()
    write_book(folder / "школа-7.xlsx", school_a())
    write_book(folder / "гимназия-2.xlsx", school_b())
    _far_cell_book(folder / "ловушка.xlsx", "A1:E12")
    result = summarise([folder], PERIOD, jobs=2)
    assert sorted(Path(o.source).name for o in result.orgs) == ["гимназия-2.xlsx", "школа-7.xlsx"]
    assert [(Path(u.source).name, u.code) for u in result.unreadable] == [("ловушка.xlsx", "crashed")]
    assert "аварийно" in result.unreadable[0].message


# --- LibreOffice ----------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_the_summary_opens_in_libreoffice_without_error_cells(soffice: str, summary: Summary, tmp_path: Path) -> None:
    path = write_summary_book(summary, tmp_path / "сводка.xlsx")
    assert error_cells(path) == []
    pngs = render_png(path, tmp_path / "png", ["Свод"])
    assert pngs[0].stat().st_size > 20_000  # the key figures and three charts


@pytest.mark.libreoffice
def test_the_demo_region_summary_in_libreoffice(soffice: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    demo = tmp_path / "демо"
    subprocess.run([sys.executable, "-m", "nastavnik_xl", "demo", str(demo), "--schools", "4", "--format", "json"],
                   check=True, capture_output=True, timeout=300)
    books = sorted(demo.glob("school-*.xls*"))
    result = summarise(books, date=dt.date(2026, 11, 25), jobs=2)
    assert len(result.orgs) == 4 and not result.unreadable
    assert result.region.group("students").covered > 0 and result.region.pairs > 0
    path = write_summary_book(result, tmp_path / "сводка-демо.xlsx")
    write_registry_book(result, tmp_path / "персучёт-демо.xlsx")
    assert error_cells(path) == []
    pngs = render_png(path, tmp_path / "png", ["Свод", "Муниципалитеты"])
    assert all(p.stat().st_size > 10_000 for p in pngs)


def test_text_stays_text(tmp_path: Path) -> None:
    source = write_book(tmp_path / "формула.xlsx", school_a())
    wb = openpyxl.load_workbook(source)
    name = wb["Организация"]["B3"]
    name.value, name.data_type = '=HYPERLINK("http://x";"школа")', "s"  # typed as text in the school's book
    wb.save(source)
    result = summarise([tmp_path], PERIOD, jobs=1)
    path = write_summary_book(result, tmp_path / "сводка.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet_xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml
    assert "=HYPERLINK" in " ".join(str(c) for r in _cells(path)["Организации"] for c in r)


def test_json_holds_aggregates_only(summary: Summary) -> None:
    data = summary.as_json()
    assert data == summary_json(summary)
    text = json.dumps(data, ensure_ascii=False)
    assert not [p for p in PEOPLE if p in text]
    assert data["period"]["label"] == "2024-Q4" and data["exit_code"] == 1
    assert data["region"]["groups"]["students"]["covered"] == 5
    a = next(o for o in data["organisations"] if o["source"].endswith("школа-7.xlsx"))
    assert a["registry_people"] == 4 and a["people_also_in_other_organisations"] == 1
    assert data["people_in_several_organisations"] == 1 and len(data["unreadable"]) == 3
