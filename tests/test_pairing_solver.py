"""The exact assignment engine: feasibility, optimality against brute force, determinism, the proof."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nastavnik_xl.actions.pairing import scorer as scorer_module
from nastavnik_xl.actions.pairing.certificate import Weighting, key_hashes, verify
from nastavnik_xl.actions.pairing.generator import generate
from nastavnik_xl.actions.pairing.scorer import FeatureScorer, Weights
from nastavnik_xl.actions.pairing.solver import Solution, solve

OBJECTIVES = ("participation", "score")
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class MatrixScorer:
    """A scorer over a small dense matrix (-1 = forbidden), for brute-force comparisons."""

    scores: np.ndarray
    max_score: int

    @property
    def n_mentees(self) -> int:
        return self.scores.shape[0]

    @property
    def n_mentors(self) -> int:
        return self.scores.shape[1]

    def block(self, mentees: np.ndarray) -> np.ndarray:
        return self.scores[np.asarray(mentees, dtype=np.int64)].astype(np.int64)


@st.composite
def instances(draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 3) -> tuple:
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    top = draw(st.sampled_from([0, 1, 3, 12]))  # few values: many ties
    cells = draw(st.lists(st.integers(-1, top), min_size=n * m, max_size=n * m))
    scores = np.array(cells, dtype=np.int64).reshape(n, m)
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)), dtype=np.int64)
    return MatrixScorer(scores, top), capacity, [f"ме-{i}" for i in range(n)], [f"нс-{j}" for j in range(m)]


def brute_force(scores: np.ndarray, capacity: np.ndarray, objective: str) -> tuple[int, int]:
    """(matched, total score) of the best assignment by trying every one."""
    n, m = scores.shape
    best = (-1, -1)
    for choice in itertools.product(range(-1, m), repeat=n):
        load = np.bincount([j for j in choice if j >= 0], minlength=m)
        if (load > capacity).any() or any(j >= 0 and scores[i, j] < 0 for i, j in enumerate(choice)):
            continue
        matched = sum(j >= 0 for j in choice)
        total = sum(int(scores[i, j]) for i, j in enumerate(choice) if j >= 0)
        key = (matched, total) if objective == "participation" else (total, 0)
        best = max(best, key)
    return best if objective == "participation" else (0, best[0])


def check_feasible(solution: Solution, scores: np.ndarray, capacity: np.ndarray) -> None:
    mentees = [i for i, _ in solution.pairs]
    assert len(mentees) == len(set(mentees)), "a mentee has two mentors"
    load = np.bincount([j for _, j in solution.pairs], minlength=len(capacity))
    assert (load <= capacity).all(), "a mentor is over capacity"
    assert all(scores[i, j] >= 0 for i, j in solution.pairs), "a forbidden pair was used"
    assert solution.pairs == sorted(solution.pairs)
    assert solution.total_score == sum(int(scores[i, j]) for i, j in solution.pairs)


@FAST
@given(instances(), st.sampled_from(OBJECTIVES))
def test_optimal_against_brute_force(instance: tuple, objective: str) -> None:
    scorer, capacity, mentee_keys, mentor_keys = instance
    solution = solve(scorer, capacity, mentee_keys, mentor_keys, objective)
    check_feasible(solution, scorer.scores, capacity)
    matched, total = brute_force(scorer.scores, capacity, objective)
    assert solution.certificate.valid, solution.certificate.reason
    assert solution.total_score == total
    if objective == "participation":
        assert solution.matched == matched


@FAST
@given(instances(max_mentees=7, max_mentors=4), st.sampled_from(OBJECTIVES), st.randoms(use_true_random=False))
def test_same_pairs_whatever_the_row_order(instance: tuple, objective: str, rnd) -> None:
    scorer, capacity, mentee_keys, mentor_keys = instance
    first = solve(scorer, capacity, mentee_keys, mentor_keys, objective)
    again = solve(scorer, capacity, mentee_keys, mentor_keys, objective)
    assert first.pairs == again.pairs
    pi = list(range(scorer.n_mentees))
    pj = list(range(scorer.n_mentors))
    rnd.shuffle(pi)
    rnd.shuffle(pj)
    shuffled = MatrixScorer(scorer.scores[np.ix_(pi, pj)], scorer.max_score)
    other = solve(shuffled, capacity[pj], [mentee_keys[i] for i in pi], [mentor_keys[j] for j in pj], objective)
    by_keys = {(mentee_keys[i], mentor_keys[j]) for i, j in first.pairs}
    assert {(mentee_keys[pi[i]], mentor_keys[pj[j]]) for i, j in other.pairs} == by_keys


@FAST
@given(instances(), st.sampled_from(OBJECTIVES), st.data())
def test_certificate_rejects_a_worse_assignment_and_wrong_duals(instance: tuple, objective: str, data) -> None:
    scorer, capacity, mentee_keys, mentor_keys = instance
    sol = solve(scorer, capacity, mentee_keys, mentor_keys, objective)

    def check(pairs: list, u: np.ndarray, v: np.ndarray):
        return verify(scorer, capacity, pairs, u, v, objective, mentee_keys, mentor_keys)

    assert check(sol.pairs, sol.mentee_dual, sol.mentor_dual).valid
    if sol.pairs:
        k = data.draw(st.integers(0, len(sol.pairs) - 1))
        assert not check(sol.pairs[:k] + sol.pairs[k + 1:], sol.mentee_dual, sol.mentor_dual).valid
        u = sol.mentee_dual.copy()
        u[sol.pairs[k][0]] -= 1  # a chosen pair's constraint is tight: now violated
        assert not check(sol.pairs, u, sol.mentor_dual).valid
    if len(sol.pairs) >= 2:
        (a, x), (b, y) = sol.pairs[0], sol.pairs[1]
        if x != y:
            swapped = [(a, y), (b, x)] + sol.pairs[2:]
            assert not check(swapped, sol.mentee_dual, sol.mentor_dual).valid
    open_mentors = np.flatnonzero(capacity > 0)
    if len(open_mentors):
        v = sol.mentor_dual.copy()
        v[open_mentors[0]] += 1  # still feasible, but the bound no longer meets the total
        assert not check(sol.pairs, sol.mentee_dual, v).valid
    if scorer.n_mentees:
        u = sol.mentee_dual.copy()
        u[0] = -1
        assert "negative" in check(sol.pairs, u, sol.mentor_dual).reason


@FAST
@given(instances(max_mentees=7, max_mentors=4), st.sampled_from(OBJECTIVES))
def test_prices_in_points_explain_every_pair(instance: tuple, objective: str) -> None:
    scorer, capacity, mentee_keys, mentor_keys = instance
    sol = solve(scorer, capacity, mentee_keys, mentor_keys, objective)
    chosen = set(sol.pairs)
    for i, j in itertools.product(range(scorer.n_mentees), range(scorer.n_mentors)):
        score = scorer.scores[i, j]
        if score < 0 or capacity[j] == 0:
            continue
        bound = sol.mentee_value[i] + sol.mentor_price[j]
        assert score <= bound + 1e-6  # score + tie-break (below one point) ≤ value + price
        if (i, j) in chosen:
            assert score <= bound < score + 1


def test_certificate_rejects_infeasible_assignments() -> None:
    scorer = MatrixScorer(np.array([[3, -1], [2, 1]]), 3)
    capacity = np.array([1, 1])
    keys = (["a", "b"], ["x", "y"])
    sol = solve(scorer, capacity, *keys)
    assert sol.pairs == [(0, 0), (1, 1)] and sol.certificate.valid
    u, v = sol.mentee_dual, sol.mentor_dual
    assert "forbidden" in verify(scorer, capacity, [(0, 1), (1, 0)], u, v, "participation", *keys).reason
    assert "more than one" in verify(scorer, capacity, [(0, 0), (0, 1)], u, v, "participation", *keys).reason
    assert "free places" in verify(scorer, capacity, [(0, 0), (1, 0)], u, v, "participation", *keys).reason


def test_participation_matches_more_mentees_than_score() -> None:
    # mentee 0 could take either mentor, mentee 1 only mentor 0; the best single pair is (1, 0)
    scorer = MatrixScorer(np.array([[1, 1], [9, -1]]), 9)
    capacity = np.array([1, 1])
    keys = (["a", "b"], ["x", "y"])
    assert solve(scorer, capacity, *keys, objective="participation").pairs == [(0, 1), (1, 0)]
    assert solve(scorer, capacity, *keys, objective="score").total_score == 10
    lonely = MatrixScorer(np.array([[5, 0], [6, -1]]), 6)
    part = solve(lonely, np.array([1, 1]), *keys, objective="participation")
    assert part.matched == 2 and part.total_score == 6  # 0 → y scores 0 but makes room
    assert solve(lonely, np.array([1, 1]), *keys, objective="score").total_score == 6


def small_book(n: int, m: int, seed: int) -> tuple:
    inst = generate(n, m, seed=seed)
    return inst.scorer, inst.capacity, inst.mentee_keys, inst.mentor_keys


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", [1, 2])
def test_sparse_rounds_reach_the_full_graph_optimum(objective: str, seed: int) -> None:
    scorer, capacity, mentee_keys, mentor_keys = small_book(400, 80, seed)
    full = solve(scorer, capacity, mentee_keys, mentor_keys, objective, full_graph_pairs=10**9)
    sparse = solve(scorer, capacity, mentee_keys, mentor_keys, objective, full_graph_pairs=0, top_k=2, top_m=2)
    fallback = solve(scorer, capacity, mentee_keys, mentor_keys, objective, full_graph_pairs=0, top_k=1, top_m=1,
                     max_rounds=1)
    assert full.certificate.method.startswith("full graph")
    assert fallback.certificate.method.startswith("full graph fallback") or fallback.certificate.rounds == 1
    for other in (sparse, fallback):
        assert other.certificate.valid, other.certificate.reason
        assert other.pairs == full.pairs  # the tie-break makes the optimum unique
        assert other.certificate.primal == full.certificate.primal
    scores = scorer.block(np.arange(scorer.n_mentees))
    check_feasible(sparse, scores, capacity)
    assert full.certificate.pairs_checked == int((scores >= 0).sum())


def test_same_pairs_for_shuffled_books_and_any_thread_count() -> None:
    scorer, capacity, mentee_keys, mentor_keys = small_book(2000, 150, 5)  # 8 blocks: threads do run
    base = solve(scorer, capacity, mentee_keys, mentor_keys, threads=1)
    assert base.certificate.valid
    assert solve(scorer, capacity, mentee_keys, mentor_keys, threads=3).pairs == base.pairs
    rng = np.random.default_rng(0)
    pi, pj = rng.permutation(scorer.n_mentees), rng.permutation(scorer.n_mentors)
    other = solve(scorer.take(pi, pj), capacity[pj], [mentee_keys[i] for i in pi], [mentor_keys[j] for j in pj])
    assert {(mentee_keys[pi[i]], mentor_keys[pj[j]]) for i, j in other.pairs} == {
        (mentee_keys[i], mentor_keys[j]) for i, j in base.pairs}
    assert other.total_score == base.total_score


def test_duals_explain_a_refused_mentor() -> None:
    scorer, capacity, mentee_keys, mentor_keys = small_book(300, 60, 3)
    sol = solve(scorer, capacity, mentee_keys, mentor_keys, objective="score")
    scores = scorer.block(np.arange(scorer.n_mentees))
    i, j = sol.pairs[0]
    assert sol.reduced_cost(i, j, int(scores[i, j]), mentee_keys[i], mentor_keys[j]) == 0
    allowed = np.flatnonzero(scores[i] >= 0)
    slack = [sol.reduced_cost(i, k, int(scores[i, k]), mentee_keys[i], mentor_keys[k]) for k in allowed]
    assert min(slack) >= 0


@FAST
@given(st.integers(0, 40), st.integers(0, 12), st.integers(0, 10**6))
def test_explain_sums_to_the_block_score(n: int, m: int, seed: int) -> None:
    scorer = generate(n, m, seed=seed).scorer
    block = scorer.block(np.arange(n))
    rows = scorer.block(np.arange(n)[::-1])[::-1]
    assert (block == rows).all()  # rows do not depend on which block they come in
    for i, j in itertools.islice(itertools.product(range(n), range(m)), 200):
        parts = scorer.explain(i, j)
        assert sum(points for _, points, _ in parts) == block[i, j]
        assert block[i, j] <= scorer.max_score
        assert all(isinstance(key, str) and isinstance(text, str) for key, _, text in parts)


def test_profile_tables_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = generate(300, 40, seed=11)
    with_tables = inst.scorer.block(np.arange(300))
    monkeypatch.setattr(scorer_module, "_TABLE_BUDGET", 0)
    plain = inst.scorer.take(np.arange(300), np.arange(40))
    assert not any(type(p).__name__ == "_Table" for p in plain._parts)
    assert (plain.block(np.arange(300)) == with_tables).all()


def test_feature_scorer_rules() -> None:
    one = np.ones(3, dtype=np.uint64)
    args = {
        "mentee_forms": np.array([0b01, 0b01, 0b10], dtype=np.uint64),
        "mentor_forms": np.array([0b01, 0b11], np.uint64),
        "mentee_request": np.array([0b11, 0, 0], np.uint64), "mentor_competencies": np.array([0b111, 0b1], np.uint64),
        "mentee_interests": one, "mentor_interests": np.array([1, 0], np.uint64),
        "mentee_subjects": np.zeros(3, np.uint64), "mentor_subjects": np.zeros(2, np.uint64),
        "mentee_availability": np.zeros(3, np.uint64), "mentor_availability": np.zeros(2, np.uint64),
        "mentee_level": np.array([5, 9, 5]), "mentor_level": np.array([7, 6]), "above_forms": 0b01,
        "forbidden": np.array([[0, 1]]), "mentee_prefers": np.array([[1, 0]]), "mentor_prefers": np.array([[1, 0]]),
    }
    scorer = FeatureScorer(**args)
    w = Weights()
    scores = scorer.block(np.arange(3))
    assert scores[0, 0] == 2 * w.request_tag + w.interest_tag + w.level_gap  # gap 2 is ideal
    assert scores[0, 1] == -1  # the curator forbade it
    assert scores[1, 0] == -1  # the mentor is not above the mentee in the only shared form
    assert scores[1, 1] == -1
    assert scores[2, 0] == -1  # no shared form
    assert scores[2, 1] == w.level_gap  # the shared form has no level rule; gap 1 is ideal
    assert [key for key, _, _ in scorer.explain(1, 0)] == ["forbidden"]
    with pytest.raises(ValueError, match="254"):
        FeatureScorer(**args, weights=replace(w, mutual=300))


def test_weighting_keeps_the_score_dominant_and_inside_int64() -> None:
    for objective in OBJECTIVES:
        for n, m, top in [(1, 1, 0), (20000, 5000, 45), (200000, 50000, 254)]:
            cap = np.full(m, 4)
            wt = Weighting.for_instance(objective, top, n, m, cap)
            k = min(n, int(cap.sum()))
            assert k * ((1 << wt.tie_bits) - 1) < wt.scale  # all ties of an assignment < one point
            assert wt.ceiling * 4 < 1 << 63
            if objective == "participation":
                assert wt.bonus > k * (top + 1) * wt.scale - 1
    hashes = key_hashes(["НЛ-1", "НЛ-2"], "mentee")
    assert hashes[0] != hashes[1] and (key_hashes(["НЛ-1"], "mentee") == hashes[:1]).all()


def test_rejects_bad_input() -> None:
    scorer = MatrixScorer(np.zeros((2, 1), dtype=np.int64), 0)
    with pytest.raises(ValueError, match="not unique"):
        solve(scorer, np.array([1]), ["a", "a"], ["x"])
    with pytest.raises(ValueError, match="capacity"):
        solve(scorer, np.array([-1]), ["a", "b"], ["x"])
    with pytest.raises(ValueError, match="objective"):
        solve(scorer, np.array([1]), ["a", "b"], ["x"], objective="fastest")
