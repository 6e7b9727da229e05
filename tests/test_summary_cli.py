"""`nastavnik summary` as the МНЦ runs it: a folder of books, one broken, the summary and the registry file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from books import write_book
from validate_books import clean_sheets


def test_summary_command_writes_both_files_and_lists_the_broken_book(tmp_path: Path) -> None:
    folder = tmp_path / "от школ"
    folder.mkdir()
    write_book(folder / "школа 7.xlsx", clean_sheets())
    (folder / "сломанная.xlsx").write_bytes(b"PK\x03\x04 not really a book")
    (folder / "~$школа 7.xlsx").write_bytes(b"lock")
    out = tmp_path / "сводка.xlsx"
    result = subprocess.run([sys.executable, "-m", "nastavnik_xl", "summary", str(folder), "-o", str(out),
                             "--period", "2025Q1", "--format", "json", "--quiet"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1, result.stderr  # a book could not be read
    data = json.loads(result.stdout)
    assert data["files"] == 2 and len(data["unreadable"]) == 1
    assert out.exists() and Path(data["registry_file"]).exists()
    for name in ("Кузнецов", "Смирнова", "Петров", "Орлова", "Волков"):  # people of pairs active in 2025Q1
        assert name not in result.stdout


def test_summary_refuses_period_and_date_together(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "nastavnik_xl", "summary", str(tmp_path), "-o",
                             str(tmp_path / "с.xlsx"), "--period", "2025Q1", "--date", "01.02.2025"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "--period" in result.stderr
