"""The pool's people as the arrays ``FeatureScorer`` compares: forms, tags, days, levels, preferences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from nastavnik_xl.actions.pairing.pool import ABOVE_FORMS, Pool, mentee_level, mentee_mask, mentor_level, mentor_mask
from nastavnik_xl.actions.pairing.scorer import FeatureScorer, Weights
from nastavnik_xl.actions.pairing.text import days, item_tags, tags
from nastavnik_xl.book.model import Row
from nastavnik_xl.rules.people import id_key, person_key


@dataclass(frozen=True)
class Profiles:
    """Each person's tags, kept for the explanations."""

    request: list[frozenset[str]]  # mentees: the request's words
    competencies: list[frozenset[str]]  # mentors: competencies + subject
    mentee_interests: list[frozenset[str]]
    mentor_interests: list[frozenset[str]]
    mentee_subject: list[frozenset[str]]
    mentor_subject: list[frozenset[str]]
    mentee_days: list[int]
    mentor_days: list[int]


def profiles(pool: Pool) -> Profiles:
    return Profiles(
        request=[tags(m.get("request")) for m in pool.mentees],
        competencies=[tags(m.get("competencies"), m.get("subject")) for m in pool.mentors],
        mentee_interests=[item_tags(m.get("interests")) for m in pool.mentees],
        mentor_interests=[item_tags(m.get("interests")) for m in pool.mentors],
        mentee_subject=[tags(m.get("subject")) for m in pool.mentees],
        mentor_subject=[tags(m.get("subject")) for m in pool.mentors],
        mentee_days=[days(m.get("availability")) for m in pool.mentees],
        mentor_days=[days(m.get("availability")) for m in pool.mentors],
    )


def bitsets(a: Sequence[frozenset[str]], b: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Two (rows, words) uint64 bitset arrays over one vocabulary (tags in sorted order: deterministic)."""
    vocab = {t: k for k, t in enumerate(sorted(set().union(*a, *b)))}
    words = max(1, (len(vocab) + 63) // 64)

    def pack(sets: Sequence[frozenset[str]]) -> np.ndarray:
        out = np.zeros((len(sets), words), dtype=np.uint64)
        for r, s in enumerate(sets):
            for t in s:
                k = vocab[t]
                out[r, k // 64] |= np.uint64(1) << np.uint64(k % 64)
        return out

    return pack(a), pack(b)


def _pairs(items: Iterable[tuple[int, int]]) -> np.ndarray:
    arr = sorted(set(items))
    return np.array(arr, dtype=np.int64).reshape(-1, 2)


def preferences(pool: Pool, surveys: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    """(mentee, mentor) pairs named in the questionnaires: by mentees, and by mentors (seed 004, items 16–18)."""
    mentee_at = {id_key(m["mentee_id"]): i for i, m in enumerate(pool.mentees)}
    mentor_at = {id_key(m["mentor_id"]): j for j, m in enumerate(pool.mentors)}
    by_mentee, by_mentor = set(), set()
    for r in surveys:
        who = id_key(r.get("respondent_id") or "")
        role = r.get("role")
        for named in r.get("preferred_ids") or ():
            key = id_key(named)
            if who in mentee_at and key in mentor_at and role != "наставник":
                by_mentee.add((mentee_at[who], mentor_at[key]))
            elif who in mentor_at and key in mentee_at and role != "наставляемый":
                by_mentor.add((mentee_at[key], mentor_at[who]))
    return _pairs(by_mentee), _pairs(by_mentor)


def forbidden(pool: Pool, pairs: Sequence[Row], rejected: Iterable[tuple[str, str]]) -> np.ndarray:
    """Pairs never proposed: the same person on both sides, a pair that was broken off, and the
    pairs the curator rejected in «Подбор пар» (mentee ID, mentor ID)."""
    mentee_at = {id_key(m["mentee_id"]): i for i, m in enumerate(pool.mentees)}
    mentor_at = {id_key(m["mentor_id"]): j for j, m in enumerate(pool.mentors)}
    out: set[tuple[int, int]] = set()
    people = {person_key(m): j for j, m in enumerate(pool.mentors) if person_key(m)}
    for i, m in enumerate(pool.mentees):
        j = people.get(person_key(m)) if person_key(m) else None
        if j is not None:
            out.add((i, j))
    broken = [(p.get("mentee_id"), p.get("mentor_id")) for p in pairs if p.get("status") == "расторгнута"]
    for mentee, mentor in [*broken, *rejected]:
        i, j = mentee_at.get(id_key(mentee or "")), mentor_at.get(id_key(mentor or ""))
        if i is not None and j is not None:
            out.add((i, j))
    return _pairs(out)


def build_scorer(pool: Pool, prof: Profiles, by_mentee: np.ndarray, by_mentor: np.ndarray, banned: np.ndarray,
                 weights: Weights) -> FeatureScorer:
    req, comp = bitsets(prof.request, prof.competencies)
    mi, oi = bitsets(prof.mentee_interests, prof.mentor_interests)
    ms, os_ = bitsets(prof.mentee_subject, prof.mentor_subject)
    return FeatureScorer(
        mentee_forms=np.array([mentee_mask(m) for m in pool.mentees], dtype=np.uint64),
        mentor_forms=np.array([mentor_mask(m) for m in pool.mentors], dtype=np.uint64),
        mentee_request=req, mentor_competencies=comp, mentee_interests=mi, mentor_interests=oi,
        mentee_subjects=ms, mentor_subjects=os_,
        mentee_availability=np.array(prof.mentee_days, dtype=np.uint64),
        mentor_availability=np.array(prof.mentor_days, dtype=np.uint64),
        mentee_level=np.array([mentee_level(m) for m in pool.mentees], dtype=np.int64),
        mentor_level=np.array([mentor_level(m) for m in pool.mentors], dtype=np.int64),
        above_forms=ABOVE_FORMS, forbidden=banned, mentee_prefers=by_mentee, mentor_prefers=by_mentor,
        weights=weights,
    )
