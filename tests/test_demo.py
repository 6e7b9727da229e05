"""The demo region: deterministic, readable, near the targets, with mistakes exactly where the manifest says."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from xml.etree import ElementTree

import pytest
from faker import Faker
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.actions.coverage import coverage
from nastavnik_xl.actions.demo import (
    DEFAULT_MISTAKE_RATE,
    LABOUR_CODE_351_8,
    MISTAKE_KINDS,
    SPO,
    DemoRegion,
    generate_region,
    region_plan,
    school_content,
)
from nastavnik_xl.actions.template import finish_content
from nastavnik_xl.book.builder import BookContent, BookWorkbook, build_book
from nastavnik_xl.book.model import Book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.dates import academic_year_start
from nastavnik_xl.schema import lookups, variants_by_form

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 16)
TYPE_CODES = {"bad-date", "date-as-text", "bad-number", "unknown-value", "lookup-synonym", "bad-yesno"}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory: pytest.TempPathFactory) -> DemoRegion:
    """Four schools at the default mistake rate."""
    return generate_region(tmp_path_factory.mktemp("spoiled"), schools=4, seed=3, today=TODAY)


@pytest.fixture(scope="module")
def spoiled_books(spoiled: DemoRegion) -> list[Book]:
    return [read_book(p) for p in spoiled.books]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> DemoRegion:
    """Three schools without mistakes."""
    return generate_region(tmp_path_factory.mktemp("clean"), schools=3, seed=5, mistake_rate=0, today=TODAY)


@pytest.fixture(scope="module")
def clean_books(clean: DemoRegion) -> list[Book]:
    return [read_book(p) for p in clean.books]


def sheet_rows(book: Path, sheet: str) -> list[list[object]]:
    with CalamineWorkbook.from_path(str(book)) as wb:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cell_of(rows: list[list[object]], row: int, column: str) -> tuple[object, int]:
    """The value under ``column`` in Excel row ``row`` (the nearest header row above it), and its column index."""
    header_at = next(i for i in range(row - 2, -1, -1) if column in rows[i])
    col = rows[header_at].index(column)
    line = rows[row - 1]
    return (line[col] if col < len(line) else ""), col


def same_value(cell: object, value: object, written_as: str) -> bool:
    if written_as == "blank":
        return cell in ("", None)
    if written_as == "date":
        day = cell.date() if isinstance(cell, dt.datetime) else cell
        return isinstance(day, dt.date) and day.isoformat() == value
    if written_as == "number":
        return isinstance(cell, (int, float)) and float(cell) == float(value)  # type: ignore[arg-type]
    return cell == value


# --- determinism -------------------------------------------------------------------------------------


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_seed_gives_identical_bytes_even_in_another_process(tmp_path: Path) -> None:
    first = generate_region(tmp_path / "a", schools=2, seed=9, today=TODAY)
    script = ("import datetime as dt, sys; from pathlib import Path; "
              "from nastavnik_xl.actions.demo import generate_region; "
              f"generate_region(Path(sys.argv[1]), schools=2, seed=9, today=dt.date({TODAY.year}, {TODAY.month}, "
              f"{TODAY.day}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "b")], check=True, env=env, cwd=REPO)
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert set(a) == {p.name for p in first.books} | {"manifest.json"}
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def test_another_seed_gives_other_books(tmp_path: Path) -> None:
    one = generate_region(tmp_path / "one", schools=1, seed=1, today=TODAY)
    two = generate_region(tmp_path / "two", schools=1, seed=2, today=TODAY)
    assert one.books[0].read_bytes() != two.books[0].read_bytes()
    assert one.manifest.read_bytes() != two.manifest.read_bytes()


# --- the books read back -------------------------------------------------------------------------------


def test_every_book_reads_back_with_the_generated_row_counts(spoiled: DemoRegion, spoiled_books: list[Book]) -> None:
    manifest = json.loads(spoiled.manifest.read_text(encoding="utf-8"))
    assert manifest["region"] == {"municipality": spoiled.municipality, "schools": 4, "seed": 3,
                                  "today": TODAY.isoformat(), "mistake_rate": DEFAULT_MISTAKE_RATE}
    assert [s["book"] for s in manifest["schools"]] == [p.name for p in spoiled.books]
    for path, book, school in zip(spoiled.books, spoiled_books, manifest["schools"], strict=True):
        assert book.missing_sheets == []
        assert book.organisation is not None
        assert book.organisation.card["org_name"] == school["org_name"]
        assert book.organisation.card["municipality"] == spoiled.municipality
        read = {t.sheet.name: len(t.rows) for t in book.tables.values()}
        read[book.organisation.contingent.sheet_name] = sum(
            1 for r in book.organisation.contingent.rows if r.get("students_total") is not None)
        for sheet, count in school["rows"].items():
            assert read[sheet] == count, (path.name, sheet)
        assert school["rows"]["Пары"] > 100 and school["rows"]["Встречи"] > 100


def test_file_names_are_safe_everywhere(spoiled: DemoRegion) -> None:
    for path in spoiled.books:
        assert re.fullmatch(r"school-\d\d-[a-z0-9-]+\.xlsm", path.name), path.name


def test_clean_books_have_no_typing_findings(clean_books: list[Book]) -> None:
    for book in clean_books:
        codes = Counter(f.code for f in book.all_findings())
        assert not TYPE_CODES & set(codes), (book.path.name, codes)


def test_clean_books_are_consistent(clean_books: list[Book]) -> None:
    """What a validator checks finds nothing in a clean book: references, dates, loads, consents, ages."""
    for book in clean_books:
        mentors, mentees = book.table("mentors").rows, book.table("mentees").rows
        pairs, meetings, surveys = book.table("pairs").rows, book.table("meetings").rows, book.table("surveys").rows
        for table, key in ((mentors, "mentor_id"), (mentees, "mentee_id"), (meetings, "meeting_id"),
                           (surveys, "response_id")):
            ids = [r[key] for r in table]
            assert all(ids) and len(ids) == len(set(ids)), key
        mentor_by_id = {m["mentor_id"]: m for m in mentors}
        mentee_by_id = {m["mentee_id"]: m for m in mentees}
        load: Counter[tuple[str, int]] = Counter()
        spans: dict[str, list[dict]] = defaultdict(list)
        for p in pairs:
            assert p["mentor_id"] in mentor_by_id and p["mentee_id"] in mentee_by_id
            assert p["variant"] in variants_by_form()[p["form"]]
            assert p["start_date"] <= TODAY
            assert p["actual_end"] is None or p["start_date"] < p["actual_end"] <= TODAY
            assert (p["actual_end"] is None) == (p["status"] in ("действует", "сформирована"))
            load[(p["mentor_id"], academic_year_start(p["start_date"]))] += 1
            spans[p["pair_id"]].append(p)
        for (mentor_id, _year), n in load.items():
            assert n <= mentor_by_id[mentor_id]["capacity"], mentor_id
        for m in meetings:
            if m["pair_id"] is None:  # a meeting of the whole programme: a group meeting with its attendance
                assert m["meeting_type"] == "групповая встреча" and m["participants"] > 0, m["meeting_id"]
                continue
            rows = spans[m["pair_id"]]
            ends = [r["actual_end"] for r in rows]
            last = max(ends) if all(ends) else TODAY
            assert min(r["start_date"] for r in rows) <= m["date"] <= last, m["meeting_id"]
        for m in mentees:
            assert m["birth_date"] < TODAY and m["pd_consent_date"] <= m["entry_date"] <= TODAY
            if m["participant_type"] == "обучающийся":
                grade = int(re.match(r"\d+", m["grade_or_position"])[0])  # type: ignore[index]
                sept = dt.date(academic_year_start(m["entry_date"]), 9, 1)
                age = sept.year - m["birth_date"].year - ((9, 1) < (m["birth_date"].month, m["birth_date"].day))
                assert age in (grade + 5, grade + 6) and 10 <= age <= 18, m
                assert "5 класс" not in m["request"] or grade == 5, m
                assert "ОГЭ" not in m["request"] or grade in (8, 9), m
        paired_after_law = {p["mentor_id"] for p in pairs
                            if p["actual_end"] is None or p["actual_end"] >= LABOUR_CODE_351_8}
        for m in mentors:
            assert m["birth_date"] < TODAY
            if m["mentor_category"] == "педагог" and m["mentor_id"] in paired_after_law:
                assert m["mentoring_consent_date"] is not None, m["mentor_id"]


def test_coverage_of_students_is_near_the_targets(clean_books: list[Book]) -> None:
    targets = {2021: 0.2, 2022: 0.3, 2023: 0.5, 2024: 0.7}
    near = 0
    for book in clean_books:
        rows = coverage(book.table("mentees").rows, book.table("pairs").rows, book.organisation.contingent.rows,
                        years=targets)
        gaps = [abs(r.actual_pct - targets[r.year]) * 100 for r in rows if r.group == "students"]
        assert len(gaps) == 4 and max(gaps) < 15, (book.path.name, gaps)
        near += max(gaps) <= 10
    assert near >= len(clean_books) - 1


def test_organisation_types_have_their_forms() -> None:
    """Students and «работодатель – студент» only in a college; pupils' forms only in schools."""
    plan = region_plan(schools=5, seed=1)
    college = plan.schools[4]
    assert college.org_type == SPO and all(p.org_type in lookups()["org_types"].values for p in plan.schools)
    fake = Faker("ru_RU")
    spo = school_content(college, fake, TODAY)
    assert {m["participant_type"] for m in spo.rows["mentees"]} == {"студент", "педагог", "молодой специалист"}
    assert {p["form"] for p in spo.rows["pairs"]} == {"работодатель – студент", "учитель – учитель"}
    school = school_content(plan.schools[0], fake, TODAY)
    assert "студент" not in {m["participant_type"] for m in school.rows["mentees"]}
    assert {p["form"] for p in school.rows["pairs"]} == {
        "ученик – ученик", "учитель – учитель", "работодатель – ученик", "студент – ученик"}
    assert "обучающийся" not in {m["mentor_category"] for m in spo.rows["mentors"]}


