"""How a book reached Python: from desktop Excel, or through the МНЦ's server.

The rules travel in a context variable, so the actions and the worksheet functions ask for them where
they need them instead of every signature growing a parameter. This module imports neither xlwings nor
the actions: the functions' module and the dispatcher both use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    """How the book reached Python. On the МНЦ's server (``files=False``) nothing beside the book is ever
    written or read (the book's name in a request is not a path on the server), and ``check`` may refuse
    the book once it is read (the token of another organisation)."""

    files: bool = True
    check: Callable[[Any], None] | None = None


class Refused(Exception):
    """The route refuses the book: ``status`` is the HTTP status the server answers, ``message`` Russian."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_ROUTE: ContextVar[Route] = ContextVar("nastavnik_route", default=Route())  # noqa: B039 — Route is frozen


def current_route() -> Route:
    return _ROUTE.get()


@contextmanager
def route(rules: Route) -> Iterator[None]:
    """Run the actions inside with these route rules (the server's worker uses it)."""
    token = _ROUTE.set(rules)
    try:
        yield
    finally:
        _ROUTE.reset(token)


NO_FILES_FOR_FUNCTIONS = ("Функции листа читают книгу, сохранённую на компьютере куратора; через сервер МНЦ "
                          "они недоступны. Охват и другие показатели считают кнопки «Рассчитать охват» и «Мониторинг».")
