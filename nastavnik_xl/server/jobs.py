"""One request's work, run in a process of its own (see :mod:`runner`): a button's script on the book a
school's Excel sent, or a worksheet function.

The book is the request's JSON (xlwings' remote engine, ``xw.Book(json=...)``); the answer is the list
of actions Excel replays (``book.json()``). The route rules forbid touching files (the book's name in a
request is not a path here) and refuse a book that names an organisation other than the token's.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Any, Literal

import xlwings as xw  # the package nastavnik_xl.server has set the licence key before this import
from xlwings.server import custom_functions_call, custom_scripts_call

from nastavnik_xl.book.model import Book
from nastavnik_xl.excel import scripts, udfs
from nastavnik_xl.excel.route import Refused, Route, route
from nastavnik_xl.server.tokens import organisation_key

log = logging.getLogger("nastavnik.server")

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Job:
    kind: Literal["script", "function"]
    name: str  # the script (an action key) or the function
    payload: dict[str, Any]
    organisation: str  # whose token came with the request
    args: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    media_type: str = TEXT
    note: str = ""  # for the server's log

    @classmethod
    def text(cls, status: int, message: str, note: str = "") -> Reply:
        return cls(status, message.encode("utf-8"), TEXT, note or message)

    @classmethod
    def json(cls, data: Any, note: str = "") -> Reply:
        return cls(200, json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"), JSON, note)


def book_name(payload: dict[str, Any]) -> str:
    """The book's file name only: a path in a request names nothing on the server."""
    name = str((payload.get("book") or {}).get("name") or "книга.xlsm")
    return PureWindowsPath(name).name or "книга.xlsm"


def organisation_check(organisation: str) -> Any:
    """Refuse (403) a book whose card names an organisation other than the token's."""
    wanted = organisation_key(organisation)

    def check(book: Book) -> None:
        card = book.organisation.card if book.organisation else {}
        names = [str(card.get(f) or "") for f in ("org_name", "short_name")]
        named = [n for n in names if organisation_key(n)]
        if named and wanted not in {organisation_key(n) for n in named}:
            raise Refused(403, f"Эта книга — организации «{named[0]}», а токен в её настройках выдан для "
                               f"«{organisation}». Сервер МНЦ обрабатывает книгу только с токеном её организации: "
                               "попросите в МНЦ книгу со своим токеном или проверьте наименование на листе "
                               "«Организация».")

    return check


def run_script(job: Job) -> Reply:
    payload = dict(job.payload)
    payload["book"] = {**payload["book"], "name": book_name(payload)}
    book = xw.Book(json=payload)
    with route(Route(files=False, check=organisation_check(job.organisation))):
        try:
            asyncio.run(custom_scripts_call(scripts, job.name, typehint_to_value={xw.Book: book}, args=job.args))
        except Refused as refused:
            return Reply.text(refused.status, refused.message)
    return Reply.json(book.json(), note=f"«{job.name}» для «{job.organisation}»")


def run_function(job: Job) -> Reply:
    with route(Route(files=False)):
        result = asyncio.run(custom_functions_call(job.payload, udfs))
    return Reply.json({"result": result}, note=f"функция {job.name} для «{job.organisation}»")


def run_job(job: Job) -> Reply:
    """The reply to one job; an unexpected error is a Russian 500, never a traceback to the school."""
    try:
        return run_script(job) if job.kind == "script" else run_function(job)
    except Exception as exc:
        log.exception("внутренняя ошибка при «%s»", job.name)
        return Reply.text(500, f"Внутренняя ошибка сервера при действии «{job.name}»: {type(exc).__name__}: {exc}. "
                               "Сообщите в МНЦ.")
