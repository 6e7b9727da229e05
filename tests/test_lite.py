"""xlwings Lite: workbook/lite/main.py runs the buttons' scripts where python-calamine and OR-Tools do not
exist (Pyodide has neither). Pyodide itself cannot run here: the scripts run under CPython with both
packages made unimportable, through xlwings' own ``custom_scripts_call`` on the main module (what xlwings
Lite calls), on the remote engine's book."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from excel_payload import payload
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "workbook" / "lite"

PYODIDE_HARNESS = r"""
import asyncio, importlib.abc, json, os, runpy, sys

class NotInPyodide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("python_calamine", "ortools"):
            raise ImportError(f"{name} is not available in Pyodide")
        return None

sys.meta_path.insert(0, NotInPyodide())
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
import types
import xlwings as xw
from xlwings.server import custom_scripts_call

main = types.ModuleType("main")
main.__dict__.update(runpy.run_path(sys.argv[1]))
data = json.load(open(sys.argv[2], encoding="utf-8"))
out = {}
for script in ("validate", "coverage", "monitor", "pair"):
    book = xw.Book(json=json.loads(json.dumps(data)))
    asyncio.run(custom_scripts_call(main, script, typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    out[script] = {"sheets": [a["args"][1] for a in actions if a["func"] == "addSheet"],
                   "alerts": [a["args"][0] for a in actions if a["func"] == "alert"]}
out["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("python_calamine", "ortools"))
print(json.dumps(out, ensure_ascii=False))
"""


def test_main_py_runs_the_scripts_without_calamine_and_ortools(school: Path, tmp_path: Path) -> None:
    data = tmp_path / "book.json"
    data.write_text(json.dumps(payload(school)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", PYODIDE_HARNESS, str(LITE / "main.py"), str(data)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["loaded"] == []
    assert out["validate"]["sheets"] == ["Проверка"] and out["coverage"]["sheets"] == ["Охват"]
    assert out["monitor"]["sheets"] == ["Мониторинг"]
    assert out["pair"]["sheets"] == [] and "Подбор пар здесь недоступен" in out["pair"]["alerts"][0]


def test_the_packages_pyodide_lacks_are_not_required_there() -> None:
    deps = [Requirement(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    pyodide = {"sys_platform": "emscripten", "platform_system": "Emscripten"}
    skipped = {d.name for d in deps if d.marker is not None and not d.marker.evaluate(pyodide)}
    assert skipped == {"python-calamine", "ortools"}
    assert all(d.marker is None or d.marker.evaluate({"sys_platform": "linux"}) for d in deps)


def test_requirements_name_the_package_wheel() -> None:
    lines = [ln for ln in (LITE / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines == ["https://АДРЕС-МНЦ/nastavnik_xl-0.1.0-py3-none-any.whl"]
