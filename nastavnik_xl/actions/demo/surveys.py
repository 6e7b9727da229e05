"""The questionnaires of a school's last cohorts: preferences, entry and exit, satisfaction, the curator's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cached_property
from typing import Any

from nastavnik_xl.actions.demo.common import day_between, days, pick
from nastavnik_xl.actions.demo.forms import PEER, TEACHER, YOUNG
from nastavnik_xl.actions.demo.meetings import MeetingRecords
from nastavnik_xl.actions.demo.people import Group, Mentee
from nastavnik_xl.actions.demo.words import words

# The questions of the entry/exit questionnaire that measure an indicator of «Показатели» (its «Показатель» column).
QUESTION_INDICATORS: dict[str, str] = {
    "Насколько вы уверены в своих силах в учёбе?": "самооценка",
    "Насколько вам интересно учиться?": "вовлечённость",
    "Насколько ясно вы представляете свою будущую профессию?": "выбор профессии",
    "Насколько вы уверены в организации урока?": "уверенность в своих силах",
    "Насколько уверенно вы работаете с родителями?": "уверенность в своих силах",
    "Насколько вы удовлетворены своей работой?": "удовлетворённость работой",
}
SATISFACTION_WEIGHTS = (1, 2, 4, 7, 8, 6)  # scores 5…10


class SurveyRecords(MeetingRecords):
    """Answers to the questionnaires, one row per question, dated within the pairs' work."""

    @cached_property
    def satisfaction_by_mentee(self) -> dict[tuple[str, str], float]:
        return {}

    @cached_property
    def gain_by_mentee(self) -> dict[tuple[str, str], float]:
        return {}

    @cached_property
    def meetings_by_pair(self) -> Counter[str]:
        """Meetings held by each pair (read once the meetings are drawn)."""
        return Counter(m["pair_id"] for m in self.meetings if m.get("pair_id"))

    def satisfaction_of(self, group: Group, mentee: Mentee) -> float:
        """The mentee's satisfaction with the pair (drawn once; the questionnaire's answers centre on it)."""
        key = (group.pair_id, mentee.id)
        if key not in self.satisfaction_by_mentee:
            self.satisfaction_by_mentee[key] = float(self.rng.choices(range(5, 11), weights=SATISFACTION_WEIGHTS)[0])
        return self.satisfaction_by_mentee[key]

    def gain(self, group: Group, mentee: Mentee) -> float:
        """How much the mentee gains from the programme, in points of a 1–10 scale: more with more meetings and
        higher satisfaction, with chance. Every indicator of the mentee moves by it (in its own units)."""
        key = (group.pair_id, mentee.id)
        if key not in self.gain_by_mentee:
            meetings = self.meetings_by_pair[group.pair_id]
            satisfied = self.satisfaction_of(group, mentee)
            self.gain_by_mentee[key] = 0.6 + 0.3 * (meetings - 6) + 0.45 * (satisfied - 7.5) + self.rng.gauss(0, 0.7)
        return self.gain_by_mentee[key]

    def survey_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for cohort in self.detailed_cohorts():
            groups = [g for g in self.groups if g.cohort == cohort]
            rows += self.preference_answers(groups)
            rows += self.impact_answers(groups)
            rows += self.mentor_satisfaction(groups)
            if all(isinstance(r.get("actual_end"), dt.date) for g in groups for r in g.rows):
                rows += self.curator_answers(cohort)
        rows = [r for r in rows if r["date"] <= self.today]
        rows.sort(key=lambda r: (r["date"], r["respondent_id"], r["question"]))
        for n, row in enumerate(rows, start=1):
            row["response_id"] = f"А-{n:05d}"
        return rows

    def answer(self, survey: str, phase: str | None, who: str, role: str, pair_id: str | None, day: dt.date,
               question: str, score: int | None = None, text: str | None = None, swot: str | None = None,
               preferred: tuple[str, ...] | None = None) -> dict[str, Any]:
        return {"survey": survey, "phase": phase, "respondent_id": who, "role": role, "pair_id": pair_id,
                "date": day, "question": question, "score": score, "text": text, "swot_tag": swot,
                "preferred_ids": preferred, "indicator": QUESTION_INDICATORS.get(question)}

    def sample_rows(self, groups: list[Group], n: int) -> list[tuple[Group, dict[str, Any], Mentee]]:
        pairs = [(g, r, m) for g in groups for r, m in zip(g.rows, g.members, strict=True)]
        return self.rng.sample(pairs, min(n, len(pairs)))

    def impact_answers(self, groups: list[Group]) -> list[dict[str, Any]]:
        """Entry and exit questionnaires (scores 1–10 that mostly improve), satisfaction at the end."""
        rng, sw = self.rng, words()["surveys"]
        out = []
        for group, row, mentee in sorted(self.sample_rows(groups, 24), key=lambda t: t[2].id):
            adult = mentee.participant_type in (TEACHER, YOUNG)
            questions = rng.sample(sw["impact_adult" if adult else "impact_pupil"], 3)
            entry_day = group.start + days(rng.randint(2, 12))
            scores = [rng.randint(3, 6) for _ in questions]
            for q, s in zip(questions, scores, strict=True):
                out.append(self.answer("влияние программы (вход/выход)", "вход", mentee.id, "наставляемый",
                                       group.pair_id, entry_day, q, s))
            if row["status"] != "завершена":
                continue
            exit_day = row["actual_end"] - days(rng.randint(0, 6))
            gain = self.gain(group, mentee)
            for q, s in zip(questions, scores, strict=True):
                delta = min(max(round(gain + rng.gauss(0, 0.8)), -2), 4)
                out.append(self.answer("влияние программы (вход/выход)", "выход", mentee.id, "наставляемый",
                                       group.pair_id, exit_day, q, min(max(s + delta, 1), 10)))
            satisfied = self.satisfaction_of(group, mentee)
            for q in sw["satisfaction_mentee"]:
                out.append(self.answer("удовлетворённость", "выход", mentee.id, "наставляемый", group.pair_id,
                                       exit_day, q, min(max(round(satisfied + rng.choice((-1, 0, 0, 1))), 1), 10)))
            if rng.random() < 0.6:
                tag = pick(rng, {"S": 0.45, "W": 0.25, "O": 0.2, "T": 0.1})
                out.append(self.answer("удовлетворённость", "выход", mentee.id, "наставляемый", group.pair_id,
                                       exit_day, sw["open_question"], text=rng.choice(sw["answers"][tag]), swot=tag))
        return out

    def mentor_satisfaction(self, groups: list[Group]) -> list[dict[str, Any]]:
        rng, sw = self.rng, words()["surveys"]
        finished = [g for g in groups if any(r["status"] == "завершена" for r in g.rows)]
        out = []
        for group in sorted(rng.sample(finished, min(10, len(finished))), key=lambda g: g.pair_id):
            day = max(r["actual_end"] for r in group.rows) - days(rng.randint(0, 5))
            for q in sw["satisfaction_mentor"]:
                out.append(self.answer("удовлетворённость", "выход", group.mentor.id, "наставник", group.pair_id,
                                       day, q, rng.choices(range(5, 11), weights=SATISFACTION_WEIGHTS)[0]))
            tag = pick(rng, {"S": 0.4, "W": 0.3, "O": 0.2, "T": 0.1})
            out.append(self.answer("удовлетворённость", "выход", group.mentor.id, "наставник", group.pair_id, day,
                                   sw["open_question"], text=rng.choice(sw["answers"][tag]), swot=tag))
        return out

    def preference_answers(self, groups: list[Group]) -> list[dict[str, Any]]:
        """After the group meeting mentees name up to three mentors they would like (their own first)."""
        rng, sw = self.rng, words()["surveys"]
        chosen = [g for g in groups if g.form == PEER]
        mentors = sorted({g.mentor.id for g in chosen})
        out = []
        for group, _row, mentee in sorted(self.sample_rows(chosen, 16), key=lambda t: t[2].id):
            others = rng.sample([m for m in mentors if m != group.mentor.id], min(rng.randint(0, 2), len(mentors) - 1))
            preferred = [group.mentor.id, *others] if rng.random() < 0.8 else [*others, group.mentor.id]
            day = group.start - days(rng.randint(3, 10))
            out.append(self.answer("предпочтения после групповой встречи", "вход", mentee.id, "наставляемый", None,
                                   day, sw["preference_question"], preferred=tuple(preferred)))
        return out

    def curator_answers(self, cohort: int) -> list[dict[str, Any]]:
        rng, sw = self.rng, words()["surveys"]
        day = day_between(rng, dt.date(cohort + 1, 5, 25), dt.date(cohort + 1, 6, 10))
        return [self.answer("анкета куратора", "выход", "К-1", "куратор", None, day, question,
                            text=rng.choice(sw["curator"][tag]), swot=tag)
                for tag, question in sw["curator_questions"].items()]