# --- the planted mistakes ----------------------------------------------------------------------------


def test_manifest_points_at_the_planted_values(spoiled: DemoRegion) -> None:
    manifest = json.loads(spoiled.manifest.read_text(encoding="utf-8"))
    entries = manifest["mistakes"]
    assert entries == [m.as_json() for m in spoiled.mistakes]
    assert len({(m["book"], m["sheet"], m["row"]) for m in entries}) == len(entries)  # one per row
    cache: dict[tuple[str, str], list[list[object]]] = {}
    for m in entries:
        assert m["kind"] in MISTAKE_KINDS
        key = (m["book"], m["sheet"])
        if key not in cache:
            cache[key] = sheet_rows(spoiled.out_dir / m["book"], m["sheet"])
        cell, _ = cell_of(cache[key], m["row"], m["column"])
        assert same_value(cell, m["value"], m["written_as"]), (m, cell)


def test_mistakes_are_many_kinds_at_a_realistic_rate(spoiled: DemoRegion) -> None:
    kinds = Counter(m.kind for m in spoiled.mistakes)
    assert len(kinds) >= 10, kinds
    manifest = json.loads(spoiled.manifest.read_text(encoding="utf-8"))
    rows = sum(n for s in manifest["schools"] for sheet, n in s["rows"].items() if sheet != "Целевые показатели")
    assert 0.015 <= len(spoiled.mistakes) / rows <= 0.035


