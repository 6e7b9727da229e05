"""The coverage rule in Python, and the values the books cache for viewers that do not recalculate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nastavnik_xl.actions.coverage import (
    book_targets,
    coverage,
    covered_mentees,
    mentee_year_codes,
    pair_active_in,
    pair_year_code,
    pair_years,
)
from nastavnik_xl.book.reader import read_book

D = dt.date


@pytest.mark.parametrize("start, end, year, active", [
    (D(2023, 12, 31), None, 2023, True),
    (D(2023, 12, 31), None, 2030, True),
    (D(2024, 1, 1), None, 2023, False),
    (D(2022, 9, 1), D(2023, 1, 1), 2023, True),
    (D(2022, 9, 1), D(2022, 12, 31), 2023, False),
    (None, None, 2023, False),
    ("01.09.2023", None, 2023, False),  # a start the reader could not read counts nowhere
    (D(2023, 9, 1), "31.02.2024", 2024, False),
])
def test_pair_active_in(start: object, end: object, year: int, active: bool) -> None:
    assert pair_active_in({"start_date": start, "actual_end": end}, year) is active


def test_people_not_pairs_and_ids_like_excel() -> None:
    mentees = [{"mentee_id": "НЯ-1", "participant_type": "обучающийся"},
               {"mentee_id": "ня-1", "participant_type": "педагог"},  # the same ID for Excel: ignored
               {"mentee_id": "НЯ-2", "participant_type": "студент"}]
    pairs = [{"mentee_id": "НЯ-1", "start_date": D(2023, 1, 1)},
             {"mentee_id": "НЯ-1", "start_date": D(2023, 9, 1)},
             {"mentee_id": "НЯ-2", "start_date": D(2024, 2, 1)}]
    assert covered_mentees(mentees, pairs, 2023, ["обучающийся", "студент"]) == {"НЯ-1"}
    assert covered_mentees(mentees, pairs, 2023, ["педагог"]) == set()
    assert pair_years(mentees, pairs, range(2022, 2026)) == ["2023 2024 2025", "", "2024 2025"]


def test_year_codes_pack_one_digit_a_year() -> None:
    pair = {"start_date": D(2021, 12, 1), "actual_end": D(2023, 5, 31)}
    assert pair_year_code(pair, 2020) == 256 + 256**2 + 256**3
    assert pair_year_code(pair, 2026) == 0
    open_pair = {"start_date": D(2025, 12, 1), "actual_end": None}
    assert pair_year_code(open_pair, 2020) == 256**5
    assert pair_year_code(open_pair, 2026) == sum(256**k for k in range(6))
    mentees = [{"mentee_id": "А"}, {"mentee_id": "А"}]
    assert mentee_year_codes(mentees, [pair, {**pair, "mentee_id": "А"}], 2020)[1] == 0


def test_missing_contingent_gives_no_percentage() -> None:
    rows = coverage([{"mentee_id": "1", "participant_type": "педагог"}],
                    [{"mentee_id": "1", "start_date": D(2024, 1, 1)}], [], years=[2024])
    teachers = next(r for r in rows if r.group == "teachers")
    assert (teachers.actual, teachers.denominator, teachers.actual_pct, teachers.gap_pp) == (1, 0, None, None)


def test_demo_book_caches_the_python_figures(tmp_path: Path) -> None:
    """Viewers that show cached values (and calamine) see what Python computes."""
    from nastavnik_xl.actions.demo import generate_region

    region = generate_region(tmp_path, schools=1, seed=4, mistake_rate=0, today=D(2026, 11, 23))
    book = read_book(region.books[0])
    rows = {k: t.rows for k, t in book.tables.items()}
    expected = {(r.year, r.title): (r.denominator, r.actual)
                for r in coverage(rows["mentees"], rows["pairs"], book.organisation.contingent.rows,
                                  book_targets(rows["targets"]), horizon=book.organisation.reporting_year)}
    cached = {(r["year"], r["group"]): (r["denominator"], r["actual"]) for r in rows["targets"]}
    assert cached == expected
    assert [m["pair_years"] or "" for m in rows["mentees"]] == pair_years(rows["mentees"], rows["pairs"],
                                                                          range(2020, 2031))


def test_no_actual_figure_after_the_reporting_year() -> None:
    rows = coverage([{"mentee_id": "1", "participant_type": "педагог"}],
                    [{"mentee_id": "1", "start_date": D(2024, 1, 1)}], [], years=[2024, 2025], horizon=2024)
    teachers = [r.actual for r in rows if r.group == "teachers"]
    assert teachers == [1, None]
