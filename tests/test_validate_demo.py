"""Validation measured on the demo region: recall of planted mistakes, precision on a clean region.

The kind → codes mapping is part of the test: it says which finding answers each planted mistake.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.demo.manifest import DemoRegion
from nastavnik_xl.actions.demo.mistakes import MISTAKE_KINDS
from nastavnik_xl.actions.validate import ValidationReport, validate_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import Severity

TODAY = dt.date(2026, 11, 30)
KIND_CODES: dict[str, set[str]] = {
    "date-as-text": {"date-as-text"}, "bad-date": {"bad-date"}, "missing-required": {"missing-required"},
    "duplicate-id": {"duplicate-id"}, "unknown-mentor-id": {"unknown-mentor-id"},
    "unknown-mentee-id": {"unknown-mentee-id"}, "latin-lookalike-id": {"latin-lookalike-id"},
    "unknown-value": {"unknown-value"}, "lookup-synonym": {"lookup-synonym"},
    "variant-not-in-form": {"variant-not-in-form"}, "end-before-start": {"end-before-start"},
    "minor-without-consent": {"pd-consent-missing"}, "mentor-without-consent": {"mentoring-consent-missing"},
    "over-capacity": {"mentor-over-capacity"}, "bad-number": {"bad-number", "number-with-unit"},
    "bad-yesno": {"bad-yesno"},
    "unknown-pair-id": {"unknown-pair-id"}, "meeting-before-start": {"meeting-outside-pair"},
    "formula-like-text": {"formula-like-text"}, "future-birth-date": {"birth-in-future"},
    "student-too-old": {"age-implausible"},
}
# Warnings a clean demo region may give, and why they are true (README: «Проверка демо-данных»).
TRUE_WARNINGS = {
    "roadmap-overdue": "мероприятия текущего года, отмеченные «в работе» или «перенесено» после срока",
    "pair-formed-late": "часть пар сформирована позже двух недель после включения в базу",
}


def _validate(region: DemoRegion) -> dict[str, ValidationReport]:
    return {p.name: validate_book(read_book(p), TODAY) for p in region.books}


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoRegion, dict[str, ValidationReport]]:
    region = generate_region(tmp_path_factory.mktemp("region"), schools=12, seed=1, today=TODAY)
    return region, _validate(region)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ValidationReport]:
    region = generate_region(tmp_path_factory.mktemp("clean"), schools=12, seed=2, mistake_rate=0, today=TODAY)
    return _validate(region)


def test_the_mapping_covers_every_kind() -> None:
    assert set(KIND_CODES) == set(MISTAKE_KINDS)


def test_recall_of_planted_mistakes(spoiled: tuple[DemoRegion, dict[str, ValidationReport]]) -> None:
    region, reports = spoiled
    found: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    missed = []
    for m in region.mistakes:
        keys = {(f.sheet, f.row, f.code) for f in reports[m.book].findings}
        planted[m.kind] += 1
        if any((m.sheet, m.row, code) in keys for code in KIND_CODES[m.kind]):
            found[m.kind] += 1
        else:
            missed.append(m)
    print("\nвид ошибки                 найдено / заложено")
    for kind in sorted(planted):
        print(f"{kind:26} {found[kind]:4} / {planted[kind]:<4} {found[kind] / planted[kind]:.1%}")
    total = sum(found.values()) / sum(planted.values())
    print(f"{'всего':26} {sum(found.values()):4} / {sum(planted.values()):<4} {total:.1%}")
    assert sum(planted.values()) > 500 and len(planted) == len(MISTAKE_KINDS)
    assert total >= 0.99, missed[:10]
    for kind in planted:
        assert found[kind] / planted[kind] >= 0.95, (kind, [m for m in missed if m.kind == kind][:5])


def test_precision_no_errors_on_a_clean_region(clean: dict[str, ValidationReport]) -> None:
    errors = [(book, f.code, f.sheet, f.row, f.message) for book, r in clean.items() for f in r.findings
              if f.severity is Severity.ERROR]
    assert errors == [], errors[:10]


def test_clean_region_gives_only_known_true_warnings(clean: dict[str, ValidationReport]) -> None:
    counts = Counter(code for r in clean.values() for code in r.counts for _ in range(r.counts[code]))
    print("\nпредупреждения чистого демо:", dict(counts))
    assert set(counts) <= set(TRUE_WARNINGS), set(counts) - set(TRUE_WARNINGS)
    pairs = sum(len(read_book(Path(b)).tables["pairs"].rows) for b in [r.book for r in clean.values()][:1])
    assert counts["pair-formed-late"] < pairs  # a minority, as the generator draws them
