"""Propose pairs for a book: the optimum of the chosen objective, proven, explained in Russian.

``propose(book, on, objective)`` takes the mentees without an active pair and the mentors with
free places (``pool``), scores every allowed pair (``features`` → ``FeatureScorer``), solves
exactly (``solver.solve``, certified by LP duality) and explains each proposal criterion by
criterion, each unmatched mentee with the reason, and — from the dual prices — why a mentor
who looks better was not chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from nastavnik_xl.actions.pairing.features import Profiles, build_scorer, forbidden, preferences, profiles
from nastavnik_xl.actions.pairing.pool import FORM_BITS, Pool, form_names, mentee_mask, mentor_mask, pool
from nastavnik_xl.actions.pairing.scorer import FeatureScorer, Weights
from nastavnik_xl.actions.pairing.solver import Solution, solve
from nastavnik_xl.actions.pairing.text import day_names, tags
from nastavnik_xl.book.model import Book, Row
from nastavnik_xl.rules.forms import FORM_RULES, PEER

OBJECTIVES = ("participation", "score")
OBJECTIVE_TITLES = {"participation": "сначала охват (как можно больше наставляемых), затем сумма баллов",
                    "score": "максимум суммарной оценки совпадения"}


class Reason(BaseModel):
    criterion: str
    points: int
    text: str


class Proposal(BaseModel):
    mentee_id: str
    mentee_name: str
    mentor_id: str
    mentor_name: str
    form: str
    score: int
    percent: int  # of the largest possible score
    reasons: list[Reason]
    not_chosen: str = ""  # why a mentor who scores higher for this mentee was not proposed


class Unmatched(BaseModel):
    mentee_id: str
    mentee_name: str
    participant_type: str
    reason: str


class PairingResult(BaseModel):
    book: str
    on: dt.date
    objective: str
    max_score: int
    proposals: list[Proposal] = Field(default_factory=list)
    unmatched: list[Unmatched] = Field(default_factory=list)
    totals: dict[str, int] = Field(default_factory=dict)
    certificate: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def _name(row: Row) -> str:
    return str(row.get("full_name") or "")


def _form_of(mentee: Row, mentor: Row) -> str:
    shared = mentee_mask(mentee) & mentor_mask(mentor)
    return next(iter(form_names(shared)), "")


def _matched_items(values: object, wanted: frozenset[str]) -> list[str]:
    items = values if isinstance(values, (tuple, list)) else ([values] if values else [])
    return [str(v) for v in items if tags(v) & wanted]


def _reasons(scorer: FeatureScorer, prof: Profiles, mentee: Row, mentor: Row, i: int, j: int) -> list[Reason]:
    out = []
    for key, points, detail in scorer.explain(i, j):
        text = _reason_text(key, points, detail, prof, mentee, mentor, i, j)
        if text:
            out.append(Reason(criterion=key, points=points, text=text))
    return out


def _reason_text(key: str, points: int, detail: str, prof: Profiles, mentee: Row, mentor: Row, i: int, j: int) -> str:
    if key == "request" and points:
        met = _matched_items(mentor.get("competencies"), prof.request[i]) or _matched_items(
            mentor.get("subject"), prof.request[i])
        return f"запрос «{mentee.get('request') or ''}» — компетенции наставника: {', '.join(met)}"
    if key == "interests" and points:
        shared = sorted(prof.mentee_interests[i] & prof.mentor_interests[j])
        met = [v for v in (mentee.get("interests") or ()) if any(" ".join(sorted(tags(v))) == s for s in shared)]
        return "общие интересы: " + ", ".join(met or shared)
    if key == "subject" and points:
        return f"предмет совпадает: {mentee.get('subject')}"
    if key == "availability" and points:
        return "общие дни встреч: " + day_names(prof.mentee_days[i] & prof.mentor_days[j])
    if key == "level_gap" and points:
        return "наставник старше на 1–3 класса"
    if key == "preference" and points:
        return PREFERENCE_TEXT.get(detail, "выбор в анкете предпочтений после групповой встречи")
    return ""


PREFERENCE_TEXT = {"both named each other": "взаимный выбор в анкетах после групповой встречи",
                   "the mentee named this mentor": "наставляемый выбрал этого наставника в анкете",
                   "the mentor named this mentee": "наставник выбрал этого наставляемого в анкете"}


def _not_chosen(row: np.ndarray, solution: Solution, pool_: Pool, j: int, score: int,
                keys: tuple[list[str], list[str]]) -> str:
    """The honest reason a mentor who scores higher for this mentee (``row``: their scores) was not proposed."""
    free = np.array(pool_.free) > 0
    better = [(int(s), k) for k, s in enumerate(row) if s > score and free[k] and k != j]
    if not better or solution.mentor_price is None:
        return ""
    best_score, k = max(better, key=lambda t: (t[0], keys[1][t[1]]))
    other = pool_.mentors[k]
    price = float(solution.mentor_price[k])  # what one of that mentor's places is worth, in score points
    return (f"Наставник {other['mentor_id']} ({_name(other)}) набирает больше — {best_score} б., но свободные "
            f"места у этого наставника ({pool_.free[k]}) нужнее другим наставляемым: каждое «стоит» "
            f"{price:.0f} б., а выигрыш здесь лишь {best_score - score} б.")


def _unmatched_reason(scorer: FeatureScorer, pool_: Pool, mentee: Row, i: int) -> str:
    mask = mentee_mask(mentee)
    if not mask:
        return "не указан тип участника (обучающийся, студент, педагог, молодой специалист): форму не подобрать"
    forms = ", ".join(f"«{f}»" for f in form_names(mask))
    sharing = [k for k, m in enumerate(pool_.mentors) if mentor_mask(m) & mask]
    if not sharing:
        who = "; ".join(sorted({FORM_RULES[f].mentor_label for f in form_names(mask)}))
        return f"нет наставников для форм {forms}: нужны наставники — {who}"
    row = scorer.block(np.array([i]))[0] if pool_.mentors else np.array([])
    allowed = [k for k in sharing if row[k] >= 0]
    if not allowed:
        return ("подходящие наставники есть, но все исключены: вы отклонили эти пары, пара была расторгнута "
                "или наставник не старше по классу")
    free = [k for k in allowed if pool_.free[k] > 0]
    if not free:
        return f"все подходящие наставники ({len(allowed)}) заняты: мест не осталось. Привлеките новых наставников"
    return (f"места у подходящих наставников ({sum(pool_.free[k] for k in free)}) заняты другими "
            "наставляемыми: на всех не хватает. Привлеките ещё наставников или увеличьте нагрузку")


def propose(book: Book, on: dt.date | None = None, objective: str = "participation",
            rejected: Iterable[tuple[str, str]] = (), weights: Weights | None = None) -> PairingResult:
    """Proposals for every mentee without an active pair, as of ``on`` (default today)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}")
    on = on or dt.date.today()
    weights = weights or Weights()
    p = pool(book, on)
    result = PairingResult(book=str(book.path), on=on, objective=objective, max_score=weights.max_score)
    if p.assumed_capacity:
        result.notes.append(f"У {len(p.assumed_capacity)} наставников не указано «Наставляемых не более»: "
                            f"считаем по {1} месту ({', '.join(p.assumed_capacity[:10])}).")
    if not p.mentees:
        result.totals = _totals(result, p)
        return result
    if not p.mentors:
        result.unmatched = [Unmatched(mentee_id=m["mentee_id"], mentee_name=_name(m),
                                      participant_type=str(m.get("participant_type") or ""),
                                      reason="в базе нет наставников, готовых работать (обучен, активен)")
                            for m in p.mentees]
        result.totals = _totals(result, p)
        return result
    prof = profiles(p)
    surveys = book.tables["surveys"].rows if "surveys" in book.tables else []
    pairs = book.tables["pairs"].rows if "pairs" in book.tables else []
    by_mentee, by_mentor = preferences(p, surveys)
    scorer = build_scorer(p, prof, by_mentee, by_mentor, forbidden(p, pairs, rejected), weights)
    keys = ([m["mentee_id"] for m in p.mentees], [m["mentor_id"] for m in p.mentors])
    solution = solve(scorer, np.array(p.free, dtype=np.int64), keys[0], keys[1], objective)
    chosen = dict(solution.pairs)
    for i, mentee in enumerate(p.mentees):
        j = chosen.get(i)
        if j is None:
            result.unmatched.append(Unmatched(mentee_id=mentee["mentee_id"], mentee_name=_name(mentee),
                                              participant_type=str(mentee.get("participant_type") or ""),
                                              reason=_unmatched_reason(scorer, p, mentee, i)))
            continue
        mentor = p.mentors[j]
        row = scorer.block(np.array([i]))[0]  # this mentee's score with every mentor, computed once
        score = int(row[j])
        form = _form_of(mentee, mentor)
        result.proposals.append(Proposal(
            mentee_id=mentee["mentee_id"], mentee_name=_name(mentee), mentor_id=mentor["mentor_id"],
            mentor_name=_name(mentor), form=form, score=score,
            percent=percent(score, attainable(weights, form, bool(len(by_mentee) or len(by_mentor)))),
            reasons=_reasons(scorer, prof, mentee, mentor, i, j),
            not_chosen=_not_chosen(row, solution, p, j, score, keys)))
    result.certificate = solution.certificate.as_dict()
    result.totals = _totals(result, p)
    return result


def attainable(weights: Weights, form: str, preferences_given: bool) -> int:
    """The most points a pair of this form can get with the data the book has: the grade gap counts
    only between pupils («ученик – ученик»), preferences only once questionnaires name someone."""
    top = weights.max_score
    if form != PEER:
        top -= weights.level_gap
    if not preferences_given:
        top -= max(weights.mentee_prefers, weights.mentor_prefers, weights.mutual)
    return max(top, 1)


def percent(score: int, top: int) -> int:
    return min(100, round(100 * score / top))


def _totals(result: PairingResult, p: Pool) -> dict[str, int]:
    return {"mentees": len(p.mentees), "mentors": sum(1 for f in p.free if f > 0), "places": sum(p.free),
            "proposed": len(result.proposals), "unmatched": len(result.unmatched),
            "score": sum(x.score for x in result.proposals)}


def forms_in_order() -> Sequence[str]:
    return list(FORM_BITS)
