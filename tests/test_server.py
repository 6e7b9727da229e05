"""The МНЦ's server (``nastavnik serve``) on loopback, as a school's Excel calls it.

Each button's script with the book as xlwings' VBA client sends it (``excel_payload.payload``), with and
without a token, with another school's token, oversize and malformed; the returned actions and status
codes are asserted, and so is the server's log. The time limit is checked on the job runner itself.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from excel_payload import XLWINGS_VERSION, payload
from server_process import CALL, Server, renamed, running_server

from nastavnik_xl.book.reader import read_book
from nastavnik_xl.excel.buttons import BUTTONS
from nastavnik_xl.server.tokens import TokenFile, organisation_key

TODAY = dt.date(2026, 11, 20)
OTHER = "МБОУ «Лицей № 7»"


@pytest.fixture(scope="module")
def organisation(school: Path) -> str:
    org = read_book(school).organisation
    assert org is not None
    return str(org.card["org_name"])


@pytest.fixture(scope="module")
def book_json(school: Path) -> bytes:
    return json.dumps(payload(school)).encode()


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory, organisation: str) -> dict[str, str]:
    """Tokens of the demo school and of another one, written with the CLI as an МНЦ does it."""
    path = tmp_path_factory.mktemp("mnc") / "tokens.json"
    found = {}
    for org in (organisation, OTHER):
        done = subprocess.run([sys.executable, "-m", "nastavnik_xl", "serve", "--tokens", str(path), "--new-token", org],
                              capture_output=True, text=True, check=True)
        found[org] = done.stdout.split(f"Токен для «{org}»: ")[1].split()[0]
    found["file"] = str(path)
    return found


@pytest.fixture(scope="module")
def server(tokens: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with running_server(Path(tokens["file"]), log, "--max-mb", "8") as running:
        yield running


def post(server: Server, script: str, body: bytes | Any, token: str | None, **params: str) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(server.url + CALL + script, content=content, headers=headers, params=params, timeout=120)


def actions(reply: httpx.Response, func: str | None = None) -> list[dict[str, Any]]:
    assert reply.status_code == 200, reply.text
    return [a for a in reply.json()["actions"] if func is None or a["func"] == func]


def hex_utf16(text: str) -> str:
    return "".join(f"{ord(ch) & 0xFFFF:04X}" for ch in text)


# --- each button through the server ----------------------------------------------------------------------


SHEETS = {"validate": "Проверка", "pair": "Подбор пар", "accept": "Подбор пар", "coverage": "Охват",
          "monitor": "Мониторинг", "registry": "Персонифицированный учёт"}


@pytest.mark.parametrize("action", [b.action for b in BUTTONS])
def test_every_button_runs_on_the_server(action: str, server: Server, book_json: bytes, tokens: dict[str, str],
                                         organisation: str) -> None:
    reply = post(server, action, book_json, tokens[organisation], argument=hex_utf16("4 кв. 2025"))
    added = actions(reply, "addSheet")
    assert [a["args"][1] for a in added] == [SHEETS[action]]
    values = actions(reply, "setValues")
    assert values and len(values[0]["values"]) > 3
    assert all(mode != "critical" for _, _, _, mode, *_ in (a["args"] for a in actions(reply, "alert")))


def test_the_registry_takes_the_quarter_and_writes_no_file(server: Server, school: Path, tokens: dict[str, str],
                                                           organisation: str) -> None:
    """The book's name in a request is an absolute path to a real book: the server writes nothing beside it."""
    before = sorted(school.parent.iterdir())
    reply = post(server, "registry", payload(school, name=str(school)), tokens[organisation],
                 argument=hex_utf16("4 кв. 2025"))
    block = actions(reply, "setValues")[0]["values"]
    assert block[0][0].endswith("IV квартал 2025 г.")
    (alert,) = actions(reply, "alert")
    assert "скопируйте лист в новую книгу" in alert["args"][0]
    assert sorted(school.parent.iterdir()) == before


