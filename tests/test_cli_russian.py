"""The command line speaks Russian: help, usage errors, the bare command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nastavnik_xl.cli import main

NAMES = {"nastavnik", "Excel", "JSON", "ID", "xlsx", "xlsm", "xls", "ods", "table", "json", "LibreOffice", "h", "help", "version", "SWOT", "Dask", "Python", "xlwings", "Server"}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=60, env={"LANG": "C", "LC_ALL": "C", "PATH": "/usr/bin:/bin"})


def allowed_words() -> set[str]:
    words = set(NAMES) | set(main.commands)
    for command in [main, *main.commands.values()]:
        for param in command.params:
            for opt in getattr(param, "opts", []):
                words.update(w for w in re.split(r"[-_]", opt) if w)
            words.update(getattr(param.type, "choices", ()))  # values the issue names in English
    return words


@pytest.mark.parametrize("command", ["", *sorted(main.commands)])
def test_help_has_no_english_but_names(command: str) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    english = set(re.findall(r"[A-Za-z]{2,}", result.stdout)) - allowed_words()
    assert not english, english
    assert "Использование:" in result.stdout and "…" not in result.stdout.split("Команды:")[-1][:0]


def test_bare_command_prints_help_and_exits_0() -> None:
    result = run()
    assert result.returncode == 0 and "Команды:" in result.stdout
    for name in main.commands:
        assert re.search(rf"^  {name}\s+\S.*[.]$", result.stdout, re.MULTILINE), name  # listed whole, not cut


@pytest.mark.parametrize(("args", "expected"), [
    (("demo", "x", "--schools", "0"), "от 1 до 2000"),
    (("new", "книга.xlsx", "--year", "1990"), "от 2015 до 2040"),
    (("info", "/"), "папка"),
    (("new", "/нет-такой-папки/книга.xlsx"), "Папки «/нет-такой-папки» нет"),
    (("validate",), "не указан аргумент"),
])
def test_usage_errors_are_russian(args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert not re.search(r"\b(Usage|Error|Invalid|Missing|is not)\b", result.stderr), result.stderr


def test_demo_replaces_its_own_folder_but_not_a_foreign_one(tmp_path: Path) -> None:
    folder = tmp_path / "демо"
    first = run("demo", folder, "--schools", "2", "--format", "json")
    assert first.returncode == 0, first.stderr
    second = run("demo", folder, "--schools", "1", "--format", "json")
    assert second.returncode == 0, second.stderr
    assert len(list(folder.glob("school-*.xlsm"))) == 1  # the old second school is gone
    (folder / "мой отчёт.xlsx").write_bytes(b"data")
    third = run("demo", folder, "--schools", "1")
    assert third.returncode == 2 and "не пуста" in third.stderr
    assert (folder / "мой отчёт.xlsx").read_bytes() == b"data"
