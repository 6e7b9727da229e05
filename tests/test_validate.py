"""Validation: each rule on a book that breaks it and on one that satisfies it; reports; the CLI."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from books import write_book
from validate_books import BREAKS, ON, clean_sheets

from nastavnik_xl.actions.validate import RULES, validate_book, validate_path
from nastavnik_xl.book.reader import read_book


def _report(tmp_path: Path, change=None, name: str = "book.xlsx"):  # type: ignore[no-untyped-def]
    sheets = clean_sheets()
    if change:
        change(sheets)
    return validate_path(write_book(tmp_path / name, copy.deepcopy(sheets)), ON)


def test_the_clean_book_satisfies_every_rule(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert report.findings == [], [f"{f.code}: {f.message}" for f in report.findings]
    assert report.valid and report.errors == 0 and report.warnings == 0


def test_every_rule_code_has_a_breaking_book() -> None:
    codes = {c for r in RULES for c in r.codes}
    assert codes == set(BREAKS), (codes - set(BREAKS), set(BREAKS) - codes)


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_a_book_that_breaks_the_rule(tmp_path: Path, code: str) -> None:
    change, sheet, row = BREAKS[code]
    report = _report(tmp_path, change)
    hits = [f for f in report.findings if f.code == code]
    assert hits, f"{code} not found; got {[(f.code, f.sheet, f.row) for f in report.findings]}"
    assert any(f.sheet == sheet and f.row == row for f in hits), [(f.sheet, f.row) for f in hits]
    for f in hits:
        assert f.message and f.message.lstrip("«")[0].isupper() and any("а" <= ch <= "я" for ch in f.message.lower())
    assert report.counts[code] == len(hits)


def test_one_problem_is_reported_once(tmp_path: Path) -> None:
    """A Latin look-alike is not also an unknown mentee; a date typed wrongly is not also a blank."""
    change, _, _ = BREAKS["latin-lookalike-id"]
    report = _report(tmp_path, change)
    assert "unknown-mentee-id" not in report.counts
    sheets = clean_sheets()
    sheets["Пары"][2][5] = "31.04.2024"  # П-2's start date: no such day
    report = validate_path(write_book(tmp_path / "bad-date.xlsx", sheets), ON)
    codes = [f.code for f in report.findings if f.sheet == "Пары" and f.row == 3]
    assert codes == ["bad-date"]


def test_minor_consent_message_names_the_legal_representative(tmp_path: Path) -> None:
    report = _report(tmp_path, BREAKS["pd-consent-missing"][0])
    (finding,) = [f for f in report.findings if f.code == "pd-consent-missing"]
    assert "законного представителя" in finding.message


def test_an_adult_consent_message_does_not(tmp_path: Path) -> None:
    from validate_books import put

    report = _report(tmp_path, put("Наставляемые", "НЯ-3", "Согласие на обработку ПДн (дата)", None))
    (finding,) = [f for f in report.findings if f.code == "pd-consent-missing"]
    assert "законного представителя" not in finding.message


def test_the_date_of_the_check_matters(tmp_path: Path) -> None:
    """Meetings go quiet only as of a later day; the roadmap item is overdue only after its date."""
    import datetime as dt

    path = write_book(tmp_path / "book.xlsx", clean_sheets())
    book = read_book(path)
    assert validate_book(book, ON).findings == []
    later = validate_book(book, dt.date(2025, 7, 1))
    assert {"pair-no-meetings", "roadmap-overdue"} <= set(later.counts)


def test_report_json_is_complete(tmp_path: Path) -> None:
    report = _report(tmp_path, BREAKS["duplicate-id"][0])
    data = json.loads(report.model_dump_json())
    assert data["valid"] is False and data["errors"] == 1 and data["counts"] == {"duplicate-id": 1}
    (f,) = data["findings"]
    assert {"code", "severity", "sheet", "row", "column", "value", "message"} <= set(f)
    assert f["sheet"] == "Наставники" and f["row"] == 5 and f["column"] == "ID наставника"


# --- the command -------------------------------------------------------------------------------


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_cli_clean_book_exits_0(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", clean_sheets())
    result = run_cli("validate", path, "--date", "15.04.2025")
    assert result.returncode == 0, result.stderr
    assert "ошибок нет" in result.stdout


def test_cli_findings_exit_1_and_json_is_the_report(tmp_path: Path) -> None:
    sheets = clean_sheets()
    BREAKS["unknown-mentor-id"][0](sheets)
    path = write_book(tmp_path / "book.xlsx", sheets)
    result = run_cli("validate", path, "--date", "2025-04-15", "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["counts"] == {"unknown-mentor-id": 1} and data["on"] == "2025-04-15"


def test_cli_folder_lists_each_book_and_the_unreadable_one(tmp_path: Path) -> None:
    folder = tmp_path / "МНЦ"
    folder.mkdir()
    write_book(folder / "a.xlsx", clean_sheets())
    sheets = clean_sheets()
    BREAKS["duplicate-id"][0](sheets)
    write_book(folder / "b.xlsx", sheets)
    (folder / "c.xlsx").write_text("не книга", encoding="utf-8")
    (folder / "~$a.xlsx").write_bytes(b"lock")
    result = run_cli("validate", folder, "--date", "15.04.2025", "--format", "json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert [Path(b["book"]).name for b in data["books"]] == ["a.xlsx", "b.xlsx"]
    assert [Path(u["book"]).name for u in data["unreadable"]] == ["c.xlsx"]
    assert data["totals"] == {"books": 3, "unreadable": 1, "valid": 1, "errors": 1, "warnings": 0}
    text = run_cli("validate", folder, "--date", "15.04.2025")
    assert "не прочитана" in text.stdout and "a.xlsx" in text.stdout


def test_cli_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", clean_sheets())
    result = run_cli("validate", path, "--date", "вчера")
    assert result.returncode == 2 and "ДД.ММ.ГГГГ" in result.stderr and "Traceback" not in result.stderr


def test_cli_missing_book_exits_2(tmp_path: Path) -> None:
    result = run_cli("validate", tmp_path / "нет.xlsx")
    assert result.returncode == 2 and "не найден" in result.stderr
