"""Every button's action and every worksheet function through xlwings' remote engine.

The remote engine (``xw.Book(json=payload)``) stands in for Excel: the payload is shaped as xlwings'
VBA client sends it (``{"client": "VBA", "version", "book", "names", "sheets": [{"name", "pictures",
"tables", "values"}]}``: values from A1 to the last used cell, dates as ISO text with «Z», empty cells
null), and the tests assert on ``book.json()["actions"]``: the values written, the sheet added, the
selection, the message boxes. ``Book.set_mock_caller()`` makes the book what ``xw.Book.caller()`` returns,
so the buttons' entry point and the functions run exactly as Excel calls them.

xlwings PRO's remote engine needs ``XLWINGS_LICENSE_KEY`` before xlwings is imported: ``noncommercial``
(PolyForm Noncommercial 1.0.0, which permits educational and government institutions).
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from excel_payload import excel_value, payload  # noqa: F401 — payload is also used by other tests

from nastavnik_xl.actions.coverage import pair_active_in
from nastavnik_xl.actions.coverage_report import coverage_report
from nastavnik_xl.actions.registry import Quarter, build_registry
from nastavnik_xl.actions.template import new_book
from nastavnik_xl.actions.validate import validate_book
from nastavnik_xl.book.output.check_sheet import HEADER_AT as CHECK_HEADER
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.excel import dispatch, udfs
from nastavnik_xl.excel.buttons import BUTTONS
from nastavnik_xl.rules.people import id_key

assert "remote" in [e.name for e in xw.engines], "xlwings was imported before XLWINGS_LICENSE_KEY was set"
from xlwings.server import custom_functions_call, custom_functions_meta

TODAY = dt.date(2026, 11, 20)


# --- payloads as Excel sends them ----------------------------------------------------------------


def remote_book(data: dict[str, Any]) -> xw.Book:
    """The book of one request (the engine edits its JSON as the script runs, so each gets its own copy)."""
    book = xw.Book(json=copy.deepcopy(data))
    book.set_mock_caller()
    return book


def actions(book: xw.Book, func: str | None = None) -> list[dict[str, Any]]:
    found = book.json()["actions"]
    return [a for a in found if func is None or a["func"] == func]


def alerts(book: xw.Book) -> list[tuple[str, str]]:
    """(text, mode) of every message box."""
    return [(a["args"][0], a["args"][3]) for a in actions(book, "alert")]


def written(book: xw.Book) -> list[list[Any]]:
    """The values block written to the output sheet, apostrophes of text taken off."""
    block = actions(book, "setValues")
    assert len(block) == 1 and block[0]["start_row"] == 0 and block[0]["start_column"] == 0
    return [[v[1:] if isinstance(v, str) and v.startswith("'") else v for v in row] for row in block[0]["values"]]


@pytest.fixture(scope="module")
def school_data(school: Path) -> dict[str, Any]:
    return payload(school)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The buttons' «today» (validation day, default quarter) is fixed."""
    original = dispatch.run_action

    def run_action(action_key: str, xl_book: Any, argument: str = "", today: dt.date | None = None) -> bool:
        return original(action_key, xl_book, argument, today or TODAY)

    monkeypatch.setattr(dispatch, "run_action", run_action)
    yield


def press_button(data: dict[str, Any], action: str, argument: str = "") -> xw.Book:
    book = remote_book(data)
    dispatch.main(action, "".join(f"{ord(ch) & 0xFFFF:04X}" for ch in argument))  # HexUtf16 of Nastavnik.bas
    return book


# --- reading the book through xlwings -------------------------------------------------------------------


def test_book_read_through_xlwings_is_the_book_read_from_the_file(school: Path, school_data: dict[str, Any]) -> None:
    from_file = read_book(school)
    from_excel = dispatch.read_xlwings_book(remote_book(school_data))
    assert from_excel.tables.keys() == from_file.tables.keys()
    for key, table in from_file.tables.items():
        assert from_excel.tables[key].rows == table.rows, key
    assert from_excel.organisation.card == from_file.organisation.card
    assert [f.model_dump() for f in from_excel.all_findings()] == [f.model_dump() for f in from_file.all_findings()]
    assert sum(len(t.rows) for t in from_file.tables.values()) > 4500


