"""Cell converters: numbers typed with their unit are read, with a warning; others stay errors."""

from __future__ import annotations

import pytest

from nastavnik_xl.book.values import to_int, to_number


@pytest.mark.parametrize(("raw", "value"), [("52 чел.", 52), ("45 мин", 45), ("5 лет", 5), ("3 человека", 3),
                                            ("1 чел", 1), ("12 шт.", 12)])
def test_numbers_with_their_unit_are_read_with_a_warning(raw: str, value: int) -> None:
    got, problem = to_int(raw)
    assert got == value and problem is not None and problem.code == "number-with-unit" and problem.warning


@pytest.mark.parametrize("raw", ["более 5 лет", "1,5 часа", "три", "2,5 мин", "около 40 мин"])
def test_other_words_stay_bad_numbers(raw: str) -> None:
    got, problem = to_int(raw)
    assert got == raw and problem is not None and problem.code == "bad-number" and not problem.warning


def test_plain_numbers_have_no_problem() -> None:
    assert to_int("12") == (12, None) and to_number("2,5") == (2.5, None) and to_number(7) == (7.0, None)