def test_the_server_writes_what_the_desktop_dispatcher_writes(server: Server, school: Path, tokens: dict[str, str],
                                                              organisation: str) -> None:
    """The same action on the same book: the server's actions equal the dispatcher's run in this process."""
    import xlwings as xw

    from nastavnik_xl.excel import dispatch

    data = payload(school)
    local = xw.Book(json=copy.deepcopy(data))  # the engine edits the JSON it is given
    assert dispatch.run_action("validate", local, "", dt.date.today())
    reply = post(server, "validate", data, tokens[organisation])
    assert actions(reply) == json.loads(json.dumps(local.json()["actions"], default=str))


# --- refusals ------------------------------------------------------------------------------------------------


def test_no_token_is_401_in_russian(server: Server, book_json: bytes) -> None:
    reply = post(server, "validate", book_json, None)
    assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
    assert reply.text.startswith("Сервер МНЦ не получил токен школы")
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"


def test_an_unknown_token_is_401(server: Server, book_json: bytes, tokens: dict[str, str], organisation: str) -> None:
    token = tokens[organisation]
    reply = post(server, "validate", book_json, token[:-1] + ("y" if token[-1] == "x" else "x"))
    assert reply.status_code == 401 and "серверу МНЦ неизвестен" in reply.text


def test_another_schools_token_is_403_and_logged(server: Server, book_json: bytes, tokens: dict[str, str],
                                                 organisation: str) -> None:
    reply = post(server, "validate", book_json, tokens[OTHER])
    assert reply.status_code == 403
    assert organisation in reply.text and OTHER in reply.text
    assert "отказ 403" in server.log_text()


def test_the_name_is_compared_as_people_write_it(server: Server, school: Path, tokens: dict[str, str],
                                                 organisation: str) -> None:
    """Quotes, case and spaces do not make another organisation; a book with no name yet is accepted."""
    retyped = organisation.upper().replace("«", '"').replace("»", '"').replace(" ", "  ")
    assert organisation_key(retyped) == organisation_key(organisation)
    assert post(server, "coverage", renamed(payload(school), organisation, retyped), tokens[organisation]).status_code == 200
    short = str(read_book(school).organisation.card["short_name"])  # type: ignore[union-attr]
    nameless = renamed(renamed(payload(school), organisation, ""), short, "")
    assert post(server, "coverage", nameless, tokens[OTHER]).status_code == 200
    assert post(server, "coverage", renamed(payload(school), organisation, ""), tokens[OTHER]).status_code == 403


def test_an_oversize_book_is_413_before_it_is_read(server: Server, tokens: dict[str, str], organisation: str) -> None:
    big = b"[" + b"0," * (4_500_000) + b"0]"  # 9 MB > --max-mb 8
    reply = post(server, "validate", big, tokens[organisation])
    assert reply.status_code == 413 and "слишком велика" in reply.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(9):
            yield b" " * 1024 * 1024

    reply = httpx.post(server.url + CALL + "validate", content=chunks(), timeout=60,
                       headers={"Authorization": f"Bearer {tokens[organisation]}"})
    assert reply.status_code == 413


@pytest.mark.parametrize("body, words", [
    (b"{\"client\": \"VBA\", ", "это не JSON"),
    (b"\xff\xfe\x00", "это не JSON"),
    (b"[1, 2]", "ожидается описание книги"),
    (json.dumps({"version": XLWINGS_VERSION, "book": {"name": "x.xlsm"}}).encode(), "нет книги или её листов"),
    (json.dumps({"version": XLWINGS_VERSION, "book": {"name": "x.xlsm"},
                 "sheets": [{"name": "Панель", "values": "A1"}]}).encode(), "не таблица"),
    (json.dumps({"version": "0.30.0", "book": {}, "sheets": []}).encode(), "сделана для xlwings 0.30.0"),
])
def test_a_malformed_payload_is_400_in_russian(server: Server, tokens: dict[str, str], organisation: str,
                                               body: bytes, words: str) -> None:
    reply = post(server, "validate", body, tokens[organisation])
    assert reply.status_code == 400 and words in reply.text


