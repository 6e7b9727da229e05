"""Build small workbooks by hand in tests, the way a curator might retype one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

Rows = Sequence[Sequence[Any]]

ORG_ROWS: list[list[Any]] = [
    ["Карточка организации"],
    [],
    ["Полное наименование ОО", "МБОУ «Средняя общеобразовательная школа № 7»"],
    ["Муниципальное образование", "Тестовый муниципальный округ"],
    ["Куратор (ФИО)", "Иванова Мария Петровна"],
    ["Отчётный год", 2024],
    [],
    ["Год", "Обучающихся всего", "Обучающихся 10–19 лет", "Педагогических работников",
     "Молодых специалистов (стаж 0–3 года)"],
    [2023, 500, 300, 40, 5],
    [2024, 520, 310, 42, 6],
]

MENTOR_ROWS: list[list[Any]] = [
    ["ID наставника", "ФИО", "Категория наставника", "Статус"],
    ["НК-1", "Петров Пётр Петрович", "педагог", "активен"],
    ["НК-2", "Сидорова Анна Ивановна", "педагог", "активен"],
]

MENTEE_ROWS: list[list[Any]] = [
    ["ID наставляемого", "ФИО", "Тип участника", "Дата рождения"],
    ["НЯ-1", "Кузнецов Илья", "обучающийся", dt.datetime(2010, 5, 3)],
    ["НЯ-2", "Смирнова Ольга", "обучающийся", dt.datetime(2011, 1, 20)],
    ["НЯ-3", "Волков Денис", "молодой специалист", dt.datetime(1999, 2, 1)],
]

PAIR_ROWS: list[list[Any]] = [
    ["ID пары", "Форма наставничества", "ID наставника", "ID наставляемого", "Дата начала", "Фактическое окончание"],
    ["П-1", "ученик – ученик", "НК-1", "НЯ-1", dt.datetime(2023, 12, 1), dt.datetime(2024, 5, 25)],
    ["П-2", "учитель – учитель", "НК-2", "НЯ-3", dt.datetime(2024, 10, 1), None],
]


def minimal_sheets() -> dict[str, list[list[Any]]]:
    return {
        "Организация": [list(r) for r in ORG_ROWS],
        "Наставники": [list(r) for r in MENTOR_ROWS],
        "Наставляемые": [list(r) for r in MENTEE_ROWS],
        "Пары": [list(r) for r in PAIR_ROWS],
    }


def write_book(path: Path, sheets: dict[str, Rows], date_format: str = "DD.MM.YYYY") -> Path:
    """Write plain sheets (no tables, no formats but dates) with openpyxl."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = date_format
    wb.save(path)
    return path