# --- the buttons -------------------------------------------------------------------------------------------


def test_dispatcher_table_covers_exactly_the_buttons() -> None:
    assert list(dispatch.ACTIONS) == [b.action for b in BUTTONS]


def test_argument_passes_in_hexadecimal_utf16() -> None:
    text = "III квартал 2024 г. «≥»"
    assert dispatch.decode_argument("".join(f"{ord(ch):04X}" for ch in text)) == text
    assert dispatch.decode_argument("") == "" and dispatch.decode_argument("zz") == ""


@pytest.mark.parametrize("button", BUTTONS, ids=[b.action for b in BUTTONS])
def test_every_button_answers(button: Any, school_data: dict[str, Any]) -> None:
    """A ready action adds its sheet, writes it and selects it; the others say «ещё не готово»."""
    book = press_button(school_data, button.action)
    if dispatch.ACTIONS[button.action] is None:
        assert alerts(book) == [(dispatch.NOT_READY.format(caption=button.caption), "info")]
        assert actions(book) == actions(book, "alert")
        return
    found = alerts(book)
    if button.action == "accept":
        assert found == [("Пар, отмеченных «принять», нет.", "info")]
    elif button.action == "registry":  # no file of the book here: the sheet is the registry, and the curator is told
        assert [mode for _, mode in found] == ["info"] and "скопируйте лист в новую книгу" in found[0][0]
    else:
        assert found == []
    added = actions(book, "addSheet")
    assert len(added) == 1
    position, name = added[0]["args"]
    assert name in ("Проверка", "Охват", "Персонифицированный учёт", "Подбор пар", "Мониторинг")
    assert position == len(school_data["sheets"])  # after the last sheet
    assert written(book)[0][0]
    assert actions(book, "activateSheet")[0]["args"] == [position]
    select = actions(book, "rangeSelect")[0]
    assert (select["sheet_position"], select["start_row"], select["start_column"]) == (position, 0, 0)
    funcs = [a["func"] for a in actions(book) if a["func"] != "alert"]
    assert funcs[-1] == "rangeSelect"  # the sheet is selected last (after its frozen panes, if it has any)


def test_validate_writes_every_finding_with_a_link(school: Path, school_data: dict[str, Any]) -> None:
    report = validate_book(read_book(school), TODAY)
    book = press_button(school_data, "validate")
    values = written(book)
    rows = values[CHECK_HEADER + 1:]
    assert len(rows) == len(report.findings) > 20
    assert [r[6] for r in rows] == [f.message for f in report.findings]
    assert [r[1] for r in rows] == [f.severity.value for f in report.findings]
    linked = 0
    for f, row in zip(report.findings, rows):
        if isinstance(row[2], str) and row[2].startswith("=HYPERLINK("):
            assert row[2].startswith(f'=HYPERLINK("#\'{f.sheet}\'!'), row[2]
            linked += 1
    assert linked > len(rows) // 2
    fills = {a["args"][0] for a in actions(book, "setRangeColor")}
    assert {"#F8CBAD", "#FFF2CC", "#1F4E78"} <= fills  # errors, warnings, the header


def test_coverage_writes_the_reports_figures_and_charts(school: Path, school_data: dict[str, Any]) -> None:
    report = coverage_report(read_book(school))
    book = press_button(school_data, "coverage")
    values = written(book)
    table = [r for r in values[4:4 + len(report.rows)]]
    assert [(r[0], r[1], r[3]) for r in table] == [(x.title, x.year, x.covered) for x in report.rows]
    assert [r[4] for r in table] == [x.share for x in report.rows]
    charts = actions(book, "addChart")
    assert len(charts) == len({x.group for x in report.rows if x.share is not None or x.target is not None})
    assert {a["args"][0] for a in actions(book, "setNumberFormat")} >= {"0.0%", "0"}


