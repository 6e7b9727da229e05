"""LibreOffice opens the .xlsm, loads our VBA modules and binds every button to its Sub.

LibreOffice is driven through python3-uno (Debian's ``python3-uno``, importable by the system Python, not
by the project's venv): a probe script started with that Python runs ``soffice`` headless with a fresh
profile, opens the book with macros never executed, and prints what it sees as JSON — the Basic
libraries and their modules' source, every form control of every sheet with the script its
«actionPerformed» event calls, the database ranges (Excel Tables) and a validation list.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest
from test_vba import SHEETS, build_test_xlsm

from nastavnik_xl.excel import vba_build
from nastavnik_xl.excel.buttons import BUTTONS, BUTTONS_MODULE

pytestmark = pytest.mark.libreoffice

PROBE = r'''
import json, os, shutil, subprocess, sys, tempfile, time
import uno
from com.sun.star.beans import PropertyValue

soffice, book = sys.argv[1], sys.argv[2]
profile = tempfile.mkdtemp(prefix="nastavnik-lo-uno-")
pipe = "nastavnik_probe_%d" % os.getpid()
proc = subprocess.Popen([soffice, "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--headless",
                         "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                         "--accept=pipe,name=%s;urp;" % pipe], stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    ctx = None
    for _ in range(600):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 0)))
    out = {"sheets": list(doc.Sheets.ElementNames), "libraries": {}, "controls": [],
           "database_ranges": list(doc.DatabaseRanges.ElementNames)}
    libraries = doc.BasicLibraries
    for name in libraries.ElementNames:
        libraries.loadLibrary(name)
        library = libraries.getByName(name)
        out["libraries"][name] = {m: library.getByName(m) for m in library.ElementNames}
    for sheet in doc.Sheets:
        forms = sheet.DrawPage.Forms
        for f in range(forms.Count):
            form = forms.getByIndex(f)
            for c in range(form.Count):
                control = form.getByIndex(c)
                events = [[e.EventMethod, e.ScriptType, e.ScriptCode] for e in form.getScriptEvents(c)]
                out["controls"].append({"sheet": sheet.Name, "label": control.Label, "events": events})
    validation = doc.Sheets.getByName(sys.argv[3]).getCellRangeByName("B2").Validation
    out["validation"] = {"type": validation.Type.value, "formula": validation.getFormula1()}
    print(json.dumps(out, ensure_ascii=False))
    doc.close(True)
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
    shutil.rmtree(profile, ignore_errors=True)
'''


def uno_python() -> str:
    """A Python that can import uno (python3-uno); skip locally, fail on CI when there is none."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True,
                                        check=False).returncode == 0:
            return candidate
    message = "python3-uno is not installed (no Python that can import uno)"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}; it is required when CI=true", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def seen(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What LibreOffice sees in the test book."""
    python = uno_python()
    folder = tmp_path_factory.mktemp("lo")
    book = build_test_xlsm(folder / "Наставничество.xlsm")
    probe = folder / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    result = subprocess.run([python, str(probe), soffice, str(book), SHEETS[1]], capture_output=True, text=True,
                            timeout=300, check=False, cwd=folder)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_libreoffice_loads_every_vba_module(seen: dict[str, Any]) -> None:
    modules = seen["libraries"]["VBAProject"]
    expected = {m.name for m in vba_build.build_project(len(SHEETS)).modules}
    assert set(modules) == expected
    for module in vba_build.read_modules():
        code = modules[module.name]
        assert "Option VBASupport 1" in code  # LibreOffice runs it as VBA
        body = [line for line in module.source.splitlines() if line.strip() and not line.startswith("Attribute")]
        assert all(line in code for line in body[:40]), module.name
    assert "Не удалось запустить Python" in modules["Nastavnik"]  # Cyrillic read through code page 1251


def test_libreoffice_binds_every_button_to_its_sub(seen: dict[str, Any]) -> None:
    controls = [c for c in seen["controls"] if c["sheet"] == SHEETS[0]]
    assert [c["label"] for c in controls] == [b.caption for b in BUTTONS]
    for control, b in zip(controls, BUTTONS):
        script = f"vnd.sun.star.script:VBAProject.{BUTTONS_MODULE}.{b.macro}?language=Basic&location=document"
        assert ["actionPerformed", "Script", script] in control["events"], control


def test_libreoffice_keeps_sheets_tables_and_dropdowns(seen: dict[str, Any]) -> None:
    assert seen["sheets"] == list(SHEETS)
    assert "Наставники" in seen["database_ranges"]
    assert seen["validation"]["type"] == "LIST" and "активен" in seen["validation"]["formula"]
