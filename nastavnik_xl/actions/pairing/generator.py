"""Synthetic pairing instances shaped like real curators' books, for tests and benchmarks.

Five forms (ученик–ученик with the mentor in a higher grade, учитель–учитель, студент–ученик,
работодатель–ученик, работодатель–студент); mentees are mostly pupils, then young teachers and
college students; mentors are older pupils, college students, employers and teachers. Requests,
competencies and interests come from ~40 and ~30 tags of skewed popularity, so a few tags are
everywhere and scores pile up on a few values (many near-ties). Free capacity is 0–4 per mentor.
With the default shares about 30 % of the pairs are forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nastavnik_xl.actions.pairing.scorer import FeatureScorer, Weights

PUPIL_PUPIL, TEACHER_TEACHER, STUDENT_PUPIL, EMPLOYER_PUPIL, EMPLOYER_STUDENT = (1 << k for k in range(5))
REQUEST_TAGS, INTEREST_TAGS, SUBJECTS, SLOTS = 40, 30, 16, 10

# (share, forms mask, level range) per kind of person
_MENTEE_KINDS = (
    (0.82, PUPIL_PUPIL | STUDENT_PUPIL | EMPLOYER_PUPIL, (5, 10)),  # pupils, grades 5–10
    (0.10, TEACHER_TEACHER, (22, 28)),  # young teachers, by age
    (0.08, EMPLOYER_STUDENT, (12, 15)),  # college students, 12 + course
)
_MENTOR_KINDS = (
    (0.36, PUPIL_PUPIL, (8, 11)),  # older pupils
    (0.30, STUDENT_PUPIL, (12, 15)),  # college students
    (0.24, EMPLOYER_PUPIL | EMPLOYER_STUDENT, (25, 60)),  # employers
    (0.10, TEACHER_TEACHER, (30, 60)),  # teachers
)
_CAPACITY_P = (0.03, 0.30, 0.30, 0.22, 0.15)  # free places 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Instance:
    scorer: FeatureScorer
    capacity: np.ndarray  # (n_mentors,) int64
    mentee_keys: list[str]
    mentor_keys: list[str]


def _zipf(size: int, skew: float) -> np.ndarray:
    p = 1.0 / np.arange(1, size + 1) ** skew
    return p / p.sum()


def _tag_sets(rng: np.random.Generator, rows: int, size: int, low: int, high: int, p: np.ndarray) -> np.ndarray:
    """(rows,) uint64 bitsets of low..high distinct tags drawn with popularity p."""
    out = np.zeros(rows, dtype=np.uint64)
    counts = rng.integers(low, high + 1, rows)
    for k in range(1, high + 1):
        who = np.flatnonzero(counts >= k)
        # draw until a tag not yet held comes up (a few rounds suffice)
        todo = who
        for _ in range(32):
            if len(todo) == 0:
                break
            bit = np.uint64(1) << rng.choice(size, size=len(todo), p=p).astype(np.uint64)
            fresh = (out[todo] & bit) == 0
            out[todo[fresh]] |= bit[fresh]
            todo = todo[~fresh]
    return out


def _kinds(rng: np.random.Generator, rows: int, kinds: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    share = np.array([k[0] for k in kinds])
    kind = rng.choice(len(kinds), size=rows, p=share / share.sum())
    forms = np.array([k[1] for k in kinds], dtype=np.uint64)[kind]
    low = np.array([k[2][0] for k in kinds])[kind]
    high = np.array([k[2][1] for k in kinds])[kind]
    level = rng.integers(low, high + 1)
    return kind, forms, level


def _slots(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Free slots: Monday–Friday × first/second half of the day, afternoons more likely."""
    p = np.tile([0.3, 0.7], SLOTS // 2)
    taken = rng.random((rows, SLOTS)) < p * rng.uniform(0.4, 0.9, (rows, 1))
    return (taken.astype(np.uint64) << np.arange(SLOTS, dtype=np.uint64)).sum(axis=1).astype(np.uint64)


def _subjects(rng: np.random.Generator, rows: int, share: float, extra: float | np.ndarray) -> np.ndarray:
    p = _zipf(SUBJECTS, 0.8)
    first = np.uint64(1) << rng.choice(SUBJECTS, size=rows, p=p).astype(np.uint64)
    second = np.uint64(1) << rng.choice(SUBJECTS, size=rows, p=p).astype(np.uint64)
    out = np.where(rng.random(rows) < share, first, np.uint64(0))
    return np.where(rng.random(rows) < extra, out | second, out).astype(np.uint64)


def _named(rng: np.random.Generator, n: int, m: int, share: float, rows_are_mentees: bool) -> np.ndarray:
    who = np.flatnonzero(rng.random(n if rows_are_mentees else m) < share)
    others = m if rows_are_mentees else n
    who = who if others else who[:0]
    other = rng.integers(0, max(others, 1), len(who))
    pairs = np.stack([who, other], axis=1) if rows_are_mentees else np.stack([other, who], axis=1)
    return pairs.astype(np.int64)


def generate(n_mentees: int, n_mentors: int, seed: int = 0, weights: Weights | None = None) -> Instance:
    """A random instance; the same arguments give the same instance."""
    rng = np.random.default_rng(seed)
    _, mentee_forms, mentee_level = _kinds(rng, n_mentees, _MENTEE_KINDS)
    mentor_kind, mentor_forms, mentor_level = _kinds(rng, n_mentors, _MENTOR_KINDS)
    request_p, interest_p = _zipf(REQUEST_TAGS, 1.1), _zipf(INTEREST_TAGS, 0.9)
    mentee_prefers = _named(rng, n_mentees, n_mentors, 0.03, rows_are_mentees=True)
    mentor_prefers = _named(rng, n_mentees, n_mentors, 0.02, rows_are_mentees=False)
    mutual = mentee_prefers[rng.random(len(mentee_prefers)) < 0.2]  # some names are returned
    blocked = n_mentees // 200 + 1 if n_mentees and n_mentors else 0  # the curator's "not these two"
    forbidden = np.stack([rng.integers(0, max(n_mentees, 1), blocked), rng.integers(0, max(n_mentors, 1), blocked)], axis=1)
    scorer = FeatureScorer(
        mentee_forms=mentee_forms,
        mentor_forms=mentor_forms,
        mentee_request=_tag_sets(rng, n_mentees, REQUEST_TAGS, 1, 3, request_p),
        mentor_competencies=_tag_sets(rng, n_mentors, REQUEST_TAGS, 2, 6, request_p),
        mentee_interests=_tag_sets(rng, n_mentees, INTEREST_TAGS, 1, 4, interest_p),
        mentor_interests=_tag_sets(rng, n_mentors, INTEREST_TAGS, 1, 4, interest_p),
        mentee_subjects=_subjects(rng, n_mentees, 0.7, 0.0),
        mentor_subjects=_subjects(rng, n_mentors, 0.9, np.where(mentor_kind == 0, 0.5, 0.1)),
        mentee_availability=_slots(rng, n_mentees),
        mentor_availability=_slots(rng, n_mentors),
        mentee_level=mentee_level,
        mentor_level=mentor_level,
        above_forms=PUPIL_PUPIL,
        forbidden=forbidden,
        mentee_prefers=mentee_prefers,
        mentor_prefers=np.concatenate([mentor_prefers, mutual]),
        weights=weights or Weights(),
    )
    capacity = rng.choice(len(_CAPACITY_P), size=n_mentors, p=_CAPACITY_P).astype(np.int64)
    mentee_keys = [f"НЛ-{seed}-{i:06d}" for i in range(n_mentees)]
    mentor_keys = [f"НС-{seed}-{j:05d}" for j in range(n_mentors)]
    return Instance(scorer, capacity, mentee_keys, mentor_keys)