def test_reader_sees_the_typing_mistakes(spoiled: DemoRegion, spoiled_books: list[Book]) -> None:
    """Each planted date-as-text, bad-date, unknown-value, bad-yesno is found by the reader at its cell."""
    found = {(b.path.name, f.sheet, f.row, f.code) for b in spoiled_books for f in b.all_findings()}
    checked = 0
    for m in spoiled.mistakes:
        if m.kind in ("date-as-text", "bad-date", "unknown-value", "lookup-synonym", "bad-yesno"):
            assert (m.book, m.sheet, m.row, m.kind) in found, m
            checked += 1
    assert checked >= 20


def sheet_xml_paths(book: zipfile.ZipFile) -> dict[str, str]:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    return {s.get("name"): "xl/" + target[s.get(f"{{{NS['r']}}}id")].lstrip("/").removeprefix("xl/")
            for s in workbook.find("m:sheets", NS)}  # type: ignore[union-attr]


def test_text_that_looks_like_a_formula_stays_text(spoiled: DemoRegion) -> None:
    planted = [m for m in spoiled.mistakes if m.kind == "formula-like-text"]
    assert planted and all(str(m.value)[:1] in "=-" for m in planted)
    for m in planted:
        rows = sheet_rows(spoiled.out_dir / m.book, m.sheet)
        cell, col = cell_of(rows, m.row, m.column)
        assert cell == m.value
        with zipfile.ZipFile(spoiled.out_dir / m.book) as book:
            xml = ElementTree.fromstring(book.read(sheet_xml_paths(book)[m.sheet]))
        ref = xl_rowcol_to_cell(m.row - 1, col)
        node = xml.find(f".//m:c[@r='{ref}']", NS)
        assert node is not None and node.find("m:f", NS) is None, ref
        assert node.get("t") in ("s", "inlineStr"), ref


