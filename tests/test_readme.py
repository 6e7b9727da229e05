"""The README's set-up commands and CI stay the same command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block, "README must start with a bash block of the two set-up commands"
    return [line for line in block[1].splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_two_commands_demo_and_tests() -> None:
    demo, tests = readme_commands()
    assert "nastavnik demo" in demo and "pip install ." in demo
    assert "pytest" in tests and ".[test]" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_commands()[1] in ci