def test_registry_takes_the_quarter_typed_in_russian(school: Path, school_data: dict[str, Any]) -> None:
    registry = build_registry(read_book(school), Quarter(2025, 4))
    book = press_button(school_data, "registry", "4 кв. 2025")
    values = written(book)
    assert values[0][0].endswith("IV квартал 2025 г.") and len(registry.rows) > 100
    ids = [r[5] for r in values[4:4 + len(registry.rows)]]
    assert ids == [r.person_id for r in registry.rows]
    (message, mode), = alerts(book)  # no file on this computer: none written, the sheet is the registry
    assert mode == "info" and "IV квартал 2025 г." in message and "скопируйте лист в новую книгу" in message


def test_registry_defaults_to_the_last_quarter_and_writes_the_file(school: Path, tmp_path: Path) -> None:
    """On a book saved on this computer the registry file goes beside it, and a message says where."""
    copy = shutil.copy(school, tmp_path / school.name)
    book = press_button(payload(Path(copy), name=str(copy)), "registry")
    assert written(book)[0][0].endswith("III квартал 2026 г.")  # TODAY is in Q4 2026
    (message, mode), = alerts(book)
    assert mode == "info" and "III квартал 2026 г." in message
    files = list(tmp_path.glob("Персучёт_*_2026-Q3.xlsx"))
    assert len(files) == 1 and str(files[0]) in message


def test_a_bad_quarter_is_a_russian_message(school_data: dict[str, Any]) -> None:
    book = press_button(school_data, "registry", "пятый квартал")
    (message, mode), = alerts(book)
    assert mode == "critical" and message.startswith("Не понял квартал «пятый квартал»")
    assert actions(book, "addSheet") == []
    book = press_button(school_data, "registry", "2031Q1")
    (message, mode), = alerts(book)
    assert mode == "critical" and "вне лет книги" in message


def test_the_output_sheet_is_replaced_in_place(school_data: dict[str, Any]) -> None:
    data = dict(school_data)
    data["sheets"] = [*school_data["sheets"][:2], {"name": "Охват", "pictures": [], "tables": [],
                                                   "values": [["старый лист"]]}, *school_data["sheets"][2:]]
    book = press_button(data, "coverage")
    funcs = [a["func"] for a in actions(book)]
    assert funcs[:2] == ["sheetDelete", "addSheet"]
    assert actions(book, "sheetDelete")[0]["sheet_position"] == 2
    assert actions(book, "addSheet")[0]["args"] == [2, "Охват"]


def test_text_stays_text(school: Path, school_data: dict[str, Any]) -> None:
    """A name that looks like a formula or a number is written behind an apostrophe."""
    registry = build_registry(read_book(school), Quarter(2025, 4))
    person = next(r for r in registry.rows if r.role == "наставляемый")
    data = {**school_data, "sheets": [dict(s) for s in school_data["sheets"]]}
    mentees = next(s for s in data["sheets"] if s["name"] == "Наставляемые")
    header_at = next(i for i, row in enumerate(mentees["values"]) if "ФИО" in row)
    id_col, name_col = mentees["values"][header_at].index("ID наставляемого"), mentees["values"][header_at].index("ФИО")
    mentees["values"] = [list(r) for r in mentees["values"]]
    row = next(r for r in mentees["values"] if r[id_col] == person.person_id)
    row[name_col] = "=HYPERLINK(\"http://x\")"
    book = press_button(data, "registry", "2025Q4")
    raw = [v for r in actions(book, "setValues")[0]["values"] for v in r]
    assert "'=HYPERLINK(\"http://x\")" in raw and "=HYPERLINK(\"http://x\")" not in raw


