"""Pairing a curator's book: hard constraints from the model's rules, reasons, determinism."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nastavnik_xl.actions.pairing.pool import mentee_mask, mentor_mask
from nastavnik_xl.actions.pairing.proposals import propose
from nastavnik_xl.book.model import Book, Table
from nastavnik_xl.rules.forms import FORM_RULES, grade_of, pair_problems
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import sheet

ON = dt.date(2025, 10, 1)


def table(key: str, rows: list[dict[str, Any]]) -> Table:
    spec = sheet(key)
    full = [{**{c.field: None for c in spec.columns}, **r, "_row": n + 2} for n, r in enumerate(rows)]
    return Table(spec, spec.name, 1, full)


def book(mentors: list[dict[str, Any]], mentees: list[dict[str, Any]], pairs: list[dict[str, Any]] | None = None,
         surveys: list[dict[str, Any]] | None = None) -> Book:
    b = Book(path=Path("память.xlsx"), file_kind="xlsx", sheet_names=[])
    b.tables = {"mentors": table("mentors", mentors), "mentees": table("mentees", mentees),
                "pairs": table("pairs", pairs or []), "surveys": table("surveys", surveys or [])}
    return b


def pupil_mentor(mid: str, grade: int, cap: int = 1, **kw: Any) -> dict[str, Any]:
    return {"mentor_id": mid, "full_name": f"Наставник {mid}", "mentor_category": "обучающийся",
            "position_or_grade": f"{grade} «А»", "capacity": cap, "status": "обучен", **kw}


def pupil(mid: str, grade: int, **kw: Any) -> dict[str, Any]:
    return {"mentee_id": mid, "full_name": f"Ученик {mid}", "participant_type": "обучающийся",
            "grade_or_position": f"{grade} «Б»", "status": "в базе", **kw}


def test_grade_order_and_reasons_for_the_unmatched() -> None:
    b = book([pupil_mentor("Н-1", 9, cap=1, competencies=("математика",)),
              {"mentor_id": "Н-2", "full_name": "Учитель", "mentor_category": "педагог", "capacity": 1,
               "status": "активен"}],
             [pupil("Я-1", 7, request="отставание по математике"), pupil("Я-2", 10), pupil("Я-3", 6),
              {"mentee_id": "Я-4", "full_name": "Молодой", "participant_type": "молодой специалист"},
              {"mentee_id": "Я-5", "full_name": "Студент", "participant_type": "студент"}])
    result = propose(b, ON)
    assert [(p.mentee_id, p.mentor_id, p.form) for p in result.proposals] == [("Я-1", "Н-1", "ученик – ученик"),
                                                                             ("Я-4", "Н-2", "учитель – учитель")]
    reasons = {u.mentee_id: u.reason for u in result.unmatched}
    assert "исключены" in reasons["Я-2"]  # the only pupil mentor is in a lower grade
    assert "заняты" in reasons["Я-3"]  # Н-1's one place went to Я-1
    assert "нет наставников для форм" in reasons["Я-5"]
    (first,) = [p for p in result.proposals if p.mentee_id == "Я-1"]
    assert any(r.criterion == "request" and "математика" in r.text for r in first.reasons)
    assert result.certificate["valid"]


def test_active_pairs_stay_and_a_rejected_pair_is_not_proposed_again() -> None:
    mentors = [pupil_mentor("Н-1", 10, cap=2), pupil_mentor("Н-2", 10, cap=1)]
    mentees = [pupil("Я-1", 7), pupil("Я-2", 7), pupil("Я-3", 7)]
    pairs = [{"pair_id": "П-1", "form": "ученик – ученик", "mentor_id": "Н-1", "mentee_id": "Я-1",
              "start_date": dt.date(2025, 9, 1)}]
    result = propose(book(mentors, mentees, pairs), ON, rejected=[("я-2", "н-1")])
    got = {(p.mentee_id, p.mentor_id) for p in result.proposals}
    assert ("Я-1", "Н-1") not in got and "Я-1" not in {u.mentee_id for u in result.unmatched}  # still paired
    assert ("Я-2", "Н-1") not in got and got == {("Я-2", "Н-2"), ("Я-3", "Н-1")}


def test_mutual_preference_weighs_most() -> None:
    mentors = [pupil_mentor("Н-1", 9, competencies=("математика",), subject="математика"), pupil_mentor("Н-2", 9)]
    mentees = [pupil("Я-1", 7, request="математика", subject="математика")]
    surveys = [{"respondent_id": "Я-1", "role": "наставляемый", "preferred_ids": ("Н-2",)},
               {"respondent_id": "Н-2", "role": "наставник", "preferred_ids": ("Я-1",)}]
    (p,) = propose(book(mentors, mentees, surveys=surveys), ON).proposals
    assert p.mentor_id == "Н-2" and any("взаимный" in r.text for r in p.reasons)


def test_employer_mentor_needs_five_years_and_the_listed_form() -> None:
    mentors = [{"mentor_id": "Н-1", "full_name": "Инженер", "mentor_category": "сотрудник предприятия",
                "experience_years": 3, "capacity": 3, "status": "обучен"},
               {"mentor_id": "Н-2", "full_name": "Технолог", "mentor_category": "сотрудник предприятия",
                "experience_years": 12, "capacity": 3, "status": "обучен", "forms": ("работодатель – студент",)},
               {"mentor_id": "Н-3", "full_name": "Мастер", "mentor_category": "сотрудник предприятия",
                "experience_years": 7, "capacity": 3, "status": "кандидат"}]
    result = propose(book(mentors, [pupil("Я-1", 9)]), ON)
    assert result.proposals == [] and "исключены" not in result.unmatched[0].reason


# --- properties on random books ---------------------------------------------------------------

CATEGORIES = ("обучающийся", "педагог", "студент", "сотрудник предприятия", "родитель")
TYPES = ("обучающийся", "студент", "педагог", "молодой специалист")


@st.composite
def random_book(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str]]]:
    n_mentors = draw(st.integers(0, 7))
    n_mentees = draw(st.integers(0, 12))
    words = st.sampled_from(["математика", "физика", "театр", "спорт", "проект", "профориентация"])
    mentors = [{"mentor_id": f"Н-{k}", "full_name": f"Наставник {k}",
                "mentor_category": draw(st.sampled_from(CATEGORIES)),
                "position_or_grade": f"{draw(st.integers(5, 11))} класс",
                "experience_years": draw(st.integers(0, 10)), "capacity": draw(st.integers(0, 3)),
                "competencies": tuple(draw(st.lists(words, max_size=2))),
                "interests": tuple(draw(st.lists(words, max_size=2))), "status": "обучен"}
               for k in range(n_mentors)]
    mentees = [{"mentee_id": f"Я-{k}", "full_name": f"Наставляемый {k}", "participant_type": draw(st.sampled_from(TYPES)),
                "grade_or_position": f"{draw(st.integers(5, 11))} класс", "request": " ".join(draw(st.lists(words, max_size=2))),
                "interests": tuple(draw(st.lists(words, max_size=2)))} for k in range(n_mentees)]
    rejected = [(f"я-{draw(st.integers(0, 11))}", f"н-{draw(st.integers(0, 6))}") for _ in range(draw(st.integers(0, 3)))]
    return mentors, mentees, rejected


@settings(max_examples=60, deadline=None)
@given(random_book(), st.sampled_from(["participation", "score"]), st.integers(0, 10**6))
def test_proposals_keep_every_rule_and_do_not_depend_on_row_order(data: Any, objective: str, seed: int) -> None:
    mentors, mentees, rejected = data
    result = propose(book(mentors, mentees), ON, objective, rejected)
    by_id = {m["mentor_id"]: m for m in mentors}
    people = {m["mentee_id"]: m for m in mentees}
    load: dict[str, int] = {}
    assert len({p.mentee_id for p in result.proposals}) == len(result.proposals)  # no mentee twice
    for p in result.proposals:
        mentor, mentee = by_id[p.mentor_id], people[p.mentee_id]
        assert p.form in FORM_RULES and not pair_problems(p.form, mentor, mentee)  # validation's own rules
        assert mentee_mask(mentee) & mentor_mask(mentor)
        assert (id_key(p.mentee_id), id_key(p.mentor_id)) not in set(rejected)
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
        if p.form == "ученик – ученик":
            assert grade_of(mentor["position_or_grade"]) > grade_of(mentee["grade_or_position"])
    assert all(load[k] <= by_id[k]["capacity"] for k in load)  # capacities kept
    assert len(result.proposals) + len(result.unmatched) == len(mentees)
    if result.proposals:
        assert result.certificate["valid"]
    rng = random.Random(seed)
    shuffled = propose(book(rng.sample(mentors, len(mentors)), rng.sample(mentees, len(mentees))), ON, objective,
                       rejected)
    assert shuffled.model_dump(exclude={"book"}) == result.model_dump(exclude={"book"})


# --- on demo books: proposals, the curator's decisions, «Утвердить пары» ------------------------

import json
import subprocess
import sys

import pytest

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.validate import validate_path
from nastavnik_xl.book.decisions import read_decisions
from nastavnik_xl.book.output.pairing_sheet import SHEET_NAME, pairing_sheet
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.book.writer import write_output_sheet

TODAY = dt.date(2026, 11, 30)


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nastavnik_xl", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    region = generate_region(tmp_path_factory.mktemp("pair"), schools=2, seed=6, mistake_rate=0, today=TODAY)
    return region.books[0]


def test_every_waiting_mentee_is_proposed_or_has_a_reason(demo_book: Path) -> None:
    result = propose(read_book(demo_book), TODAY)
    assert result.proposals and result.certificate["valid"]
    assert all(u.reason for u in result.unmatched)
    assert all(p.reasons and 0 <= p.percent <= 100 for p in result.proposals)


def test_accepting_puts_the_pairs_into_the_book_and_validation_finds_nothing_new(demo_book: Path,
                                                                                 tmp_path: Path) -> None:
    book = tmp_path / demo_book.name
    book.write_bytes(demo_book.read_bytes())
    before = validate_path(book, TODAY)
    first = cli("pair", book, "--date", "30.11.2026", "--write", "--format", "json")
    assert first.returncode in (0, 1), first.stderr
    proposals = json.loads(first.stdout)["proposals"]
    # the curator accepts all but one, and rejects that one
    decisions = {(p["mentee_id"].casefold(), p["mentor_id"].casefold()): "принять" for p in proposals}
    last = proposals[-1]
    decisions[(last["mentee_id"].casefold(), last["mentor_id"].casefold())] = "отклонить"
    result = propose(read_book(book), TODAY)
    write_output_sheet(book, SHEET_NAME, pairing_sheet(result, decisions))
    assert read_decisions(book) == decisions
    pairs_before = len(read_book(book).tables["pairs"].rows)
    accepted = cli("pair", book, "--date", "30.11.2026", "--accept", "--format", "json")
    assert accepted.returncode in (0, 1), accepted.stderr
    assert json.loads(accepted.stdout)["refused"] == []
    after_book = read_book(book)
    new = after_book.tables["pairs"].rows[pairs_before:]
    assert len(new) == len(proposals) - 1
    assert all(r["match_method"] == "автоподбор" and r["start_date"] == TODAY and r["status"] == "сформирована"
               for r in new)
    assert len({r["pair_id"] for r in new}) == len(new)
    after = validate_path(book, TODAY)
    new_errors = {(f.code, f.message) for f in after.findings if f.severity.value == "ошибка"} - {
        (f.code, f.message) for f in before.findings if f.severity.value == "ошибка"}
    assert new_errors == set()
    # the rejected pair stays rejected and is not proposed again
    assert read_decisions(book) == {(last["mentee_id"].casefold(), last["mentor_id"].casefold()): "отклонить"}
    again = propose(read_book(book), TODAY, rejected=list(read_decisions(book)))
    assert (last["mentee_id"], last["mentor_id"]) not in {(p.mentee_id, p.mentor_id) for p in again.proposals}


def test_an_overloaded_mentor_is_a_finding_not_an_overflow(demo_book: Path, tmp_path: Path) -> None:
    book = tmp_path / demo_book.name
    book.write_bytes(demo_book.read_bytes())
    result = propose(read_book(book), TODAY)
    target = result.proposals[0].mentor_id
    from nastavnik_xl.actions.pairing.pool import pool

    p = pool(read_book(book), TODAY)
    free = p.free[[m["mentor_id"] for m in p.mentors].index(target)]
    waiting = [m["mentee_id"] for m in p.mentees][: free + 1]
    decisions = {(m.casefold(), target.casefold()): "принять" for m in waiting}
    write_output_sheet(book, SHEET_NAME, pairing_sheet(result, {}))
    from nastavnik_xl.actions.pairing.accept import accept

    acceptance = accept(read_book(book), decisions, {}, TODAY)
    assert len([r for r in acceptance.rows if r["mentor_id"] == target]) <= free
    assert any(f.code in ("mentor-over-capacity", "accept-form-mismatch") for f in acceptance.findings)
