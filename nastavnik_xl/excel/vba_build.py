"""``vbaProject.bin`` of the curator's book, built from the VBA sources in ``macros/``.

``macros/`` holds every module as text under version control:

- ``Nastavnik.bas`` — the dispatcher the buttons call (written by hand);
- ``Buttons.bas`` — one Sub per button, generated from ``buttons.BUTTONS``;
- ``xlwings.bas`` and ``Dictionary.cls`` — xlwings' standalone VBA module and the Dictionary class it
  needs on macOS, extracted with oletools from ``quickstart_standalone.xlsm`` of the installed, pinned
  xlwings (never copied by hand);
- ``server/`` — the modules of xlwings' server route (``RunRemotePython``/``RunServerPython``: Remote.bas
  and VBA-Web's classes), copied from the installed xlwings' ``addin/`` folder, the list xlwings' own
  ``import_remote_modules`` imports. Only a book whose buttons call the МНЦ's server has them
  (``build_vba_project(..., server=True)``).

``python -m nastavnik_xl.excel.vba_build macros`` refreshes ``Buttons.bas``, the xlwings modules and
``server/``.

The files are stored with LF line ends in UTF-8; the project stores CR LF in code page 1251. The same
sources and sheet count always give the same bytes. Building needs neither xlwings nor oletools.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from nastavnik_xl.excel.buttons import buttons_module_source
from nastavnik_xl.resources import data_dir
from nastavnik_xl.vba.project import Module, ModuleKind, Project, excel_documents, vba_project_bin

XLWINGS_SOURCE_BOOK = "quickstart_standalone.xlsm"
XLWINGS_MODULES = ("xlwings.bas", "Dictionary.cls")  # the VBA of XLWINGS_SOURCE_BOOK the standalone route needs
BUTTONS_FILE = "Buttons.bas"
SERVER_FOLDER = "server"  # inside macros/
XLWINGS_ADDIN_FOLDER = "addin"  # inside the xlwings package: the add-in's modules as VBE exported them
# xlwings' server route, as xlwings' cli.import_remote_modules lists it (it needs xlwings.bas and Dictionary.cls too)
XLWINGS_SERVER_MODULES = ("Remote.bas", "IWebAuthenticator.cls", "WebClient.cls", "WebRequest.cls",
                          "WebResponse.cls", "WebHelpers.bas")
# What Excel adds to a class module's attributes when it imports a .cls (checked on xlwings.xlam, whose
# classes Excel imported from the same addin/ files): the base of every class module after VB_Name, and two
# flags after VB_Exposed.
CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
CLASS_FLAGS = ("Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False")
_KINDS = {".bas": ModuleKind.PROCEDURAL, ".cls": ModuleKind.CLASS}
_VERSION = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.MULTILINE)


def macros_dir() -> Path:
    return data_dir("macros")


def server_macros_dir(folder: Path | None = None) -> Path:
    """The modules of xlwings' server route: ``server/`` inside ``folder`` (macros/)."""
    return (folder or macros_dir()) / SERVER_FOLDER


def module_files(folder: Path | None = None) -> list[Path]:
    """The module files of ``folder`` in build order: .bas by name, then .cls by name."""
    folder = folder or macros_dir()
    return sorted((p for p in folder.iterdir() if p.suffix in _KINDS), key=lambda p: (p.suffix != ".bas", p.name))


def read_modules(folder: Path | None = None) -> list[Module]:
    """The code modules of ``macros/`` (a module's name comes from its «Attribute VB_Name» line)."""
    modules = []
    for path in module_files(folder):
        module = Module.from_source(path.read_text(encoding="utf-8"), _KINDS[path.suffix])
        if module.name != path.stem:
            raise ValueError(f"{path.name}: the module is named «{module.name}», the file should be {module.name}"
                             f"{path.suffix}")
        modules.append(module)
    return modules


def build_project(sheets: int, folder: Path | None = None, server: bool = False) -> Project:
    """The project of a book with ``sheets`` worksheets: ThisWorkbook, Sheet1…SheetN, then macros/ and, for a
    book whose buttons call the МНЦ's server, macros/server/."""
    modules = [*excel_documents(sheets), *read_modules(folder)]
    if server:
        modules += read_modules(server_macros_dir(folder))
    return Project(modules=tuple(modules))


def build_vba_project(sheets: int, folder: Path | None = None, server: bool = False) -> bytes:
    """``vbaProject.bin`` for ``xlsxwriter.Workbook.add_vba_project(io.BytesIO(...), is_stream=True)``."""
    return vba_project_bin(build_project(sheets, folder, server))


def xlwings_version_of(source: str) -> str:
    """The xlwings version an xlwings VBA module was made for (its XLWINGS_VERSION constant)."""
    m = _VERSION.search(source)
    if not m:
        raise ValueError("no XLWINGS_VERSION constant in the xlwings VBA module")
    return m.group(1)