def test_a_book_the_reader_refuses_is_a_russian_message(school_data: dict[str, Any]) -> None:
    data = {**school_data, "sheets": [s for s in school_data["sheets"] if s["name"] != "Наставляемые"]}
    book = press_button(data, "validate")
    (message, mode), = alerts(book)
    assert mode == "critical" and "нет листа «Наставляемые»" in message
    assert actions(book) == actions(book, "alert")


def test_an_internal_error_is_a_message_not_a_traceback(school_data: dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(dispatch.ACTIONS, "coverage", broken)
    book = press_button(school_data, "coverage")
    (message, mode), = alerts(book)
    assert mode == "critical" and message.startswith("Внутренняя ошибка программы при действии «Рассчитать охват»")
    assert "Traceback" not in message


# --- the worksheet functions -------------------------------------------------------------------------------


def call(name: str, *args: Any) -> Any:
    """A custom-function call as Excel sends it (each argument a 2-D array); the cell's value."""
    data = {"func_name": name, "args": [[[a]] for a in args], "version": xw.__version__, "client": "Office.js",
            "caller_address": "[Наставничество.xlsm]Панель!B2", "formula_name": name, "runtime": "1.4",
            "culture_info_name": "ru-RU", "date_format": "dd.MM.yyyy"}
    return asyncio.run(custom_functions_call(data, udfs))[0][0]


@pytest.fixture()
def saved_school(school: Path, tmp_path: Path) -> Path:
    """The school book saved on this computer and open in «Excel» (the mock caller)."""
    copy = Path(shutil.copy(school, tmp_path / "Наставничество.xlsx"))
    remote_book(payload(copy, name=str(copy)))
    return copy


def test_functions_have_russian_help() -> None:
    meta = {f["name"]: f for f in custom_functions_meta(udfs)["functions"]}
    assert sorted(meta) == sorted(udfs.UDF_NAMES)
    for f in meta.values():
        assert any("а" <= ch <= "я" for ch in f["description"])
        assert all(any("а" <= ch <= "я" for ch in p["description"]) for p in f["parameters"])


def test_coverage_functions(saved_school: Path) -> None:
    book = read_book(saved_school)
    for year in (2024, 2025):
        report = coverage_report(book, year)
        for title in ("обучающиеся", "педагоги", "молодые специалисты"):
            row = next(r for r in report.rows if r.year == year and r.title == title)
            assert call("NAST_OHVAT", title, year) == (row.share if row.share is not None else "нет контингента")
            assert call("NAST_TSEL", title, year) == (row.target if row.target is not None else "цель не задана")
            gap = call("NAST_RAZRYV", title, year)
            assert gap == (row.gap_people if row.gap_people is not None else "нет цели или контингента")
    default = coverage_report(book)
    students = default.row(default.year, "students")
    assert call("NAST_OHVAT", "Обучающиеся") == students.share


def test_active_pairs_by_form(saved_school: Path) -> None:
    pairs = read_book(saved_school).tables["pairs"].rows
    for form, year in (("ученик – ученик", 2024), ("учитель – учитель", 2025), ("работодатель – студент", 2024)):
        expected = len({id_key(p["pair_id"]) for p in pairs if p.get("form") == form and pair_active_in(p, year)})
        assert call("NAST_PARY", form, year) == expected
    everyone = len({id_key(p["pair_id"]) for p in pairs if p.get("pair_id") and pair_active_in(p, 2024)})
    assert call("NAST_PARY", None, 2024) == everyone > 0
    assert call("NAST_PARY", "ученик-ученик", 2024) == call("NAST_PARY", "ученик – ученик", 2024)
    assert str(call("NAST_PARY", "кружок", 2024)).startswith("Нет формы наставничества «кружок»")


def test_person_status(saved_school: Path) -> None:
    book = read_book(saved_school)
    mentor = next(r for r in book.tables["mentors"].rows if r.get("status"))
    mentee = next(r for r in book.tables["mentees"].rows if r.get("status"))
    assert call("NAST_STATUS", mentor["mentor_id"]) == mentor["status"]
    assert call("NAST_STATUS", mentee["mentee_id"].lower()) == mentee["status"]
    assert call("NAST_STATUS", "НЕТ-1") == "Нет человека с ID «НЕТ-1» на листах «Наставники» и «Наставляемые»."


def test_match_percentage(saved_school: Path) -> None:
    pairs = read_book(saved_school).tables["pairs"].rows
    scored = next(p for p in pairs if isinstance(p.get("match_score"), float))
    assert call("NAST_SOVPADENIE", scored["mentor_id"], scored["mentee_id"]) == scored["match_score"]
    assert str(call("NAST_SOVPADENIE", "НЕТ-1", "НЕТ-2")).startswith("нет оценки")


def test_wrong_arguments_are_russian_text(saved_school: Path) -> None:
    assert call("NAST_OHVAT", "кошки", 2024).startswith("Нет категории «кошки»")
    assert call("NAST_OHVAT", "обучающиеся", "abc").startswith("Год «abc» — не число")


def test_a_book_never_saved_asks_to_be_saved(school: Path) -> None:
    remote_book(payload(school, name="Книга1"))
    assert call("NAST_OHVAT", "обучающиеся", 2024).startswith("Функции читают сохранённую книгу")


def test_functions_answer_from_the_cache_within_50_ms(saved_school: Path) -> None:
    call("NAST_OHVAT", "обучающиеся", 2024)  # the first call reads the file
    timings = []
    for name, args in (("NAST_OHVAT", ("обучающиеся", 2024)), ("NAST_RAZRYV", ("педагоги", 2024)),
                       ("NAST_PARY", ("ученик – ученик", 2024)), ("NAST_STATUS", ("Н-0001",))):
        started = time.perf_counter()
        call(name, *args)
        timings.append(time.perf_counter() - started)
    assert max(timings) < 0.05, timings


def test_a_saved_change_is_seen(saved_school: Path, tmp_path: Path) -> None:
    """The cache is keyed by the file's modification time and size: a new save is read again."""
    before = call("NAST_PARY", None, 2024)
    new_book(tmp_path / "empty.xlsx", today=TODAY)
    shutil.copy(tmp_path / "empty.xlsx", saved_school)
    os.utime(saved_school, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert call("NAST_PARY", None, 2024) == 0 != before


def test_pair_then_accept_through_the_buttons(school: Path, school_data: dict[str, Any]) -> None:
    """«Подобрать пары» writes the proposals; the curator marks them; «Утвердить пары» writes them into «Пары»."""
    from nastavnik_xl.actions.pairing.proposals import propose

    result = propose(read_book(school), TODAY)
    book = press_button(school_data, "pair")
    values = written(book)
    header = values[3]
    assert header[1] == "ID наставляемого" and header[-1] == "Решение"
    assert [r[1] for r in values[4:4 + len(result.proposals)]] == [p.mentee_id for p in result.proposals]
    # the curator accepts the first proposal in the sheet the button wrote
    data = copy.deepcopy(school_data)
    marked = [list(r) for r in values]
    marked[4][-1] = "принять"
    data["sheets"].append({"name": "Подбор пар", "pictures": [], "tables": [], "values": marked})
    pairs_sheet = next(s for s in data["sheets"] if s["name"] == "Пары")
    last_row = max(i for i, r in enumerate(pairs_sheet["values"]) if any(v not in (None, "") for v in r[:5]))
    book = press_button(data, "accept")
    assert alerts(book)[0][0].startswith("В лист «Пары» добавлено пар: 1.")
    writes = [a for a in actions(book, "setValues") if a["sheet_position"] == data["sheets"].index(pairs_sheet)]
    assert writes and {a["start_row"] for a in writes} == {last_row + 1}
    cells = {a["start_column"]: a["values"][0][0] for a in writes}
    assert f"'{result.proposals[0].mentee_id}" in cells.values() and "'автоподбор" in cells.values()
