"""Pair scores, computed block by block and never materialised for the whole graph.

A scorer answers, for a block of mentees and every mentor, the integer score of each pair or
-1 where the pair is forbidden. The solver and the certificate consume nothing else, so the
20,000 × 5,000 graph (about 70 M allowed pairs) never exists in memory at once.

:class:`FeatureScorer` is the concrete scorer the curator's book fills: bitmasks of forms,
tag bitsets, availability, a numeric level, curator-forbidden pairs and named preferences.
Its hot path (:meth:`FeatureScorer.block_u8`) works on bytes: each mentee's tags select
precomputed mentor rows that are summed, capped and masked, a few vectorised byte operations
per pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Protocol, runtime_checkable

import numpy as np

FORBIDDEN_U8 = 255  # marks a forbidden pair in :meth:`FeatureScorer.block_u8`
MAX_SCORE_U8 = 254  # the largest score the byte path can hold
_TABLE_BYTES = 1 << 26  # precompute level rows for all (forms, level) pairs up to 64 MB
_TABLE_BUDGET = 1 << 26  # bytes of per-profile score tables (see _tables)
_MERGE_ROWS = 4096  # criteria share one table while they have at most this many distinct profiles
_BLOCK_ROWS_PAIRS = 1 << 18


@runtime_checkable
class Scorer(Protocol):
    """What the solver and the certificate need from a score model."""

    n_mentees: int
    n_mentors: int
    max_score: int  # an upper bound on every allowed pair's score

    def block(self, mentees: np.ndarray) -> np.ndarray:
        """int64 (len(mentees), n_mentors): the pair's score, or -1 where it is forbidden."""
        ...


@runtime_checkable
class ByteScorer(Scorer, Protocol):
    """A scorer with a byte fast path (scores ≤ 254, 255 = forbidden)."""

    def block_u8(self, mentees: np.ndarray) -> np.ndarray: ...


def key_function(scorer: Scorer) -> Callable[[np.ndarray], np.ndarray]:
    """A function of a block of mentees: score + 1 for allowed pairs, 0 for forbidden ones.

    On the byte path (uint8) the forbidden mark 255 wraps to 0, so one addition gives the keys;
    any other scorer gives int64 keys.
    """
    if isinstance(scorer, ByteScorer) and scorer.max_score <= MAX_SCORE_U8:

        def byte_keys(mentees: np.ndarray) -> np.ndarray:
            keys = scorer.block_u8(mentees)
            np.add(keys, np.uint8(1), out=keys)
            return keys

        return byte_keys

    def int_keys(mentees: np.ndarray) -> np.ndarray:
        keys = np.asarray(scorer.block(mentees), dtype=np.int64) + 1
        np.maximum(keys, 0, out=keys)
        return keys

    return int_keys


@dataclass(frozen=True)
class Weights:
    """Integer points per criterion (the defaults keep the largest score at 45)."""

    request_tag: int = 4  # per tag of the mentee's request the mentor is competent in
    request_cap: int = 3  # at most this many tags count
    interest_tag: int = 2  # per shared interest
    interest_cap: int = 3
    subject: int = 5  # the mentor teaches or is strong in the mentee's subject
    availability_slot: int = 1  # per shared free slot (day and time)
    availability_cap: int = 4
    level_gap: int = 4  # mentor's level (grade or age) above the mentee's by the ideal gap
    gap_min: int = 1
    gap_max: int = 3
    mentee_prefers: int = 6  # the mentee named this mentor
    mentor_prefers: int = 4  # the mentor named this mentee
    mutual: int = 14  # both named each other

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"weight {f.name} must be ≥ 0")
        if self.gap_min > self.gap_max:
            raise ValueError("gap_min must not exceed gap_max")

    @property
    def max_score(self) -> int:
        tags = (
            self.request_tag * self.request_cap
            + self.interest_tag * self.interest_cap
            + self.subject
            + self.availability_slot * self.availability_cap
        )
        return tags + self.level_gap + max(self.mentee_prefers, self.mentor_prefers, self.mutual)