# --- refreshing macros/ (a maintenance step; needs xlwings and oletools installed) ----------------------


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def xlwings_package_dir() -> Path:
    """The installed xlwings package, found without importing it."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise RuntimeError("xlwings is not installed")
    return Path(spec.origin).parent


def extract_xlwings_modules(book: Path | None = None) -> dict[str, str]:
    """The VBA of xlwings' standalone quickstart book, by file name (LF line ends), through oletools."""
    from oletools.olevba import VBA_Parser

    book = book or xlwings_package_dir() / XLWINGS_SOURCE_BOOK
    parser = VBA_Parser(str(book))
    try:
        found = {name: _lf(code) for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    missing = [n for n in XLWINGS_MODULES if n not in found]
    if missing:
        raise RuntimeError(f"{book.name} has no {', '.join(missing)}")
    return {name: found[name] for name in XLWINGS_MODULES}


def stored_source(exported: str, kind: ModuleKind) -> str:
    """A module file as the VBA editor exports it, turned into the source a project stores (LF line ends).

    A class file starts with a header the editor reads on import and does not keep («VERSION 1.0 CLASS»,
    «BEGIN», «MultiUse = -1», «END»); in the project the class's attributes gain its base and two flags, as
    Excel adds them on import (``macros/Dictionary.cls``, extracted from a book Excel saved, has the same
    lines). A .bas file only changes its line ends.
    """
    lines = _lf(exported).split("\n")
    if kind is not ModuleKind.CLASS:
        return "\n".join(lines)
    if lines[:2] != ["VERSION 1.0 CLASS", "BEGIN"] or "END" not in lines:
        raise ValueError("a class file should start with «VERSION 1.0 CLASS», «BEGIN» … «END»")
    lines = lines[lines.index("END") + 1:]
    if not lines[0].startswith("Attribute VB_Name = "):
        raise ValueError("a class file's code should start with «Attribute VB_Name»")
    if any(line.startswith("Attribute VB_Base =") for line in lines):
        raise ValueError("the class file already names its base")
    exposed = next((i for i, line in enumerate(lines) if line.startswith("Attribute VB_Exposed =")), None)
    if exposed is None:
        raise ValueError("a class file should have «Attribute VB_Exposed»")
    return "\n".join([lines[0], CLASS_BASE, *lines[1:exposed + 1], *CLASS_FLAGS, *lines[exposed + 1:]])


def xlwings_server_modules(addin: Path | None = None) -> dict[str, str]:
    """The modules of xlwings' server route from the installed xlwings' ``addin/`` folder, by file name, as a
    project stores them (:func:`stored_source`)."""
    addin = addin or xlwings_package_dir() / XLWINGS_ADDIN_FOLDER
    modules = {}
    for name in XLWINGS_SERVER_MODULES:
        path = addin / name
        if not path.is_file():
            raise RuntimeError(f"the installed xlwings has no {XLWINGS_ADDIN_FOLDER}/{name}")
        modules[name] = stored_source(path.read_bytes().decode("utf-8"), _KINDS[path.suffix])
    return modules


def write_macros(folder: Path | None = None) -> list[Path]:
    """Regenerate Buttons.bas, extract the xlwings modules into ``folder`` and copy the modules of xlwings'
    server route into its ``server/``; returns the files written."""
    folder = folder or macros_dir()
    server = server_macros_dir(folder)
    server.mkdir(exist_ok=True)
    files = {folder / BUTTONS_FILE: buttons_module_source(),
             **{folder / name: text for name, text in extract_xlwings_modules().items()},
             **{server / name: text for name, text in xlwings_server_modules().items()}}
    for stale in module_files(server):  # a module a newer xlwings no longer ships
        if stale not in files:
            stale.unlink()
    for path, text in files.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    return list(files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nastavnik_xl.excel.vba_build",
                                     description="VBA-проект книги куратора из исходников macros/.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("macros", help="пересоздать Buttons.bas, извлечь модули xlwings и скопировать в macros/server/ "
                                       "модули работы через сервер (нужен oletools)")
    binary = commands.add_parser("bin", help="записать vbaProject.bin")
    binary.add_argument("path", type=Path)
    binary.add_argument("--sheets", type=int, default=0, help="число листов книги (модули Sheet1…SheetN)")
    binary.add_argument("--server", action="store_true", help="с модулями macros/server/ (кнопки через сервер МНЦ)")
    args = parser.parse_args(argv)
    if args.command == "macros":
        for path in write_macros():
            print(path)
    else:
        args.path.write_bytes(build_vba_project(args.sheets, server=args.server))
        print(args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
