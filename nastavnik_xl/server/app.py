"""The МНЦ's server: xlwings Server's protocol over FastAPI, for schools' books without local Python.

Paths are xlwings Server's own:

- ``POST /xlwings/custom-scripts-call/{script}`` — a button of a server book (VBA ``RunRemotePython``):
  the body is the book as xlwings' VBA client sends it, the answer the actions Excel replays; ``script``
  is a button's action key, ``?argument=`` its value (hex UTF-16, as the dispatcher encodes it);
- ``POST /xlwings/custom-functions-call`` — a worksheet function (xlwings Server's Office.js add-in);
- ``GET /xlwings/custom-functions-meta``, ``/xlwings/custom-functions-code``,
  ``/xlwings/custom-scripts-meta`` — what the add-in loads (names and help only, no token needed).

Every call needs a school's token in ``Authorization`` («Bearer <токен>» or the bare token): none or an
unknown one is 401, a book of an organisation other than the token's is 403. A body over the size limit
is 413 (read no further), a body that is not a book as Excel sends it is 400, an action past its time
limit is 504. Every refusal is plain Russian text (xlwings' VBA shows it in a message box) and is
logged. Nothing from a request is ever used as a path on the server.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import xlwings as xw  # the package nastavnik_xl.server has set the licence key before this import
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from xlwings.server import custom_functions_meta, custom_scripts_meta

from nastavnik_xl.excel import scripts, udfs
from nastavnik_xl.excel.dispatch import decode_argument
from nastavnik_xl.server.functions_js import functions_code
from nastavnik_xl.server.jobs import TEXT, Job, Reply
from nastavnik_xl.server.runner import JobRunner
from nastavnik_xl.server.tokens import TokenFile

log = logging.getLogger("nastavnik.server")

MEGABYTE = 1024 * 1024
CALL_PATH = "/xlwings/custom-scripts-call/"


@dataclass(frozen=True)
class Settings:
    tokens: TokenFile
    max_bytes: int = 50 * MEGABYTE
    time_limit: float = 120.0
    workers: int | None = None


class Refusal(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def token_of(request: Request) -> str:
    header = request.headers.get("authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else header


def authorise(request: Request, tokens: TokenFile) -> str:
    """The organisation of the request's token, or a 401 refusal."""
    token = token_of(request)
    challenge = {"WWW-Authenticate": "Bearer"}
    if not token:
        raise Refusal(401, "Сервер МНЦ не получил токен школы. Книга для работы через сервер выдаётся в МНЦ: "
                           "в её листе «xlwings.conf» строка AUTH содержит токен. Попросите такую книгу в МНЦ.",
                      challenge)
    organisation = tokens.organisation_of(token)
    if organisation is None:
        raise Refusal(401, "Токен в настройках книги (лист «xlwings.conf», строка AUTH) серверу МНЦ неизвестен: "
                           "его отозвали или в нём опечатка. Попросите в МНЦ новый токен.", challenge)
    return organisation


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to exceed ``limit`` bytes."""
    too_big = Refusal(413, f"Книга слишком велика для сервера МНЦ (больше {limit / MEGABYTE:g} МБ в запросе). "
                           "Удалите лишние листы или старые строки либо попросите МНЦ увеличить предел.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _bad(detail: str) -> Refusal:
    return Refusal(400, f"Сервер МНЦ не понял запрос книги: {detail}. Книга для сервера создаётся командой "
                        "«nastavnik new КНИГА.xlsm --server АДРЕС»; попросите в МНЦ новую.")


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad("это не JSON") from None


def check_book_payload(data: Any) -> dict[str, Any]:
    """The payload of xlwings' clients, checked enough that the remote engine can take it."""
    if not isinstance(data, dict):
        raise _bad("ожидается описание книги")
    version = data.get("version")
    if version != xw.__version__:
        raise Refusal(400, f"Книга сделана для xlwings {version or '(версия не указана)'}, а сервер МНЦ работает с "
                           f"xlwings {xw.__version__}. Попросите в МНЦ новую книгу для сервера.")
    book = data.get("book")
    sheets = data.get("sheets")
    if not isinstance(book, dict) or not isinstance(sheets, list) or not sheets:
        raise _bad("нет книги или её листов")
    for sheet in sheets:
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str):
            raise _bad("у листа нет имени")
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            raise _bad(f"значения листа «{sheet['name']}» — не таблица")
        sheet.setdefault("pictures", [])
        sheet.setdefault("tables", [])
    if not isinstance(data.get("names", []), list):
        raise _bad("имена диапазонов — не список")
    data.setdefault("names", [])
    book.setdefault("active_sheet_index", 0)
    book.setdefault("selection", None)
    return data


def check_function_payload(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("func_name"), str) or not isinstance(
            data.get("args"), list):
        raise _bad("ожидается имя функции и её аргументы")
    if not hasattr(getattr(udfs, data["func_name"], None), "__xlfunc__"):
        raise Refusal(404, f"Функции «{data['func_name']}» на сервере МНЦ нет.")
    return data


def _reply(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Наставничество: сервер МНЦ", docs_url=None, redoc_url=None, openapi_url=None)
    runner = JobRunner(settings.workers, settings.time_limit)
    app.state.runner = runner

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        log.warning("отказ %s: %s %s с адреса %s — %s", exc.status, request.method, request.url.path,
                    _client(request), exc.message)
        return PlainTextResponse(exc.message, status_code=exc.status, headers=exc.headers, media_type=TEXT)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("На сервере МНЦ нет такой страницы.", status_code=404, media_type=TEXT)

    @app.get("/")
    async def home() -> Response:
        return PlainTextResponse(f"Сервер «Наставничество» МНЦ работает (xlwings {xw.__version__}).",
                                 media_type=TEXT)

    @app.get("/xlwings/custom-scripts-meta")
    async def scripts_meta() -> Response:
        return JSONResponse(custom_scripts_meta(scripts))

    @app.get("/xlwings/custom-functions-meta")
    async def functions_meta() -> Response:
        return JSONResponse(custom_functions_meta(udfs))

    @app.get("/xlwings/custom-functions-code")
    async def functions_code_js() -> Response:
        return PlainTextResponse(functions_code(udfs, xw.__version__), media_type="text/javascript; charset=utf-8")

    async def run(request: Request, job: Job) -> Response:
        started = time.perf_counter()
        reply = await runner.run(job)
        seconds = time.perf_counter() - started
        if reply.status == 200:
            log.info("%s — %.2f с, %s", reply.note, seconds, _client(request))
        else:
            log.warning("отказ %s: %s с адреса %s — %s", reply.status, request.url.path, _client(request), reply.note)
        return _reply(reply)

    @app.post(CALL_PATH + "{script}")
    async def script_call(script: str, request: Request, argument: str = "") -> Response:
        organisation = authorise(request, settings.tokens)
        data = check_book_payload(parse_json(await read_body(request, settings.max_bytes)))
        if script not in scripts.SCRIPTS:
            raise Refusal(404, f"Действия «{script}» на сервере МНЦ нет: возможно, книга новее сервера. "
                               "Сообщите в МНЦ.")
        takes_argument = len(inspect.signature(scripts.SCRIPTS[script]).parameters) > 1
        args = [decode_argument(argument)] if argument and takes_argument else []
        return await run(request, Job("script", script, data, organisation, args))

    @app.post("/xlwings/custom-functions-call")
    async def function_call(request: Request) -> Response:
        organisation = authorise(request, settings.tokens)
        data = check_function_payload(parse_json(await read_body(request, settings.max_bytes)))
        return await run(request, Job("function", data["func_name"], data, organisation))

    return app