@dataclass(frozen=True)
class _TagFeature:
    """One capped tag-overlap criterion: points · min(shared tags, cap)."""

    key: str
    points: int
    cap: int
    mentee_bits: np.ndarray  # (n, words) uint64
    mentor_bits: np.ndarray  # (N, words) uint64
    mentee_tags: np.ndarray  # (R, n) tag indices, padded with the zero row's index
    mentee_count: np.ndarray  # (n,) tags per mentee
    rows: np.ndarray  # (tags + 1, N) uint8: points where the mentor has the tag, last row zeros
    cap_row: np.ndarray  # (N,) uint8 filled with points · cap
    profile: np.ndarray  # (n,) the same number for mentees with the same tags

    def add_to(self, acc: np.ndarray, mentees: np.ndarray, tmp: np.ndarray) -> None:
        width = int(self.mentee_count[mentees].max(initial=0))
        if width == 0 or self.points == 0 or self.cap == 0:
            return
        progressive = width * self.points > 255  # cap after every row so a byte never wraps
        np.take(self.rows, self.mentee_tags[0, mentees], axis=0, out=tmp)
        for r in range(1, width):
            np.add(tmp, self.rows[self.mentee_tags[r, mentees]], out=tmp)
            if progressive:
                np.minimum(tmp, self.cap_row, out=tmp)
        if width > self.cap:
            np.minimum(tmp, self.cap_row, out=tmp)
        np.add(acc, tmp, out=acc)

    def explain(self, i: int, j: int) -> tuple[str, int, str]:
        shared = _bit_indices(self.mentee_bits[i] & self.mentor_bits[j])
        points = self.points * min(len(shared), self.cap)
        detail = f"{len(shared)} shared (cap {self.cap}, {self.points} each)"
        if shared:
            detail += ": " + ", ".join(str(t) for t in shared)
        return self.key, points, detail


def _bitsets(values: np.ndarray, rows: int, name: str) -> np.ndarray:
    """(rows, words) uint64 from a (rows,) or (rows, words) array of unsigned bitmasks."""
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != rows:
        raise ValueError(f"{name}: expected {rows} rows of bitmask words, got shape {arr.shape}")
    if arr.dtype.kind == "i" and arr.size and arr.min() < 0:
        raise ValueError(f"{name}: bitmasks must be non-negative")
    return np.ascontiguousarray(arr.astype(np.uint64))


def _unpack(bits: np.ndarray) -> np.ndarray:
    """(rows, 64 · words) uint8 0/1: bit t of word k is tag 64k + t."""
    as_bytes = bits.astype("<u8").view(np.uint8).reshape(bits.shape[0], 8 * bits.shape[1])
    return np.unpackbits(as_bytes, axis=1, bitorder="little")


def _bit_indices(words: np.ndarray) -> list[int]:
    return [int(t) for t in np.flatnonzero(_unpack(np.atleast_1d(words)[None, :])[0])]


def _tag_feature(key: str, points: int, cap: int, mentee: np.ndarray, mentor: np.ndarray) -> _TagFeature:
    words = max(mentee.shape[1], mentor.shape[1])
    mentee = np.pad(mentee, ((0, 0), (0, words - mentee.shape[1])))
    mentor = np.pad(mentor, ((0, 0), (0, words - mentor.shape[1])))
    mentee_flags = _unpack(mentee)
    n_tags = mentee_flags.shape[1]
    who, tag = np.nonzero(mentee_flags)
    count = np.bincount(who, minlength=mentee.shape[0]).astype(np.int32)
    width = int(count.max(initial=0))
    tags = np.full((max(width, 1), mentee.shape[0]), n_tags, dtype=np.intp)
    start = np.cumsum(count) - count
    tags[np.arange(len(who)) - start[who], who] = tag
    rows = np.zeros((n_tags + 1, mentor.shape[0]), dtype=np.uint8)
    rows[:n_tags] = _unpack(mentor).T * np.uint8(min(points, 255))
    cap_row = np.full(mentor.shape[0], min(points * cap, 255), dtype=np.uint8)
    return _TagFeature(key, points, cap, mentee, mentor, tags, count, rows, cap_row, _row_ids(mentee))


