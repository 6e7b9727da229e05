"""A book for a school without Python: its buttons call the МНЦ's server (xlwings Server) instead of RunPython.

``new_book(..., server=ServerLink(url, token))`` gives an .xlsm whose VBA project also holds xlwings' server
modules (macros/server/), whose «xlwings.conf» sheet names the server (NASTAVNIK_SERVER) and the token (AUTH,
the Authorization header RunRemotePython sends), and whose «Панель» says the buttons work through the server.
The data sheets are those of the desktop book: the package reads both alike.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_vba import vba_of

from nastavnik_xl.actions.template import new_book
from nastavnik_xl.actions.validate import validate_book
from nastavnik_xl.book.builder import (
    BUTTONS_SECTION,
    INSTRUCTIONS,
    SERVER_BUTTONS_SECTION,
    SERVER_INSTRUCTIONS,
    SERVER_WAIT_MS,
    XLWINGS_CONF,
    XLWINGS_SETTINGS,
)
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.server_link import AUTH_SETTING, SERVER_SETTING, ServerLink
from nastavnik_xl.excel import vba_build
from nastavnik_xl.excel.buttons import BUTTONS, BUTTONS_MODULE, DISPATCHER_MODULE
from nastavnik_xl.findings import BookError
from nastavnik_xl.schema import PANEL_NAME
from nastavnik_xl.vba.project import ModuleKind

URL = "https://mnc.example.ru/nastavnik/"
TOKEN = "q3X_9-kLmN0pQrStUvWxYz0123456789"
TODAY = dt.date(2026, 9, 1)
SERVER_MODULES = {Path(n).stem for n in vba_build.XLWINGS_SERVER_MODULES}


def _book(path: Path, server: ServerLink | None = None) -> Path:
    return new_book(path, org_name="МБОУ СОШ № 5", year=2026, today=TODAY, server=server)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("server-book")
    return {"server": _book(folder / "Наставничество (сервер).xlsm", ServerLink(URL, TOKEN)),
            "desktop": _book(folder / "Наставничество.xlsm")}


# --- the VBA project ----------------------------------------------------------------------------------


def test_olevba_reads_every_module_of_a_server_book(books: dict[str, Path]) -> None:
    """oletools reads our modules, xlwings' and the server route's (Remote and VBA-Web's classes), each with the
    source of its file."""
    modules = vba_of(books["server"])
    expected = vba_build.build_project(len(openpyxl.load_workbook(books["server"]).sheetnames), server=True)
    assert set(modules) == {m.name for m in expected.modules}
    assert SERVER_MODULES | {"xlwings", "Dictionary", BUTTONS_MODULE, DISPATCHER_MODULE} <= set(modules)
    for folder in (vba_build.macros_dir(), vba_build.server_macros_dir()):
        for module in vba_build.read_modules(folder):
            assert modules[module.name].replace("\r\n", "\n") == module.source, module.name
    assert "Function RunRemotePython(" in modules["Remote"] and "Public Function Execute(" in modules["WebClient"]
    assert SERVER_MODULES.isdisjoint(vba_of(books["desktop"]))


def test_the_dispatcher_calls_the_server_when_the_book_names_one(books: dict[str, Path]) -> None:
    """NastavnikRun reads NASTAVNIK_SERVER from the sheet; with it, RunRemotePython (late-bound: the desktop book
    has no Remote module) posts to <server>/xlwings/custom-scripts-call/<action>?argument=<hex UTF-16>."""
    code = vba_of(books["server"])[DISPATCHER_MODULE]
    assert 'GetConfig(SERVER_SETTING, "", "sheet")' in code and f'SERVER_SETTING As String = "{SERVER_SETTING}"' in code
    assert 'SERVER_ROUTE As String = "/xlwings/custom-scripts-call/"' in code
    assert re.search(r'url = server & SERVER_ROUTE & action\r\n', code)
    assert 'url = url & "?argument=" & HexUtf16(argument)' in code
    assert re.search(r"^\s*Application\.Run .*'!RunRemotePython\", url\r$", code, re.MULTILINE)
    assert not re.search(r"^\s*RunRemotePython\b", code, re.MULTILINE)  # never called directly: it must compile
    assert "обратитесь в МНЦ" in code and "NASTAVNIK_SERVER на листе" in code
    assert "RunPython ENTRY" in code  # the desktop route stays
    assert vba_of(books["desktop"])[DISPATCHER_MODULE] == code


def test_buttons_are_bound_to_the_same_macros(books: dict[str, Path]) -> None:
    def macros(path: Path) -> list[str]:
        with zipfile.ZipFile(path) as z:
            vml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing"))
        return re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)

    assert macros(books["server"]) == macros(books["desktop"]) == [b.macro for b in BUTTONS]


# --- the sheets -------------------------------------------------------------------------------------


def test_xlwings_conf_holds_the_server_and_the_token(books: dict[str, Path]) -> None:
    """Column A from A1 down (what xlwings' GetConfigFromSheet reads, upper-cased): the server without the
    trailing slash and «Bearer <token>»; none of the local-Python settings, which mean nothing there."""
    ws = openpyxl.load_workbook(books["server"])[XLWINGS_CONF]
    rows = [row[:2] for row in ws.iter_rows(values_only=True)]
    assert rows == [(SERVER_SETTING, URL.rstrip("/")), (AUTH_SETTING, f"Bearer {TOKEN}"),
                    ("TIMEOUT", str(SERVER_WAIT_MS))]  # xlwings waits 30 s unless told
    assert all(ws.cell(r, 3).value for r in (1, 2, 3))  # each with a note
    assert not {key for key, _, _ in XLWINGS_SETTINGS} & {key for key, _ in rows}
    desktop = openpyxl.load_workbook(books["desktop"])[XLWINGS_CONF]
    assert [row[0] for row in desktop.iter_rows(values_only=True)] == [key for key, _, _ in XLWINGS_SETTINGS]


def test_panel_says_the_buttons_work_through_the_server(books: dict[str, Path]) -> None:
    def texts(path: Path) -> set[str]:
        ws = openpyxl.load_workbook(path)[PANEL_NAME]
        return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}

    server, desktop = texts(books["server"]), texts(books["desktop"])
    assert set(SERVER_INSTRUCTIONS) | {SERVER_BUTTONS_SECTION} <= server
    assert INSTRUCTIONS[-1] not in server and BUTTONS_SECTION not in server
    assert "сервер МНЦ" in SERVER_INSTRUCTIONS[-1] and "Python на компьютере не нужен" in SERVER_INSTRUCTIONS[-1]
    assert set(INSTRUCTIONS) | {BUTTONS_SECTION} <= desktop and SERVER_BUTTONS_SECTION not in desktop


def test_the_server_book_reads_as_the_desktop_book(books: dict[str, Path]) -> None:
    server, desktop = read_book(books["server"]), read_book(books["desktop"])
    assert server.extra_sheets == [] and server.missing_sheets == desktop.missing_sheets
    assert {k: t.rows for k, t in server.tables.items()} == {k: t.rows for k, t in desktop.tables.items()}

    def found(book: Any) -> list[tuple[str, str, str]]:
        return sorted((f.code, f.sheet, f.message) for f in book.all_findings())

    assert found(server) == found(desktop)
    assert [f.model_dump() for f in validate_book(server, TODAY).findings] == \
        [f.model_dump() for f in validate_book(desktop, TODAY).findings]


def test_a_server_book_is_built_the_same_every_time(tmp_path: Path) -> None:
    link = ServerLink(URL, TOKEN)
    assert _book(tmp_path / "a.xlsm", link).read_bytes() == _book(tmp_path / "b.xlsm", link).read_bytes()


# --- what is refused --------------------------------------------------------------------------------------


def test_a_server_link_needs_an_xlsm(tmp_path: Path) -> None:
    with pytest.raises(BookError) as caught:
        _book(tmp_path / "школа.xlsx", ServerLink(URL, TOKEN))
    assert caught.value.code == "usage" and ".xlsm" in caught.value.message
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


@pytest.mark.parametrize("url", [
    "", "mnc.example.ru", "ftp://mnc.example.ru", "https://", "https:///nastavnik", "https://mnc example.ru",
    " https://mnc.example.ru", "https://mnc.example.ru ", "https://mnc.example.ru/?a=1", "https://mnc.example.ru#x",
    "https://наставник.рф", "https://mnc.example.ru:порт", "https://mnc.example.ru:abc",
    "https://mnc.example.ru:99999", "javascript:alert(1)",
])
def test_a_bad_server_address_is_refused(url: str) -> None:
    with pytest.raises(BookError) as caught:
        ServerLink(url, TOKEN)
    assert caught.value.code == "usage" and "Адрес сервера МНЦ" in caught.value.message


@pytest.mark.parametrize("url", ["https://mnc.example.ru", "HTTPS://MNC.example.ru/", "http://10.0.0.5:8000",
                                 "https://mnc.example.ru/nastavnik//", "https://xn--80aaf0a4b2b.xn--p1ai"])
def test_a_good_server_address_is_taken(url: str) -> None:
    link = ServerLink(url, TOKEN)
    assert not link.base_url.endswith("/") and link.authorization == f"Bearer {TOKEN}"


@pytest.mark.parametrize("token", ["", "Bearer abc", "токен", "abc\tdef", "abc\n"])
def test_a_bad_token_is_refused(token: str) -> None:
    with pytest.raises(BookError) as caught:
        ServerLink(URL, token)
    assert caught.value.code == "usage" and "токен" in caught.value.message.lower()


# --- LibreOffice -----------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_loads_every_module_of_a_server_book(books: dict[str, Path], soffice: str,
                                                         tmp_path: Path) -> None:
    """LibreOffice loads all modules of the server book, the class modules of VBA-Web as class modules, and
    binds the buttons as in the desktop book. (It loads the code; it does not run the server route, which
    needs Excel: xlwings' GetConfig reads the sheet «xlwings.conf» in Microsoft Excel only.)"""
    from test_xlsm_libreoffice import PROBE, uno_python

    python = uno_python()
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    result = subprocess.run([python, str(probe), soffice, str(books["server"]), "Наставники"], capture_output=True,
                            text=True, timeout=300, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    modules = seen["libraries"]["VBAProject"]
    sheets = len(seen["sheets"])
    assert set(modules) == {m.name for m in vba_build.build_project(sheets, server=True).modules}
    for folder in (vba_build.macros_dir(), vba_build.server_macros_dir()):
        for module in vba_build.read_modules(folder):
            code = modules[module.name]
            assert "Option VBASupport 1" in code, module.name
            kind = "VBAClassModule" if module.kind is ModuleKind.CLASS else "VBAModule"
            assert f"Rem Attribute VBA_ModuleType={kind}\n" in code, module.name
            body = [line for line in module.source.splitlines() if line.strip() and not line.startswith("Attribute")]
            assert all(line in code for line in body), module.name
    assert "RunRemotePython" in modules[DISPATCHER_MODULE] and "обратитесь в МНЦ" in modules[DISPATCHER_MODULE]
    controls = [c for c in seen["controls"] if c["sheet"] == PANEL_NAME]
    assert [c["label"] for c in controls] == [b.caption for b in BUTTONS]
    for control, b in zip(controls, BUTTONS):
        script = f"vnd.sun.star.script:VBAProject.{BUTTONS_MODULE}.{b.macro}?language=Basic&location=document"
        assert ["actionPerformed", "Script", script] in control["events"], control


def test_building_a_server_book_needs_no_xlwings(tmp_path: Path) -> None:
    """The МНЦ builds books for schools where xlwings may not be installed: the builder never imports it."""
    script = ("import sys; sys.modules['xlwings'] = None\n"
              "from pathlib import Path\n"
              "from nastavnik_xl.actions.template import new_book\n"
              "from nastavnik_xl.book.server_link import ServerLink\n"
              f"new_book(Path({str(tmp_path / 'школа.xlsm')!r}), server=ServerLink({URL!r}, {TOKEN!r}))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "школа.xlsm").is_file()
