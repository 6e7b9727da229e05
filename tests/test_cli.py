"""The CLI contract: exit 0 clean, 1 findings, 2 unusable input (Russian message, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from books import minimal_sheets, write_book


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def assert_clean_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert "Ошибка" in result.stderr
    for w in words:
        assert w in result.stderr


def test_new_then_info_json(tmp_path: Path) -> None:
    path = tmp_path / "книга.xlsx"
    made = run("new", path, "--org", "МБОУ «Лицей № 2»", "--year", "2026")
    assert made.returncode == 0 and path.exists()
    info = run("info", path, "--format", "json")
    data = json.loads(info.stdout)
    assert data["organisation"]["org_name"] == "МБОУ «Лицей № 2»"
    assert data["organisation"]["reporting_year"] == 2026
    sheets = {s["key"]: s for s in data["sheets"]}
    assert sheets["roadmap"]["rows"] >= 29 and sheets["mentees"]["rows"] == 0
    # an empty book lacks the municipality and the curator: findings → exit 1
    assert info.returncode == 1
    assert {f["field"] for f in data["findings"]} == {"municipality", "curator"}


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "книга.xlsx"
    path.write_bytes(b"curator's data")
    result = run("new", path)
    assert_clean_error(result, "уже существует")
    assert path.read_bytes() == b"curator's data"


def test_info_clean_book_exits_0_and_prints_table(tmp_path: Path) -> None:
    path = write_book(tmp_path / "b.xlsx", minimal_sheets())
    result = run("info", path)
    assert result.returncode == 0, result.stderr
    assert "Наставляемые" in result.stdout and "Замечаний при чтении нет" in result.stdout


def test_info_findings_exit_1(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][1][4] = "32.13.2024"
    result = run("info", write_book(tmp_path / "b.xlsx", sheets), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["counts"] == {"bad-date": 1}
    assert data["findings"][0]["row"] == 2 and data["findings"][0]["column"] == "Дата начала"


def test_info_shows_normalised_headers(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставляемые"][0][1] = "ФИО наставляемого"
    data = json.loads(run("info", write_book(tmp_path / "b.xlsx", sheets), "--format", "json").stdout)
    mentees = next(s for s in data["sheets"] if s["key"] == "mentees")
    assert {"written": "ФИО наставляемого", "header": "ФИО", "field": "full_name", "how": "синоним"} in mentees["headers"]


def test_bad_inputs_exit_2(tmp_path: Path) -> None:
    assert_clean_error(run("info", tmp_path / "нет.xlsx"), "не найден")
    text = tmp_path / "отчёт.xlsx"
    text.write_text("не книга", encoding="utf-8")
    assert_clean_error(run("info", text), "не является книгой Excel")
    sheets = minimal_sheets()
    del sheets["Наставники"]
    assert_clean_error(run("info", write_book(tmp_path / "b.xlsx", sheets)), "«Наставники»")


def test_usage_errors_exit_2_in_russian() -> None:
    result = run("info")
    assert_clean_error(result, "не указан аргумент", "--help")
    assert_clean_error(run("new", "книга.txt"), ".xlsx")
    assert_clean_error(run("провериь"), "нет такой команды")
    assert_clean_error(run("demo", "x", "--schools", "ноль"), "«ноль» — не число")


def test_help_and_version_exit_0() -> None:
    assert run("--help").returncode == 0
    assert run("--version").returncode == 0


def test_demo_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "отчёт школы.xlsx").write_bytes(b"real data")
    assert_clean_error(run("demo", tmp_path, "--schools", "1"), "не пуста")
    assert (tmp_path / "отчёт школы.xlsx").read_bytes() == b"real data"


def test_demo_json(tmp_path: Path) -> None:
    result = run("demo", tmp_path / "демо", "--schools", "1", "--seed", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (book,) = data["books"]
    assert book["mentees"] > 50 and book["findings"] > 0 and data["planted"] > 0
    assert Path(data["manifest"]).exists() and Path(data["template"]).exists()
