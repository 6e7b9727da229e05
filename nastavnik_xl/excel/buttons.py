"""The buttons of «Панель»: one list, from which the VBA module of button macros and the buttons themselves
are generated.

Each button runs a Sub without arguments (LibreOffice does not bind a button to a macro called with an
argument), and every such Sub calls the one dispatcher ``NastavnikRun`` of ``macros/Nastavnik.bas``
with its action key; the dispatcher hands the key to Python (``nastavnik_xl.excel.dispatch.main``).
This module imports neither xlwings nor Excel: the book builder uses it on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BUTTONS_MODULE = "Buttons"
DISPATCHER_MODULE = "Nastavnik"
DISPATCHER_SUB = "NastavnikRun"
BUTTON_WIDTH = 190  # pixels
BUTTON_HEIGHT = 32
BUTTON_GAP = 8


@dataclass(frozen=True)
class Button:
    caption: str  # what the curator reads on the button
    macro: str  # the zero-argument Sub the button runs
    action: str  # the action key the dispatcher runs
    hint: str  # what the button does (Russian): a comment in the VBA module and a line of the guide
    prompt: str = ""  # when set, the dispatcher first asks the curator for a value (InputBox) with this text


BUTTONS: tuple[Button, ...] = (
    Button("Проверить", "BtnValidate", "validate",
           "проверяет книгу по правилам целевой модели и выводит замечания на лист «Проверка»"),
    Button("Подобрать пары", "BtnPair", "pair",
           "предлагает пары наставник — наставляемый на листе «Подбор пар»"),
    Button("Утвердить пары", "BtnAccept", "accept",
           "переносит отмеченные предложения с листа «Подбор пар» на лист «Пары»"),
    Button("Рассчитать охват", "BtnCoverage", "coverage",
           "считает охват по годам и категориям против целей на листе «Охват»"),
    Button("Мониторинг", "BtnMonitor", "monitor",
           "сравнивает показатели на входе и на выходе на листе «Мониторинг»"),
    Button("Персучёт за квартал", "BtnRegistry", "registry",
           "составляет «Персонифицированный учёт» за квартал",
           prompt="Квартал, например 2025Q3 или «3 кв. 2025». Оставьте пустым — прошлый квартал."),
)


def button(action: str) -> Button:
    """The button of an action key."""
    return next(b for b in BUTTONS if b.action == action)


def _vba_string(text: str) -> str:
    """A VBA string literal (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def _sub(b: Button) -> list[str]:
    return [f"' «{b.caption}»: {b.hint}.",
            f"Public Sub {b.macro}()",
            f"    {DISPATCHER_SUB} {_vba_string(b.action)}, {_vba_string(b.prompt)}",
            "End Sub"]


def buttons_module_source() -> str:
    """The text of ``macros/Buttons.bas``: one Sub per button, each calling the dispatcher."""
    lines = [f'Attribute VB_Name = "{BUTTONS_MODULE}"',
             "' Создано из nastavnik_xl/excel/buttons.py (BUTTONS): не правьте вручную, пересоздайте командой",
             "' python -m nastavnik_xl.excel.vba_build macros",
             "' Кнопка вызывает макрос без аргументов (LibreOffice не привязывает макрос с аргументом),",
             f"' а он — общий диспетчер {DISPATCHER_SUB} модуля {DISPATCHER_MODULE}.",
             "Option Explicit"]
    for b in BUTTONS:
        lines += ["", *_sub(b)]
    return "\n".join(lines) + "\n"


def add_buttons(ws: Any, row: int, col: int, width: int = BUTTON_WIDTH, height: int = BUTTON_HEIGHT,
                gap: int = BUTTON_GAP) -> int:
    """Put the buttons in a column from the cell (``row``, ``col``) of an XlsxWriter worksheet.

    The book also needs the VBA project (``vba_build.build_vba_project``) and an .xlsm name.
    Returns the height in pixels the buttons take.
    """
    for i, b in enumerate(BUTTONS):
        ws.insert_button(row, col, {"macro": b.macro, "caption": b.caption, "width": width, "height": height,
                                    "y_offset": i * (height + gap), "x_offset": 2,
                                    "description": f"{b.caption}: {b.hint}"})
    return len(BUTTONS) * (height + gap) - gap
