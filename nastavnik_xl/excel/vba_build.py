"""``vbaProject.bin`` of the curator's book, built from the VBA sources in ``macros/``.

``macros/`` holds every module as text under version control:

- ``Nastavnik.bas`` — the dispatcher the buttons call (written by hand);
- ``Buttons.bas`` — one Sub per button, generated from ``buttons.BUTTONS``;
- ``xlwings.bas`` and ``Dictionary.cls`` — xlwings' standalone VBA module and the Dictionary class it
  needs on macOS, extracted with oletools from ``quickstart_standalone.xlsm`` of the installed, pinned
  xlwings (never copied by hand): ``python -m nastavnik_xl.excel.vba_build macros`` refreshes them
  and ``Buttons.bas``.

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
_KINDS = {".bas": ModuleKind.PROCEDURAL, ".cls": ModuleKind.CLASS}
_VERSION = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.MULTILINE)


def macros_dir() -> Path:
    return data_dir("macros")


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


def build_project(sheets: int, folder: Path | None = None) -> Project:
    """The project of a book with ``sheets`` worksheets: ThisWorkbook, Sheet1…SheetN, then macros/."""
    return Project(modules=(*excel_documents(sheets), *read_modules(folder)))


def build_vba_project(sheets: int, folder: Path | None = None) -> bytes:
    """``vbaProject.bin`` for ``xlsxwriter.Workbook.add_vba_project(io.BytesIO(...), is_stream=True)``."""
    return vba_project_bin(build_project(sheets, folder))


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


def write_macros(folder: Path | None = None) -> list[Path]:
    """Regenerate Buttons.bas and extract the xlwings modules into ``folder``; returns the files written."""
    folder = folder or macros_dir()
    files = {BUTTONS_FILE: buttons_module_source(), **extract_xlwings_modules()}
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nastavnik_xl.excel.vba_build",
                                     description="VBA-проект книги куратора из исходников macros/.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("macros", help="пересоздать Buttons.bas и извлечь модули xlwings (нужен oletools)")
    binary = commands.add_parser("bin", help="записать vbaProject.bin")
    binary.add_argument("path", type=Path)
    binary.add_argument("--sheets", type=int, default=0, help="число листов книги (модули Sheet1…SheetN)")
    args = parser.parse_args(argv)
    if args.command == "macros":
        for path in write_macros():
            print(path)
    else:
        args.path.write_bytes(build_vba_project(args.sheets))
        print(args.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