def test_a_book_the_reader_refuses_is_a_message_box(server: Server, tokens: dict[str, str], organisation: str) -> None:
    """A well-formed request whose book is not a curator's book: 200 with a Russian message box, as on the desktop."""
    data = {"client": "VBA", "version": XLWINGS_VERSION, "book": {"name": "Книга1.xlsx"}, "names": [],
            "sheets": [{"name": "Лист1", "values": [["привет"]]}]}
    reply = post(server, "validate", data, tokens[organisation])
    (alert,) = actions(reply, "alert")
    assert alert["args"][3] == "critical" and "Организация" in alert["args"][0]
    assert actions(reply, "addSheet") == []


def test_an_unknown_script_is_404(server: Server, book_json: bytes, tokens: dict[str, str], organisation: str) -> None:
    reply = post(server, "format_disk", book_json, tokens[organisation])
    assert reply.status_code == 404 and "Действия «format_disk» на сервере МНЦ нет" in reply.text


# --- worksheet functions (the Office.js add-in's paths) --------------------------------------------------------


def test_function_meta_and_code_are_served(server: Server) -> None:
    meta = httpx.get(server.url + "/xlwings/custom-functions-meta").json()
    assert {f["name"] for f in meta["functions"]} >= {"NAST_OHVAT", "NAST_STATUS"}
    code = httpx.get(server.url + "/xlwings/custom-functions-code").text
    assert 'CustomFunctions.associate("NAST_OHVAT"' in code
    scripts = httpx.get(server.url + "/xlwings/custom-scripts-meta").json()
    assert {s["function_name"] for s in scripts} == {b.action for b in BUTTONS}
    assert {s["name"] for s in scripts} == {b.caption for b in BUTTONS}


def test_a_function_answers_but_never_reads_a_file(server: Server, school: Path, tokens: dict[str, str],
                                                   organisation: str) -> None:
    data = {"func_name": "NAST_OHVAT", "args": [[["обучающиеся"]]], "version": XLWINGS_VERSION,
            "client": "Office.js", "caller_address": f"[{school}]Панель!B2", "formula_name": "NAST_OHVAT",
            "runtime": "1.4", "culture_info_name": "ru-RU", "date_format": "dd.MM.yyyy"}
    headers = {"Authorization": f"Bearer {tokens[organisation]}"}
    reply = httpx.post(server.url + "/xlwings/custom-functions-call", json=data, headers=headers, timeout=60)
    assert reply.status_code == 200
    assert "через сервер МНЦ они недоступны" in reply.json()["result"][0][0]
    assert httpx.post(server.url + "/xlwings/custom-functions-call", json=data, timeout=60).status_code == 401
    data["func_name"] = "open"
    assert httpx.post(server.url + "/xlwings/custom-functions-call", json=data, headers=headers).status_code == 404


# --- the tokens file -----------------------------------------------------------------------------------------------


def test_a_token_issued_while_the_server_runs_works_at_once(server: Server, tokens: dict[str, str], school: Path,
                                                            organisation: str) -> None:
    done = subprocess.run([sys.executable, "-m", "nastavnik_xl", "serve", "--tokens", tokens["file"], "--new-token",
                           "МАОУ «Гимназия № 1»"], capture_output=True, text=True, check=True)
    token = done.stdout.split("»: ")[1].split()[0]
    data = renamed(payload(school), organisation, "МАОУ «Гимназия № 1»")
    assert actions(post(server, "coverage", data, token), "addSheet")


def test_serve_creates_an_empty_tokens_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    with running_server(path, tmp_path / "serve.log") as running:
        assert json.loads(path.read_text(encoding="utf-8")) == {"tokens": {}}
        assert (path.stat().st_mode & 0o777) == 0o600
        assert "токенов пока нет" in running.log_text()


def test_a_damaged_tokens_file_is_a_russian_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{oops", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nastavnik_xl", "serve", "--tokens", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "Файл токенов" in done.stderr and "повреждён" in done.stderr


def test_a_busy_port_is_a_russian_error(server: Server, tokens: dict[str, str]) -> None:
    port = server.url.rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "nastavnik_xl", "serve", "--tokens", tokens["file"], "--port", port],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "порт уже занят" in done.stderr


