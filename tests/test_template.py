"""The empty curator's book: tables, dropdowns, frozen headers, print setup, typical content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from nastavnik_xl.actions.template import new_book, roadmap_rows
from nastavnik_xl.dates import due_range
from nastavnik_xl.resources import load_toml
from nastavnik_xl.schema import DATA_SHEETS, SHEET_ORDER, ColType, lookups

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_book(tmp_path_factory.mktemp("t") / "шаблон.xlsx", org_name="МБОУ СОШ № 1", today=TODAY)


def test_sheets_in_order(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert tuple(wb.sheetnames) == SHEET_ORDER
    assert wb.active.title == "Панель"


def test_every_data_sheet_is_a_table_with_frozen_headers(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        assert spec.table in ws.tables, spec.name
        table = ws.tables[spec.table]
        headers = [c.value for c in ws[table.ref][0]]
        assert headers == [c.header for c in spec.columns]
        if spec.name != "Организация":
            assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), spec.name
            assert ws.print_title_rows, spec.name
        assert ws.page_setup.paperSize == 9


def test_dropdowns_are_fed_from_lookups(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    names = set(wb.defined_names)
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        sources = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
        for col in spec.columns:
            if col.type is ColType.LOOKUP:
                assert f"lst_{col.lookup}" in sources, (spec.name, col.header)
                assert f"lst_{col.lookup}" in names
    lst = wb.defined_names["lst_forms"]
    (sheet, ref), = lst.destinations
    values = [c.value for row in wb[sheet][ref] for c in row]
    assert values == list(lookups()["forms"].values)


def test_roadmap_is_prefilled_from_templates(template: Path) -> None:
    items = load_toml("roadmap")["item"]
    rows = roadmap_rows(2026)
    assert len(rows) == len(items) >= 29
    assert rows[0]["item_no"] == "1.1" and rows[0]["due"] == "август 2026 г."
    assert {r["stage"] for r in rows} == set(lookups()["roadmap_stages"].values)
    ws = openpyxl.load_workbook(template)["Дорожная карта"]
    assert ws["C2"].value == items[0]["activity"]


def test_targets_prefilled_for_2020_to_2030(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["Целевые показатели"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_col=3)]
    students = {r[0]: r[2] for r in rows if r[1] == "обучающиеся"}
    assert students == {2020: 0.1, 2021: 0.2, 2022: 0.3, 2023: 0.5, 2024: 0.7, **{y: None for y in range(2025, 2031)}}
    formulas = [c.value for c in ws["E"][1:4]]
    assert all(isinstance(f, str) and "COUNTIFS(Mentees[[Тип участника]]" in f for f in formulas)


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a = new_book(tmp_path / "a.xlsx", org_name="Школа", today=TODAY)
    b = new_book(tmp_path / "b.xlsx", org_name="Школа", today=TODAY)
    assert a.read_bytes() == b.read_bytes()


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    new_book(tmp_path / "a.xlsx", today=TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


@pytest.mark.parametrize("text, expected", [
    ("май-июнь 2020 г.", (dt.date(2020, 5, 1), dt.date(2020, 6, 30))),
    ("Сентябрь, 2021г.", (dt.date(2021, 9, 1), dt.date(2021, 9, 30))),
    ("До 02.09.2024", (None, dt.date(2024, 9, 2))),
    ("декабрь–январь 2021", (dt.date(2021, 12, 1), dt.date(2022, 1, 31))),
    ("Февраль-апрель 2025", (dt.date(2025, 2, 1), dt.date(2025, 4, 30))),
    ("ежегодно", (None, None)),
    ("Май 2024 года", (dt.date(2024, 5, 1), dt.date(2024, 5, 31))),
])
def test_due_text_is_parsed(text: str, expected: tuple) -> None:
    assert due_range(text) == expected


def test_shipped_workbook_is_up_to_date(tmp_path: Path) -> None:
    """workbook/ holds exactly what the code builds (rebuild: python -m nastavnik_xl.actions.template)."""
    from nastavnik_xl.actions.template import SHIPPED_BOOK, build_shipped_book
    from nastavnik_xl.resources import data_dir

    shipped = data_dir("workbook") / SHIPPED_BOOK
    assert shipped.read_bytes() == build_shipped_book(tmp_path).read_bytes()