def _row_ids(values: np.ndarray) -> np.ndarray:
    """(n,) the same number for equal rows of a (n, k) integer array, 0..distinct − 1."""
    if values.shape[1] == 1 or len(values) == 0:
        return np.unique(values[:, 0], return_inverse=True)[1].reshape(-1).astype(np.int64)
    order = np.lexsort(values.T[::-1])
    ranked = values[order]
    new = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)]
    ids = np.empty(len(values), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


@dataclass(frozen=True)
class _GapFeature:
    """Level-gap points, by (forms, level) combination of the mentee."""

    profile: np.ndarray  # (n,) combination of each mentee
    rows: np.ndarray  # (combinations, N) uint8

    def add_to(self, acc: np.ndarray, mentees: np.ndarray, tmp: np.ndarray) -> None:
        np.take(self.rows, self.profile[mentees], axis=0, out=tmp)
        np.add(acc, tmp, out=acc)


class _Component(Protocol):
    profile: np.ndarray

    def add_to(self, acc: np.ndarray, mentees: np.ndarray, tmp: np.ndarray) -> None: ...


@dataclass(frozen=True)
class _Table:
    """Several criteria summed once per distinct mentee profile: one gather per block instead of many."""

    profile: np.ndarray  # (n,) row of each mentee
    rows: np.ndarray  # (profiles, N) uint8

    @classmethod
    def build(cls, parts: list[_Component], profile: np.ndarray, n_mentors: int) -> _Table:
        _, first, inverse = np.unique(profile, return_index=True, return_inverse=True)
        rows = np.zeros((len(first), n_mentors), dtype=np.uint8)
        step = max(1, _BLOCK_ROWS_PAIRS // max(n_mentors, 1))
        for start in range(0, len(first), step):
            reps = first[start:start + step]
            tmp = np.empty((len(reps), n_mentors), dtype=np.uint8)
            for part in parts:
                part.add_to(rows[start:start + step], reps, tmp)
        return cls(inverse.reshape(-1).astype(np.intp), rows)

    def add_to(self, acc: np.ndarray, mentees: np.ndarray, tmp: np.ndarray) -> None:
        np.take(self.rows, self.profile[mentees], axis=0, out=tmp)
        np.add(acc, tmp, out=acc)


def _tables(parts: list[_Component], n_mentors: int) -> list[_Component]:
    """Group criteria into per-profile tables while that is small; the rest stay as they are.

    Criteria are merged into one table while the number of distinct combined profiles stays
    under ``_MERGE_ROWS``; a table is kept only if it fits the byte budget and has fewer rows
    than there are mentees (else it saves nothing).
    """
    n = len(parts[0].profile) if parts else 0
    budget = _TABLE_BUDGET
    ordered = sorted(parts, key=lambda p: int(p.profile.max(initial=-1)) + 1)
    groups: list[tuple[list[_Component], np.ndarray]] = []
    for part in ordered:
        if groups:
            members, profile = groups[-1]
            combined = _row_ids(np.stack([profile, part.profile], axis=1))
            if combined.max(initial=-1) + 1 <= _MERGE_ROWS:
                groups[-1] = (members + [part], combined)
                continue
        groups.append(([part], part.profile))
    out: list[_Component] = []
    for members, profile in groups:
        size = (int(profile.max(initial=-1)) + 1) * n_mentors
        if size <= budget and int(profile.max(initial=-1)) + 1 < n:
            budget -= size
            out.append(_Table.build(members, profile, n_mentors))
        else:
            out.extend(members)
    return out


@dataclass(frozen=True)
class _Sparse:
    """Per-mentee compressed rows of (mentor, value)."""

    ptr: np.ndarray  # (n + 1,)
    col: np.ndarray
    val: np.ndarray

    @classmethod
    def build(cls, n: int, pairs: dict[tuple[int, int], int]) -> _Sparse:
        items = sorted(pairs.items())
        rows = np.fromiter((i for (i, _), _ in items), dtype=np.int64, count=len(items))
        col = np.fromiter((j for (_, j), _ in items), dtype=np.int64, count=len(items))
        val = np.fromiter((v for _, v in items), dtype=np.int64, count=len(items))
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
        return cls(ptr, col, val)

    def entries(self, mentees: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(local row in the block, mentor, value) of every entry of these mentees."""
        start, stop = self.ptr[mentees], self.ptr[mentees + 1]
        count = stop - start
        total = int(count.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        local = np.repeat(np.arange(len(mentees)), count)
        flat = np.arange(total) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)
        return local, self.col[flat], self.val[flat]

    def get(self, i: int, j: int) -> int | None:
        lo, hi = int(self.ptr[i]), int(self.ptr[i + 1])
        k = lo + int(np.searchsorted(self.col[lo:hi], j))
        return int(self.val[k]) if k < hi and self.col[k] == j else None


def _pairs(values: np.ndarray | None, n: int, n_mentors: int, name: str) -> np.ndarray:
    arr = np.zeros((0, 2), dtype=np.int64) if values is None else np.asarray(values, dtype=np.int64)
    arr = arr.reshape(-1, 2)
    if arr.size and (arr[:, 0].min() < 0 or arr[:, 0].max() >= n or arr[:, 1].min() < 0 or arr[:, 1].max() >= n_mentors):
        raise ValueError(f"{name}: a pair refers to a mentee or mentor out of range")
    return arr


_PREFERENCE_DETAIL = {0: "neither named the other", 1: "the mentee named this mentor",
                      2: "the mentor named this mentee", 3: "both named each other"}


@dataclass
class FeatureScorer:
    """Scores from the people's features; arrays indexed by mentee (n rows) and mentor (N rows).

    ``*_forms`` are bitmasks of the forms a person may be paired in; a pair is allowed only if
    the masks share a form, and, for the forms in ``above_forms``, only if the mentor's level is
    above the mentee's (a pair sharing a form without that rule is allowed whatever the levels).
    Tag sets, subjects and availability slots are bitsets: (rows,) or (rows, words) unsigned
    integers, bit t of word k meaning item 64k + t. ``forbidden`` lists curator-forbidden
    (mentee, mentor) pairs; ``mentee_prefers`` pairs (i, j) where mentee i named mentor j,
    ``mentor_prefers`` pairs (i, j) where mentor j named mentee i.
    """

    mentee_forms: np.ndarray
    mentor_forms: np.ndarray
    mentee_request: np.ndarray
    mentor_competencies: np.ndarray
    mentee_interests: np.ndarray
    mentor_interests: np.ndarray
    mentee_subjects: np.ndarray
    mentor_subjects: np.ndarray
    mentee_availability: np.ndarray
    mentor_availability: np.ndarray
    mentee_level: np.ndarray
    mentor_level: np.ndarray
    above_forms: int = 0
    forbidden: np.ndarray | None = None
    mentee_prefers: np.ndarray | None = None
    mentor_prefers: np.ndarray | None = None
    weights: Weights = field(default_factory=Weights)
    _features: list[_TagFeature] = field(init=False, repr=False)
    _parts: list[_Component] = field(init=False, repr=False)
    _combo: np.ndarray = field(init=False, repr=False)
    _combo_keys: np.ndarray = field(init=False, repr=False)
    _level_table: tuple[np.ndarray, np.ndarray] | None = field(init=False, repr=False)
    _bonus: _Sparse = field(init=False, repr=False)
    _preference_kind: _Sparse = field(init=False, repr=False)
    _blocked: _Sparse = field(init=False, repr=False)
    _pair_rules: _Sparse = field(init=False, repr=False)  # bonus points, or FORBIDDEN_U8 if blocked

    def __post_init__(self) -> None:
        n, m = len(self.mentee_forms), len(self.mentor_forms)
        self.mentee_forms = np.asarray(self.mentee_forms).astype(np.uint64)
        self.mentor_forms = np.asarray(self.mentor_forms).astype(np.uint64)
        self.mentee_level = np.asarray(self.mentee_level, dtype=np.int64)
        self.mentor_level = np.asarray(self.mentor_level, dtype=np.int64)
        if self.mentee_level.shape != (n,) or self.mentor_level.shape != (m,):
            raise ValueError("levels must have one value per mentee and per mentor")
        w = self.weights
        if w.max_score > MAX_SCORE_U8:
            raise ValueError(f"weights allow a score of {w.max_score}; the largest supported is {MAX_SCORE_U8}")
        for name, points, cap in (("request", w.request_tag, w.request_cap), ("interest", w.interest_tag, w.interest_cap),
                                  ("availability", w.availability_slot, w.availability_cap)):
            if points * (cap + 1) > MAX_SCORE_U8 + 1:  # a running sum must fit a byte before it is capped
                raise ValueError(f"{name}: points × (cap + 1) must not exceed {MAX_SCORE_U8 + 1}")
        specs = [
            ("request", w.request_tag, w.request_cap, self.mentee_request, self.mentor_competencies),
            ("interests", w.interest_tag, w.interest_cap, self.mentee_interests, self.mentor_interests),
            ("subject", w.subject, 1, self.mentee_subjects, self.mentor_subjects),
            ("availability", w.availability_slot, w.availability_cap,
             self.mentee_availability, self.mentor_availability),
        ]
        self._features = [
            _tag_feature(key, pts, cap, _bitsets(a, n, f"mentee {key}"), _bitsets(b, m, f"mentor {key}"))
            for key, pts, cap, a, b in specs
        ]
        combos = np.stack([self.mentee_forms.view(np.int64), self.mentee_level], axis=1)
        self._combo = _row_ids(combos)
        self._combo_keys = combos[np.unique(self._combo, return_index=True)[1]]
        small = len(self._combo_keys) * m <= _TABLE_BYTES
        self._level_table = self._level_rows(np.arange(len(self._combo_keys))) if small else None
        parts: list[_Component] = [f for f in self._features if f.points and f.cap and f.mentee_count.any()]
        if self._level_table is not None and w.level_gap:
            parts.append(_GapFeature(self._combo, self._level_table[1]))
        self._parts = _tables(parts, m)
        self._build_sparse(n, m)

    def _build_sparse(self, n: int, m: int) -> None:
        w = self.weights
        named_by_mentee = {tuple(p) for p in _pairs(self.mentee_prefers, n, m, "mentee_prefers").tolist()}
        named_by_mentor = {tuple(p) for p in _pairs(self.mentor_prefers, n, m, "mentor_prefers").tolist()}
        kind = {p: (p in named_by_mentee) + 2 * (p in named_by_mentor) for p in named_by_mentee | named_by_mentor}
        points = {1: w.mentee_prefers, 2: w.mentor_prefers, 3: w.mutual}
        self._preference_kind = _Sparse.build(n, kind)
        bonus = {p: points[k] for p, k in kind.items() if points[k]}
        blocked = {tuple(p): FORBIDDEN_U8 for p in _pairs(self.forbidden, n, m, "forbidden").tolist()}
        self._bonus = _Sparse.build(n, bonus)
        self._blocked = _Sparse.build(n, blocked)
        self._pair_rules = _Sparse.build(n, {**bonus, **blocked})

    @property
    def n_mentees(self) -> int:
        return len(self.mentee_forms)

    @property
    def n_mentors(self) -> int:
        return len(self.mentor_forms)

    @property
    def max_score(self) -> int:
        return self.weights.max_score

    def _allowed_by_form(self, forms: int, level: int) -> np.ndarray:
        shared = self.mentor_forms & np.uint64(forms)
        above = np.uint64(self.above_forms)
        free = (shared & ~above) != 0
        ruled = ((shared & above) != 0) & (self.mentor_level > level)
        return free | ruled

    def _level_rows(self, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For (forms, level) combinations: 255 where forbidden, and the level-gap points."""
        w = self.weights
        forbid = np.empty((len(combos), self.n_mentors), dtype=np.uint8)
        gap_points = np.empty_like(forbid)
        for r, c in enumerate(combos):
            forms, level = int(self._combo_keys[c, 0]) & 0xFFFFFFFFFFFFFFFF, int(self._combo_keys[c, 1])
            forbid[r] = np.where(self._allowed_by_form(forms, level), 0, FORBIDDEN_U8)
            gap = self.mentor_level - level
            gap_points[r] = np.where((gap >= w.gap_min) & (gap <= w.gap_max), w.level_gap, 0)
        return forbid, gap_points

    def block_u8(self, mentees: np.ndarray) -> np.ndarray:
        """uint8 (len(mentees), n_mentors): the score, or 255 where the pair is forbidden."""
        rows = np.asarray(mentees, dtype=np.int64).reshape(-1)
        shape = (len(rows), self.n_mentors)
        acc = np.zeros(shape, dtype=np.uint8)
        tmp = np.empty(shape, dtype=np.uint8)
        for part in self._parts:
            part.add_to(acc, rows, tmp)
        combo = self._combo[rows]
        if self._level_table is not None:
            forbid_rows = self._level_table[0]
        else:
            combo, local = np.unique(combo, return_inverse=True)
            forbid_rows, gap_rows = self._level_rows(combo)
            combo = local.reshape(-1)
            if self.weights.level_gap:
                np.take(gap_rows, combo, axis=0, out=tmp)
                np.add(acc, tmp, out=acc)
        local, col, val = self._pair_rules.entries(rows)
        bonus = val != FORBIDDEN_U8
        acc[local[bonus], col[bonus]] += val[bonus].astype(np.uint8)
        np.take(forbid_rows, combo, axis=0, out=tmp)
        np.bitwise_or(acc, tmp, out=acc)
        acc[local[~bonus], col[~bonus]] = FORBIDDEN_U8
        return acc

    def block(self, mentees: np.ndarray) -> np.ndarray:
        scores = self.block_u8(mentees).astype(np.int64)
        scores[scores == FORBIDDEN_U8] = -1
        return scores

    def explain(self, i: int, j: int) -> list[tuple[str, int, str]]:
        """Criterion by criterion (key, points, English detail); the points sum to the score."""
        if self._blocked.get(i, j) is not None:
            return [("forbidden", -1, "the curator forbade this pair")]
        forms = int(self.mentee_forms[i]) & int(self.mentor_forms[j])
        if forms == 0:
            return [("forbidden", -1, "no form in common")]
        if not self._allowed_by_form(int(self.mentee_forms[i]), int(self.mentee_level[i]))[j]:
            return [("forbidden", -1, "the mentor's level is not above the mentee's in any shared form")]
        w = self.weights
        out = [feature.explain(i, j) for feature in self._features]
        gap = int(self.mentor_level[j] - self.mentee_level[i])
        ideal = w.gap_min <= gap <= w.gap_max
        out.append(("level_gap", w.level_gap if ideal else 0, f"gap {gap} (ideal {w.gap_min}–{w.gap_max})"))
        kind = self._preference_kind.get(i, j) or 0
        out.append(("preference", self._bonus.get(i, j) or 0, _PREFERENCE_DETAIL[kind]))
        return out

    def take(self, mentees: np.ndarray, mentors: np.ndarray) -> FeatureScorer:
        """A scorer over these mentees and mentors, in this order (a subset or a reordering)."""
        mi, mj = np.asarray(mentees, dtype=np.int64), np.asarray(mentors, dtype=np.int64)
        new_i = np.full(self.n_mentees, -1, dtype=np.int64)
        new_i[mi] = np.arange(len(mi))
        new_j = np.full(self.n_mentors, -1, dtype=np.int64)
        new_j[mj] = np.arange(len(mj))

        def remap(pairs: np.ndarray | None) -> np.ndarray:
            arr = _pairs(pairs, self.n_mentees, self.n_mentors, "pairs")
            arr = np.stack([new_i[arr[:, 0]], new_j[arr[:, 1]]], axis=1)
            return arr[(arr >= 0).all(axis=1)]

        feats = {f.key: f for f in self._features}
        return FeatureScorer(
            mentee_forms=self.mentee_forms[mi], mentor_forms=self.mentor_forms[mj],
            mentee_request=feats["request"].mentee_bits[mi], mentor_competencies=feats["request"].mentor_bits[mj],
            mentee_interests=feats["interests"].mentee_bits[mi], mentor_interests=feats["interests"].mentor_bits[mj],
            mentee_subjects=feats["subject"].mentee_bits[mi], mentor_subjects=feats["subject"].mentor_bits[mj],
            mentee_availability=feats["availability"].mentee_bits[mi],
            mentor_availability=feats["availability"].mentor_bits[mj],
            mentee_level=self.mentee_level[mi], mentor_level=self.mentor_level[mj],
            above_forms=self.above_forms, forbidden=remap(self.forbidden),
            mentee_prefers=remap(self.mentee_prefers), mentor_prefers=remap(self.mentor_prefers),
            weights=self.weights,
        )
