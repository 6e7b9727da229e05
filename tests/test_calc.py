"""The books we build, opened in LibreOffice Calc with forced recalculation.

No error cells; the coverage and key figures Calc computes from the book's own formulas equal
the ones Python computes for the same book; re-saved books read the same.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from calc_engine import error_cells, recalc

from nastavnik_xl.actions.coverage import book_targets, coverage
from nastavnik_xl.actions.figures import key_figures, text_dates_in_book
from nastavnik_xl.actions.template import contingent_rows, finish_content, new_book, roadmap_rows
from nastavnik_xl.book.builder import PANEL_FIGURES, BookContent, build_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.schema import NO_CONTINGENT, PANEL_NAME, TARGETS, coverage_groups

pytestmark = pytest.mark.libreoffice
D = dt.date


def edge_case_content() -> BookContent:
    """A small book full of the cases the coverage rule must get right."""
    contingent = contingent_rows()
    for row in contingent:
        if row["year"] in (2022, 2023, 2024):
            row.update(students_total=400, students_10_19=250, teachers=40, young_specialists=5)
    next(r for r in contingent if r["year"] == 2023)["students_10_19"] = None  # falls back to the total
    mentees = [
        {"mentee_id": "НЯ-1", "full_name": "Ученик Первый", "participant_type": "обучающийся"},
        {"mentee_id": "НЯ-2", "full_name": "Ученица Вторая", "participant_type": "обучающийся"},
        {"mentee_id": "НЯ-3", "full_name": "Студент Третий", "participant_type": "студент"},
        {"mentee_id": "НЯ-4", "full_name": "Молодой Специалист", "participant_type": "молодой специалист"},
        {"mentee_id": "НЯ-5", "full_name": "Педагог Пятый", "participant_type": "педагог"},
        {"mentee_id": "НЯ-6", "full_name": "Без Пары", "participant_type": "обучающийся"},
        {"mentee_id": "НЯ-1", "full_name": "Ученик Первый (дубль)", "participant_type": "обучающийся"},
        {"mentee_id": "НЯ-7", "full_name": "=Формула Не Формула", "participant_type": "обучающийся"},
    ]
    mentors = [
        {"mentor_id": "НК-1", "full_name": "Наставник Один", "mentor_category": "педагог", "status": "активен"},
        {"mentor_id": "НК-2", "full_name": "Наставник Два", "mentor_category": "обучающийся", "status": "обучен"},
    ]
    pairs = [
        # two pairs of one mentee in one year: one person
        {"pair_id": "П-1", "form": "ученик – ученик", "mentor_id": "НК-2", "mentee_id": "НЯ-1",
         "start_date": D(2022, 12, 1), "actual_end": D(2023, 5, 25)},
        {"pair_id": "П-2", "form": "ученик – ученик", "mentor_id": "НК-2", "mentee_id": "НЯ-1",
         "start_date": D(2023, 10, 1), "actual_end": None},
        # a group: two rows with one pair_id; starts on 31 Dec, ends on 1 Jan
        {"pair_id": "П-3", "form": "студент – ученик", "mentor_id": "НК-1", "mentee_id": "НЯ-2",
         "start_date": D(2022, 12, 31), "actual_end": D(2024, 1, 1)},
        {"pair_id": "П-3", "form": "студент – ученик", "mentor_id": "НК-1", "mentee_id": "НЯ-3",
         "start_date": D(2022, 12, 31), "actual_end": D(2024, 1, 1)},
        {"pair_id": "П-4", "form": "учитель – учитель", "mentor_id": "НК-1", "mentee_id": "НЯ-4",
         "start_date": D(2024, 9, 1)},
        {"pair_id": "П-5", "form": "учитель – учитель", "mentor_id": "НК-1", "mentee_id": "НЯ-5",
         "start_date": D(2021, 9, 1), "actual_end": D(2021, 12, 31)},
        # a mentee who is not in the base: not counted
        {"pair_id": "П-6", "form": "ученик – ученик", "mentor_id": "НК-2", "mentee_id": "НЯ-99",
         "start_date": D(2023, 1, 10)},
        {"pair_id": "П-7", "form": "ученик – ученик", "mentor_id": "НК-2", "mentee_id": "НЯ-7",
         "start_date": D(2025, 1, 10)},
    ]
    meetings = [{"meeting_id": "В-1", "pair_id": "П-1", "meeting_type": "встреча-знакомство",
                 "date": D(2022, 12, 5)}]
    card = {"org_name": "МБОУ «СОШ № 5»", "municipality": "Тестовый округ", "curator": "Куратор К.К.",
            "reporting_year": 2024}
    return finish_content(BookContent(card=card, contingent=contingent, spare_rows=20, rows={
        "roadmap": roadmap_rows(2023), "mentors": mentors, "mentees": mentees, "pairs": pairs,
        "meetings": meetings}))


def sheet_rows(xlsx: Path, name: str) -> list[list[Any]]:
    wb = python_calamine.CalamineWorkbook.from_path(str(xlsx))
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def calc_targets(xlsx: Path) -> dict[tuple[int, str], tuple[Any, ...]]:
    """(year, group) → (contingent, covered, share, gap): numbers, None for a blank cell, and the share's
    «нет контингента» kept as text (the only text a computed cell may hold)."""
    rows = sheet_rows(xlsx, TARGETS.name)
    header = [str(h) for h in rows[0]]
    idx = {c.field: header.index(c.header) for c in TARGETS.columns}
    out = {}
    for r in rows[1:]:
        if r[idx["year"]] == "":
            continue
        out[(int(r[idx["year"]]), r[idx["group"]])] = tuple(
            None if r[idx[f]] == "" else r[idx[f]] if f == "actual_pct" and r[idx[f]] == NO_CONTINGENT
            else float(r[idx[f]]) for f in ("denominator", "actual", "actual_pct", "gap"))
    return out


def python_targets(path: Path) -> dict[tuple[int, str], tuple[Any, ...]]:
    book = read_book(path)
    rows = {k: t.rows for k, t in book.tables.items()}
    titles = {g.key: g.title for g in coverage_groups()}
    result = coverage(rows["mentees"], rows["pairs"], book.organisation.contingent.rows,
                      book_targets(rows["targets"]), horizon=book.organisation.reporting_year)
    return {(r.year, titles[r.group]): (float(r.denominator or 0), None if r.actual is None else float(r.actual),
                                        NO_CONTINGENT if r.actual_pct is None and r.actual is not None
                                        else r.actual_pct, r.gap_pp)
            for r in result}


def assert_same(calc: dict, python: dict) -> None:
    assert calc.keys() == python.keys()
    for key in calc:
        for a, b in zip(calc[key], python[key], strict=True):
            same = a == b if isinstance(a, str) or isinstance(b, str) else (
                (a is None) == (b is None) and (a is None or a == pytest.approx(b)))
            assert same, (key, calc[key], python[key])


def calc_panel(xlsx: Path) -> dict[str, float]:
    rows = sheet_rows(xlsx, PANEL_NAME)
    labels = {label: key for key, label, _ in PANEL_FIGURES}
    return {labels[r[1]]: r[2] for r in rows if len(r) > 2 and r[1] in labels}


def test_template_has_no_error_cells(tmp_path: Path, soffice: str) -> None:
    book = new_book(tmp_path / "шаблон.xlsx", org_name="МБОУ СОШ № 1", today=D(2026, 11, 23))
    out = recalc(book, tmp_path / "calc")
    assert error_cells(out) == []
    figures = calc_targets(out)
    assert all(v[1] == 0 for (year, _), v in figures.items() if year <= 2026)
    assert all(v[1] is None for (year, _), v in figures.items() if year > 2026)  # after the reporting year


def test_coverage_formulas_equal_python(tmp_path: Path, soffice: str) -> None:
    path = build_book(tmp_path / "школа.xlsx", edge_case_content())
    out = recalc(path, tmp_path / "calc")
    assert error_cells(out) == []
    calc = calc_targets(out)
    assert_same(calc, python_targets(path))
    # the edge cases themselves, by hand
    assert calc[(2023, "обучающиеся")][:2] == (400.0, 3.0)  # НЯ-1 once, НЯ-2, НЯ-3 (студент); fallback total
    assert calc[(2024, "обучающиеся")][:2] == (250.0, 3.0)  # П-3 ends on 1 Jan 2024: still counts
    assert calc[(2021, "педагоги")][1] == 1.0 and calc[(2022, "педагоги")][1] == 0.0
    assert calc[(2024, "молодые специалисты")][1:3] == (1.0, pytest.approx(0.2))
    # people counted, no contingent (2021: none entered): the share says so and the gap stays blank
    assert calc[(2021, "педагоги")][2:] == (NO_CONTINGENT, None)
    assert calc[(2025, "обучающиеся")][1:] == (None, None, None)  # after the reporting year: nothing counted


def no_contingent_content() -> BookContent:
    """People in pairs in 2022–2023; the 2023 contingent is zero, blank, or «1 чел.» typed as text."""
    contingent = contingent_rows()
    next(r for r in contingent if r["year"] == 2022).update(students_10_19=250, teachers=40, young_specialists=5)
    next(r for r in contingent if r["year"] == 2023).update(students_total=0, students_10_19=0, teachers="1 чел.")
    types = ("обучающийся", "педагог", "молодой специалист")
    mentees = [{"mentee_id": f"НЯ-{i}", "full_name": f"Наставляемый {i}", "participant_type": t}
               for i, t in enumerate(types, start=1)]
    pairs = [{"pair_id": f"П-{i}", "mentor_id": "НК-1", "mentee_id": f"НЯ-{i}", "start_date": D(2022, 9, 1)}
             for i in range(1, 4)]
    mentors = [{"mentor_id": "НК-1", "full_name": "Наставник Один", "mentor_category": "педагог"}]
    card = {"org_name": "МБОУ «СОШ № 7»", "municipality": "Тестовый округ", "curator": "Куратор К.К.",
            "reporting_year": 2023}
    return finish_content(BookContent(card=card, contingent=contingent, rows={
        "mentors": mentors, "mentees": mentees, "pairs": pairs}))


def test_coverage_without_contingent_says_so(tmp_path: Path, soffice: str) -> None:
    """Issue #18: people counted over a missing, zero or text («1 чел.») contingent read «нет контингента»,
    as on «Панель»; a year with nothing counted stays blank; the book caches what Calc computes."""
    path = build_book(tmp_path / "школа.xlsx", no_contingent_content())
    out = recalc(path, tmp_path / "calc")
    assert error_cells(out) == []
    calc = calc_targets(out)
    assert calc[(2022, "обучающиеся")][:3] == (250.0, 1.0, pytest.approx(1 / 250))
    assert calc[(2022, "педагоги")][:3] == (40.0, 2.0, pytest.approx(2 / 40))
    for group in ("обучающиеся", "педагоги", "молодые специалисты"):  # zero; «1 чел.»; blank
        assert calc[(2023, group)][1:] == (1.0 if group != "педагоги" else 2.0, NO_CONTINGENT, None), group
        assert calc[(2024, group)][1:] == (None, None, None), group  # after the reporting year
    assert_same(calc_targets(path), calc)  # the values XlsxWriter cached are the ones Calc computes
    titles = [g.title for g in coverage_groups()]
    panel = {r[1]: r[2] for r in sheet_rows(out, PANEL_NAME) if len(r) > 2 and r[1] in titles}
    assert panel == dict.fromkeys(titles, NO_CONTINGENT)  # «Панель» says the same for the reporting year
    for book in (read_book(path), read_book(out)):  # the text reads as no value, with no finding of its own
        assert [r["actual_pct"] for r in book.tables["targets"].rows if r["year"] == 2023] == [None] * 3
        assert [f.code for f in book.all_findings() if f.sheet == TARGETS.name] == []
        # the program reads «1 чел.» as 1 but warns that the book's formulas do not
        assert [f.code for f in book.all_findings() if f.field == "teachers"] == ["number-with-unit"]


def test_panel_figures_equal_python(tmp_path: Path, soffice: str) -> None:
    content = edge_case_content()
    content.rows["pairs"][4]["actual_end"] = "31.05.2025"  # a date typed as text
    path = build_book(tmp_path / "школа.xlsx", finish_content(content))
    out = recalc(path, tmp_path / "calc")
    book = read_book(path)
    python = key_figures({k: t.rows for k, t in book.tables.items()}, text_dates_in_book(book))
    calc = calc_panel(out)
    assert calc == {k: float(v) for k, v in python.items()}
    assert calc["text_dates"] == 1 and calc["mentees"] == 8 and calc["pairs"] == 7


def test_text_stays_text(tmp_path: Path, soffice: str) -> None:
    path = build_book(tmp_path / "школа.xlsx", edge_case_content())
    rows = sheet_rows(recalc(path, tmp_path / "calc"), "Наставляемые")
    assert "=Формула Не Формула" in [r[1] for r in rows]


@pytest.mark.parametrize("fmt", ["ods", "xls", "xlsx"])
def test_resaved_by_libreoffice_reads_the_same(tmp_path: Path, soffice: str, fmt: str) -> None:
    path = build_book(tmp_path / "школа.xlsx", edge_case_content())
    resaved = recalc(path, tmp_path / "calc", fmt=fmt)
    original, again = read_book(path), read_book(resaved)
    assert again.file_kind == fmt
    assert again.organisation.card == original.organisation.card
    for key, table in original.tables.items():
        assert rounded(again.tables[key].rows) == rounded(table.rows), key


def rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows comparable across formats: floats rounded, formula results left out.

    (.xls keeps a formula's empty-text result as 0, so computed columns are not compared.)
    """
    computed = {"denominator", "actual", "actual_pct", "gap"}
    return [{k: round(v, 9) if isinstance(v, float) else v for k, v in r.items() if k not in computed}
            for r in rows]


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from nastavnik_xl.actions.demo import generate_region

    clean = generate_region(tmp_path_factory.mktemp("clean"), schools=2, seed=5, mistake_rate=0,
                            today=D(2026, 11, 23))
    messy = generate_region(tmp_path_factory.mktemp("messy"), schools=1, seed=6, today=D(2026, 11, 23))
    return {"clean": clean.books[0], "college": clean.books[1], "messy": messy.books[0]}


@pytest.mark.parametrize("which", ["clean", "college"])
def test_demo_book_coverage_in_calc_equals_python(tmp_path: Path, soffice: str, demo_books: dict[str, Path],
                                                  which: str) -> None:
    path = demo_books[which]
    out = recalc(path, tmp_path)
    assert error_cells(out) == []
    calc = calc_targets(out)
    assert_same(calc, python_targets(path))
    assert any(v[1] > 50 for v in calc.values())  # a real school, not an empty book


def test_demo_book_with_mistakes_panel_equals_python(tmp_path: Path, soffice: str,
                                                     demo_books: dict[str, Path]) -> None:
    path = demo_books["messy"]
    out = recalc(path, tmp_path)
    assert error_cells(out) == []
    book = read_book(path)
    python = key_figures({k: t.rows for k, t in book.tables.items()}, text_dates_in_book(book))
    assert calc_panel(out) == {k: float(v) for k, v in python.items()}
    assert python["text_dates"] > 0