# --- building fast: formulas prepared once, books on every core -------------------------------------------


def test_books_built_in_worker_processes_equal_books_built_here(tmp_path: Path) -> None:
    """Whatever process builds a book and in whatever order, its bytes are the same."""
    serial = generate_region(tmp_path / "serial", schools=3, seed=4, today=TODAY, workers=1)
    parallel = generate_region(tmp_path / "parallel", schools=3, seed=4, today=TODAY, workers=2)
    assert files_of(tmp_path / "serial") == files_of(tmp_path / "parallel")
    assert serial.mistakes == parallel.mistakes


@pytest.fixture(scope="module")
def school_book_content() -> BookContent:
    return finish_content(school_content(region_plan(1, 8).schools[0], Faker("ru_RU"), TODAY))


def test_formulas_prepared_once_write_the_same_bytes(tmp_path: Path, school_book_content: BookContent,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-worksheet formula cache changes no byte: the stock XlsxWriter worksheet writes the same file."""
    ours = build_book(tmp_path / "ours.xlsx", school_book_content).read_bytes()
    monkeypatch.setattr(BookWorkbook, "worksheet_class", Worksheet)
    stock = build_book(tmp_path / "stock.xlsx", school_book_content).read_bytes()
    assert ours == stock


def test_each_formula_is_prepared_once_not_once_a_row(tmp_path: Path, school_book_content: BookContent,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """XlsxWriter's regex rewriting of formulas (``_prepare_formula``) runs per distinct formula, not per cell."""
    calls = Counter[str]()
    stock = Worksheet._prepare_formula

    def counting(self: Worksheet, formula: str, expand_future_functions: bool = False) -> str:
        calls[formula] += 1
        return stock(self, formula, expand_future_functions)

    monkeypatch.setattr(Worksheet, "_prepare_formula", counting)
    build_book(tmp_path / "book.xlsx", school_book_content)
    computed_cells = sum(len(school_book_content.rows[k]) for k in ("mentees", "pairs"))
    assert computed_cells > 500
    assert max(calls.values()) <= 2  # once as the table's column formula, once as typed («=…»)