def test_tokens_are_random_and_compared_whole(tmp_path: Path) -> None:
    tokens = TokenFile.open(tmp_path / "t.json")
    a, b = tokens.add("Школа А"), tokens.add("Школа А")
    assert a.token != b.token and len(a.token) >= 32
    assert tokens.organisation_of(a.token) == "Школа А"
    assert tokens.organisation_of(a.token[:-1]) is None and tokens.organisation_of("") is None


# --- the time limit -------------------------------------------------------------------------------------------------


def test_an_action_past_the_time_limit_is_504_and_stopped(book_json: bytes, organisation: str) -> None:
    from nastavnik_xl.server.jobs import Job
    from nastavnik_xl.server.runner import JobRunner

    reply = JobRunner(1, time_limit=0.05).run_now(Job("script", "validate", json.loads(book_json), organisation))
    assert reply.status == 504 and "не уложилось в 0.05 с" in reply.body.decode()
    reply = JobRunner(1, time_limit=60).run_now(Job("script", "coverage", json.loads(book_json), organisation))
    assert reply.status == 200


NODE_HARNESS = """
const registered = {};
globalThis.Office = { context: { contentLanguage: "ru-RU" } };
globalThis.CustomFunctions = { associate: (name, f) => { registered[name] = f; } };
globalThis.window = { location: { origin: process.argv[1] } };
globalThis.getAuth = async () => "Bearer " + process.argv[2];
eval(require("fs").readFileSync(0, "utf8"));
(async () => {
  const value = await registered["NAST_OHVAT"]([["обучающиеся"]], { address: "Панель!B2" });
  const names = Object.keys(registered).sort();
  console.log(JSON.stringify({ value, names }));
})();
"""


def test_the_add_ins_javascript_calls_the_server(server: Server, tokens: dict[str, str], organisation: str) -> None:
    """The served JavaScript, run by Node.js with Office's globals stood in, registers every function and gets
    the server's answer for a call (the token from the add-in's getAuth)."""
    import shutil

    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is missing: .ci/system-deps.sh installs it")
        pytest.skip("Node.js is not installed")
    code = httpx.get(server.url + "/xlwings/custom-functions-code").text
    done = subprocess.run([node, "-e", NODE_HARNESS, server.url, tokens[organisation]], input=code,
                          capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(done.stdout)
    assert "через сервер МНЦ они недоступны" in result["value"][0][0]
    meta = httpx.get(server.url + "/xlwings/custom-functions-meta").json()
    assert result["names"] == sorted(f["id"] for f in meta["functions"])
    done = subprocess.run([node, "-e", NODE_HARNESS, server.url, "wrong"], input=code, capture_output=True, text=True,
                          timeout=60, check=True)
    assert "серверу МНЦ неизвестен" in json.loads(done.stdout)["value"][0][0]


def test_a_book_made_for_the_server_is_answered_by_it(server: Server, tokens: dict[str, str], organisation: str,
                                                      tmp_path: Path) -> None:
    """`nastavnik new --server --token`: the request its dispatcher makes (the address and the AUTH header from
    its sheet «xlwings.conf», the book as xlwings sends it) is answered with the output sheet."""
    book = tmp_path / "школа.xlsm"
    subprocess.run([sys.executable, "-m", "nastavnik_xl", "new", str(book), "--org", organisation,
                    "--server", server.url + "/", "--token", tokens[organisation]], check=True, capture_output=True)
    data = payload(book)
    conf = next(s for s in data["sheets"] if s["name"] == "xlwings.conf")["values"]
    settings = {row[0]: row[1] for row in conf}
    assert settings["TIMEOUT"] and int(settings["TIMEOUT"]) > 120_000  # longer than the server's time limit
    reply = httpx.post(settings["NASTAVNIK_SERVER"] + CALL + "validate", json=data,
                       headers={"Authorization": settings["AUTH"]}, timeout=120)
    assert [a["args"][1] for a in actions(reply, "addSheet")] == ["Проверка"]
