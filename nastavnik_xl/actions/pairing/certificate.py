"""The proof that an assignment is optimal: LP duality checked on every allowed pair.

The assignment problem is an LP with an integral optimum: maximise Σ w'_ij x_ij subject to
Σ_j x_ij ≤ 1 per mentee and Σ_i x_ij ≤ c_j per mentor. Its dual is: minimise Σ u_i + Σ c_j v_j
subject to u, v ≥ 0 and u_i + v_j ≥ w'_ij for every allowed pair. Any feasible dual bounds every
assignment from above (weak duality), so an assignment whose total equals a feasible dual's
objective is optimal. :func:`verify` checks exactly that, recomputing every allowed pair's
weight block by block from the scorer; it does not trust, or import, the solver.

The weight w' of the objective (:class:`Weighting`) is an exact integer:
``w' = bonus + score · 2^t + tie``. ``tie`` is a per-pair number below 2^b from a hash of the
two ID strings, with K · 2^b ≤ 2^t (K the largest possible number of pairs), so the ties of a
whole assignment never outweigh one point of score: the score stays dominant and equal scores
are decided by the IDs, whatever the input order. For the ``participation`` objective ``bonus``
exceeds any assignment's total of the other terms, so one more matched mentee outweighs any
score: the optimum matches the most mentees, then has the highest score.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from nastavnik_xl.actions.pairing.scorer import Scorer, key_function

OBJECTIVES = ("participation", "score")
DUAL_LIMIT = 1 << 61  # duals above this are refused, so u + v never overflows int64
_CLIP = 16000  # int16 bound of the fast pre-check (see _flagged)
_BLOCK_PAIRS = 1 << 18  # pairs per scored block: a few hundred KB, inside a core's cache
_M1, _M2, _M3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def key_hashes(keys: Sequence[str], role: str) -> np.ndarray:
    """A 64-bit BLAKE2b hash of each ID (never Python's salted ``hash``)."""
    person = role.encode()[:16]
    digest = (hashlib.blake2b(str(k).encode("utf-8"), digest_size=8, person=person).digest() for k in keys)
    return np.frombuffer(b"".join(digest), dtype="<u8").astype(np.uint64)


def pair_hash(mentee_hash: np.ndarray, mentor_hash: np.ndarray) -> np.ndarray:
    """A 64-bit mix of the two IDs' hashes (SplitMix64 finaliser), elementwise."""
    with np.errstate(over="ignore"):
        x = np.asarray(mentee_hash, dtype=np.uint64) ^ (np.asarray(mentor_hash, dtype=np.uint64) * _M1)
        x = x ^ (x >> np.uint64(30))
        x = x * _M2
        x = x ^ (x >> np.uint64(27))
        x = x * _M3
        return x ^ (x >> np.uint64(31))


def block_size(n_mentors: int) -> int:
    return max(8, min(256, _BLOCK_PAIRS // max(n_mentors, 1)))


def worker_count(threads: int | None) -> int:
    if threads is not None:
        return max(1, threads)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def map_blocks(func: Callable, blocks: Iterable, threads: int | None) -> list:
    """``func`` over the blocks, in order; numpy releases the GIL, so threads share the cores."""
    blocks = list(blocks)
    workers = worker_count(threads)
    if workers == 1 or len(blocks) < 4:  # a thread pool costs about a millisecond
        return [func(b) for b in blocks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, blocks))


@dataclass(frozen=True)
class Weighting:
    """How a pair's score becomes the objective's exact integer weight w'."""

    objective: str
    shift: int  # t: the score is multiplied by 2^t
    tie_bits: int  # b: ties are below 2^b
    bonus: int  # added to every pair for "participation", 0 for "score"
    max_score: int

    @property
    def scale(self) -> int:
        return 1 << self.shift

    @property
    def ceiling(self) -> int:
        """Above any pair's weight: a dual this large covers every pair of a mentor."""
        return self.bonus + (self.max_score + 1) * self.scale

    @classmethod
    def for_instance(cls, objective: str, max_score: int, n_mentees: int, n_mentors: int,
                     capacity: np.ndarray) -> Weighting:
        """The largest scale that keeps flows, costs and duals inside int64.

        A flow solver multiplies costs by about the number of nodes; the participation bonus is
        K · (max_score + 1) · 2^t with K the largest possible number of pairs.
        """
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
        k = max(1, min(n_mentees, int(np.maximum(capacity, 0).sum())))
        top = max_score + 1
        nodes = n_mentees + n_mentors + 3
        shift = 40
        while shift > 0 and (top * nodes << shift > 1 << 61 or (objective == "participation" and k * top << shift > 1 << 59)):
            shift -= 1
        tie_bits = max(0, min(32, shift - math.ceil(math.log2(k))))
        bonus = k * top << shift if objective == "participation" else 0
        return cls(objective, shift, tie_bits, bonus, max_score)

    def ties(self, mentee_hash: np.ndarray, mentor_hash: np.ndarray) -> np.ndarray:
        if self.tie_bits == 0:
            return np.zeros(np.broadcast(mentee_hash, mentor_hash).shape, dtype=np.int64)
        return (pair_hash(mentee_hash, mentor_hash) >> np.uint64(64 - self.tie_bits)).astype(np.int64)

    def weights(self, scores: np.ndarray, mentee_hash: np.ndarray, mentor_hash: np.ndarray,
                with_bonus: bool = True) -> np.ndarray:
        """int64 w' of pairs with these scores (≥ 0) and these IDs' hashes (optionally without the bonus)."""
        s = np.asarray(scores, dtype=np.int64)
        return (self.bonus if with_bonus else 0) + (s << self.shift) + self.ties(mentee_hash, mentor_hash)


@dataclass(frozen=True)
class Certificate:
    valid: bool
    primal: int  # Σ w' over the assignment
    dual: int  # Σ u + Σ c · v
    pairs_checked: int  # allowed pairs whose dual constraint was checked
    violations: int  # allowed pairs with u_i + v_j < w'_ij
    rounds: int  # solver rounds before the proof held (0 when verified on its own)
    method: str
    reason: str  # why it is not valid ("" when valid)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ScanResult:
    """What one pass over every allowed pair found."""

    pairs_checked: int = 0
    violations: int = 0
    forbidden_used: int = 0  # assigned pairs that are not allowed
    over_max: int = 0  # allowed pairs scored above the scorer's max_score (the weights would not hold)
    score_sum: int = 0  # Σ score over the assignment
    tie_sum: int = 0  # Σ tie over the assignment
    violators: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)  # (i, j, score)


@dataclass(frozen=True)
class _Duals:
    """Per-person quantities of the fast pre-check, derived once from the duals."""

    mentee: np.ndarray  # int64 u
    mentor: np.ndarray  # int64 v
    mentee_floor: np.ndarray  # floor(u / 2^t) − floor(bonus / 2^t) + offset, clipped
    mentor_floor: np.ndarray  # floor(v / 2^t) − offset, clipped

    @classmethod
    def of(cls, u: np.ndarray, v: np.ndarray, weighting: Weighting) -> _Duals:
        p = (u >> weighting.shift) - (weighting.bonus >> weighting.shift)
        r = v >> weighting.shift
        # only p + r matters: move a common offset from r to p so that both are mostly small
        offset = int(np.median(r)) if len(r) else 0
        clip = (lambda a: np.clip(a, -_CLIP, _CLIP).astype(np.int16))
        return cls(u, v, clip(p + offset), clip(r - offset))


def _flagged(keys: np.ndarray, rows: np.ndarray, duals: _Duals, margin: int) -> tuple[np.ndarray, np.ndarray]:
    """Allowed pairs that may have u_i + v_j − w'_ij < margin · 2^t; all others provably do not.

    With u = p·2^t + q, v = r·2^t + s, bonus = m·2^t + μ (remainders below 2^t) and a tie below
    2^t, a pair of score σ has u_i + v_j − w'_ij ≥ margin · 2^t whenever p + r − m − σ ≥ 2 +
    margin, i.e. whenever key + margin < (p − m) + r with key = σ + 1. Clipping p − m and r to
    ±16000 only ever flags more pairs. Only the flagged pairs are weighed exactly.
    """
    if keys.dtype == np.uint8:
        lhs = np.subtract(keys, duals.mentor_floor[None, :], dtype=np.int16)
        flags = lhs >= (duals.mentee_floor[rows] - margin)[:, None]
    else:
        lhs = keys - duals.mentor_floor[None, :].astype(np.int64)
        flags = lhs >= (duals.mentee_floor[rows].astype(np.int64) - margin)[:, None]
    flags &= keys > 0
    return np.divmod(np.flatnonzero(flags), keys.shape[1])


def _nearest_per_row(local: np.ndarray, tiebreak: np.ndarray, excess: np.ndarray, keep: int,
                     keep_close: int, close: int) -> np.ndarray:
    """Positions of each row's ``keep`` largest excesses, or ``keep_close`` of those above ``close``.

    Equal excesses are ordered by ``tiebreak`` (a hash of the mentor's ID, not its position).
    """
    order = np.lexsort((tiebreak, -excess, local))
    sorted_rows = local[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows, side="left")
    return order[(rank < keep) | ((rank < keep_close) & (excess[order] > close))]


def scan(scorer: Scorer, capacity: np.ndarray, assigned: np.ndarray, u: np.ndarray, v: np.ndarray,
         weighting: Weighting, mentee_hash: np.ndarray, mentor_hash: np.ndarray, *,
         collect: int = 0, collect_close: int = 0, margin: int = 0, threads: int | None = None,
         order: np.ndarray | None = None) -> ScanResult:
    """Check u_i + v_j ≥ w'_ij on every allowed pair and score the assignment, block by block.

    ``assigned[i]`` is mentee i's mentor or -1. With ``collect`` > 0 the pairs of largest excess
    w'_ij − u_i − v_j above −``margin`` score points (the violated and the nearly tight ones)
    are returned as (mentee, mentor, score) arrays: ``collect`` per mentee, or up to
    ``collect_close`` of those less than one point from tight.
    """
    duals = _Duals.of(u, v, weighting)
    keys_of = key_function(scorer)
    rows_all = np.arange(scorer.n_mentees) if order is None else order
    step = block_size(scorer.n_mentors)
    floor = -margin * weighting.scale if collect else 1

    def one(start: int) -> ScanResult:
        rows = rows_all[start:start + step]
        keys = keys_of(rows)
        out = ScanResult(pairs_checked=int(np.count_nonzero(keys)))
        if int(keys.max(initial=0)) > weighting.max_score + 1:
            out.over_max = int(np.count_nonzero(keys > weighting.max_score + 1))
        mine = np.flatnonzero(assigned[rows] >= 0)
        if len(mine):
            k = keys[mine, assigned[rows[mine]]].astype(np.int64)
            out.forbidden_used = int(np.count_nonzero(k == 0))
            ok = k > 0
            out.score_sum = int((k[ok] - 1).sum())
            out.tie_sum = int(weighting.ties(mentee_hash[rows[mine[ok]]], mentor_hash[assigned[rows[mine[ok]]]]).sum())
        local, cols = _flagged(keys, rows, duals, margin if collect else 0)
        if len(local):
            i = rows[local]
            score = keys[local, cols].astype(np.int64) - 1
            excess = weighting.weights(score, mentee_hash[i], mentor_hash[cols]) - (duals.mentee[i] + duals.mentor[cols])
            out.violations = int(np.count_nonzero(excess > 0))
            near = excess > floor
            if collect and near.any():
                local, cols, score, excess = local[near], cols[near], score[near], excess[near]
                keep = _nearest_per_row(local, mentor_hash[cols], excess, collect, collect_close,
                                        -weighting.scale)
                out.violators.append((rows[local[keep]], cols[keep], score[keep]))
        return out

    total = ScanResult()
    for part in map_blocks(one, range(0, len(rows_all), step), threads):
        total.pairs_checked += part.pairs_checked
        total.violations += part.violations
        total.forbidden_used += part.forbidden_used
        total.over_max += part.over_max
        total.score_sum += part.score_sum
        total.tie_sum += part.tie_sum
        total.violators.extend(part.violators)
    return total


def _primal_problems(n: int, m: int, capacity: np.ndarray, pairs: np.ndarray) -> str:
    if capacity.shape != (m,) or (capacity < 0).any():
        return "capacities must be one non-negative integer per mentor"
    if len(pairs) == 0:
        return ""
    if pairs.min() < 0 or pairs[:, 0].max() >= n or pairs[:, 1].max() >= m:
        return "a pair refers to a mentee or mentor out of range"
    if len(np.unique(pairs[:, 0])) != len(pairs):
        return "a mentee has more than one mentor"
    if (np.bincount(pairs[:, 1], minlength=m) > capacity).any():
        return "a mentor has more mentees than free places"
    return ""


def _dual_problems(n: int, m: int, u: np.ndarray, v: np.ndarray) -> str:
    if u.shape != (n,) or v.shape != (m,):
        return "one dual price per mentee and per mentor is needed"
    if (u < 0).any() or (v < 0).any():
        return "a dual price is negative"
    if (u > DUAL_LIMIT).any() or (v > DUAL_LIMIT).any():
        return "a dual price is out of range"
    return ""


def verify(scorer: Scorer, capacity: np.ndarray, pairs: Iterable[tuple[int, int]], mentee_dual: np.ndarray,
           mentor_dual: np.ndarray, objective: str, mentee_keys: Sequence[str], mentor_keys: Sequence[str],
           *, threads: int | None = None) -> Certificate:
    """Prove (or refuse) that ``pairs`` is optimal for ``objective`` with these dual prices."""
    n, m = scorer.n_mentees, scorer.n_mentors
    cap = np.asarray(capacity, dtype=np.int64).reshape(-1)
    arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
    u, v = np.asarray(mentee_dual, dtype=np.int64), np.asarray(mentor_dual, dtype=np.int64)
    weighting = Weighting.for_instance(objective, scorer.max_score, n, m, cap)
    if len(mentee_keys) != n or len(mentor_keys) != m:
        return _refused("one ID per mentee and per mentor is needed")
    reason = _primal_problems(n, m, cap, arr) or _dual_problems(n, m, u, v)
    if reason:
        return _refused(reason)
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[arr[:, 0]] = arr[:, 1]
    mentee_hash, mentor_hash = key_hashes(mentee_keys, "mentee"), key_hashes(mentor_keys, "mentor")
    found = scan(scorer, cap, assigned, u, v, weighting, mentee_hash, mentor_hash, threads=threads)
    return certificate_from(found, len(arr), u, v, cap, weighting)


def certificate_from(found: ScanResult, n_pairs: int, u: np.ndarray, v: np.ndarray, capacity: np.ndarray,
                     weighting: Weighting, rounds: int = 0, method: str = "lp-duality") -> Certificate:
    """Judge a scan: primal feasible, dual feasible, and equal objectives."""
    primal = n_pairs * weighting.bonus + (found.score_sum << weighting.shift) + found.tie_sum
    dual = sum(int(x) for x in u) + sum(int(c) * int(x) for c, x in zip(capacity.tolist(), v.tolist()) if c)
    reason = ""
    if found.over_max:
        reason = f"{found.over_max} pair(s) score above the scorer's max_score"
    elif found.forbidden_used:
        reason = f"{found.forbidden_used} assigned pair(s) are forbidden"
    elif found.violations:
        reason = f"{found.violations} allowed pair(s) have u_i + v_j < w'_ij"
    elif primal != dual:
        reason = f"the assignment's total {primal} differs from the dual bound {dual}"
    return Certificate(not reason, primal, dual, found.pairs_checked, found.violations, rounds, method, reason)


def _refused(reason: str) -> Certificate:
    return Certificate(False, 0, 0, 0, 0, 0, "lp-duality", reason)
