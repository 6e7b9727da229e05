"""The buttons' actions as xlwings scripts, for xlwings Server (the МНЦ's server) and xlwings Lite.

Each script is the same call the desktop dispatcher makes (:func:`dispatch.run_action` with the button's
action key), on the book the runtime hands in. The function names are the action keys of
:data:`buttons.BUTTONS`: a server book's dispatcher posts to ``/xlwings/custom-scripts-call/<key>``.
In xlwings Lite the task pane lists them by the buttons' captions.

In xlwings Lite, and where xlwings Server's decorator is unavailable (classic xlwings without the licence
key), xlwings' own ``script`` is used; the functions stay plain callables. In Lite (Pyodide) python-calamine
and OR-Tools are not installed (pyproject excludes them there): the book comes through xlwings, so nothing
needs calamine, and «Подобрать пары» answers with a Russian message instead of proposals.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import xlwings as xw

from nastavnik_xl.excel import dispatch
from nastavnik_xl.excel.buttons import button


def _script_decorator() -> Callable[..., Any]:
    if sys.platform == "emscripten":  # xlwings Lite (Pyodide): its own decorator registers the scripts
        return xw.script
    try:
        from xlwings import server
    except Exception:  # noqa: BLE001 — no licence for xlwings Server: classic xlwings' marker
        return xw.script
    return server.script


_script = _script_decorator()


def _caption(action: str) -> str:
    return button(action).caption


@_script(name=_caption("validate"))
def validate(book: xw.Book) -> None:
    """Проверить книгу: замечания на листе «Проверка»."""
    dispatch.run_action("validate", book)


@_script(name=_caption("pair"))
def pair(book: xw.Book) -> None:
    """Подобрать пары: предложения на листе «Подбор пар»."""
    dispatch.run_action("pair", book)


@_script(name=_caption("accept"))
def accept(book: xw.Book) -> None:
    """Утвердить пары, отмеченные «принять», в листе «Пары»."""
    dispatch.run_action("accept", book)


@_script(name=_caption("coverage"))
def coverage(book: xw.Book) -> None:
    """Рассчитать охват: лист «Охват»."""
    dispatch.run_action("coverage", book)


@_script(name=_caption("monitor"))
def monitor(book: xw.Book) -> None:
    """Мониторинг: лист «Мониторинг»."""
    dispatch.run_action("monitor", book)


@_script(name=_caption("registry"))
def registry(book: xw.Book, quarter: str = "") -> None:
    """Персучёт за квартал (пусто — прошлый квартал): лист «Персонифицированный учёт»."""
    dispatch.run_action("registry", book, quarter)


SCRIPTS: dict[str, Callable[..., Any]] = {
    "validate": validate, "pair": pair, "accept": accept, "coverage": coverage, "monitor": monitor,
    "registry": registry,
}
