"""The meetings of a school's pairs and groups, for the last cohorts only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nastavnik_xl.actions.demo.common import day_between, days, pick, working_day
from nastavnik_xl.actions.demo.forms import PUPIL
from nastavnik_xl.actions.demo.organisation import OrganisationData
from nastavnik_xl.actions.demo.people import Group
from nastavnik_xl.actions.demo.words import pick_text, words

DETAILED_COHORTS = 2  # meetings and questionnaires for the last two cohorts only


class MeetingRecords(OrganisationData):
    """Each pair's cycle of meetings: acquaintance, trial, planning, joint work, the final one."""

    def detailed_cohorts(self) -> list[int]:
        formed = sorted({g.cohort for g in self.groups})
        return formed[-DETAILED_COHORTS:]

    def group_meetings(self, group: Group) -> list[dict[str, Any]]:
        """The cycle of one pair or group, in date order, within its dates and not after today."""
        rng = self.rng
        ends = [r.get("actual_end") for r in group.rows]
        finished = all(isinstance(e, dt.date) for e in ends)
        completed = finished and any(r["status"] == "завершена" for r in group.rows)
        limit = max(ends) if finished else self.today
        plan: list[tuple[str, dt.date]] = []
        day = group.start + days(rng.randint(0, 5))
        plan.append(("встреча-знакомство", day))
        for kind in ("пробная встреча", "встреча-планирование"):
            day += days(rng.randint(6, 13))
            plan.append((kind, day))
        if completed:
            work_days = sorted(day_between(rng, day + days(10), limit - days(10)) for _ in range(rng.randint(2, 3)))
        else:
            work_days = []
            while (day := day + days(rng.randint(26, 38))) < limit:  # within the 6-week rule after a weekend shift
                work_days.append(day)
        plan += [("совместная работа", d) for d in work_days]
        if len(group.members) > 1 and rng.random() < 0.5 and work_days:
            plan.append(("групповая встреча", rng.choice(work_days) + days(rng.randint(1, 6))))
        if completed:
            plan.append(("итоговая встреча", limit - days(rng.randint(0, 4))))
        shifted: list[tuple[str, dt.date]] = []
        for kind, day in sorted(plan, key=lambda kd: kd[1]):  # the cycle's order survives the shift
            shifted.append((kind, working_day(max(day, shifted[-1][1]) if shifted else day)))
        return [self.meeting_row(group, kind, day) for kind, day in shifted
                if group.start <= day <= min(limit, self.today)]

    def meeting_row(self, group: Group, kind: str, day: dt.date) -> dict[str, Any]:
        rng, mw = self.rng, words()["meetings"]
        lead = group.members[0]
        grade = lead.grade_in(group.cohort) if lead.participant_type == PUPIL else None
        topic = pick_text(rng, mw["work"][group.form] if kind == "совместная работа" else mw[kind], grade)
        duration = {"встреча-знакомство": (40, 60), "пробная встреча": (30, 45), "встреча-планирование": (40, 60),
                    "совместная работа": (40, 90), "итоговая встреча": (45, 60), "групповая встреча": (60, 90)}[kind]
        return {
            "pair_id": group.pair_id, "meeting_type": kind, "date": day,
            "format": pick(rng, {"очно": 0.8, "дистанционно": 0.12, "смешанный": 0.08}),
            "duration_min": 5 * round(rng.randint(*duration) / 5),
            "topic": topic.format(po=group.members[0].po),
            "confirmation": rng.choice(mw["confirmations"]) if rng.random() < 0.85 else None,
            "notes": rng.choice(mw["notes"]) if rng.random() < 0.12 else None,
            "participants": len(group.members) + 1 - (rng.random() < 0.15) if kind == "групповая встреча" else None,
        }

    def programme_meetings(self, cohort: int) -> list[dict[str, Any]]:
        """Meetings of the whole cohort, with no pair ID (seed 004): the group meeting of mentors and mentees
        before pairs form, and the closing meeting of all pairs; attendance mostly at the seeds' 90 %."""
        groups = [g for g in self.groups if g.cohort == cohort]
        if not groups:
            return []
        out = []
        opening = working_day(min(g.start for g in groups) - days(self.rng.randint(7, 14)))
        out.append(self.programme_meeting(opening, "Групповая встреча наставников и наставляемых: знакомство, "
                                                   "анкета предпочтений", groups))
        ends = [r["actual_end"] for g in groups for r in g.rows if r.get("status") == "завершена"]
        if ends and all(isinstance(r.get("actual_end"), dt.date) for g in groups for r in g.rows):
            closing = max(min(ends) - days(self.rng.randint(0, 3)), opening + days(1))
            out.append(self.programme_meeting(closing, "Итоговая встреча всех пар: результаты, благодарности "
                                                       "наставникам", groups))
        return [row for row in out if row["date"] <= self.today]

    def programme_meeting(self, day: dt.date, topic: str, groups: list[Group]) -> dict[str, Any]:
        expected = len(self.programme_people(day, groups))
        share = self.rng.choices((self.rng.uniform(0.9, 1.0), self.rng.uniform(0.75, 0.9)), weights=(0.8, 0.2))[0]
        return {"pair_id": None, "meeting_type": "групповая встреча", "date": day, "format": "очно",
                "duration_min": 5 * self.rng.randint(12, 18), "topic": topic,
                "confirmation": "протокол, фото" if self.rng.random() < 0.7 else "лист регистрации",
                "notes": None, "participants": round(expected * share)}

    @staticmethod
    def programme_people(day: dt.date, groups: list[Group]) -> set[str]:
        """Mentors and mentees of pairs active that day or formed in the next 90 days (as monitoring counts)."""
        people: set[str] = set()
        for g in groups:
            ends = [r.get("actual_end") for r in g.rows]
            end = max(ends) if all(isinstance(e, dt.date) for e in ends) else None
            active = g.start <= day and (end is None or end > day)
            if active or day < g.start <= day + days(90):
                people |= {g.mentor.id, *(m.id for m in g.members)}
        return people

    def meeting_rows(self) -> list[dict[str, Any]]:
        detailed = set(self.detailed_cohorts())
        rows = [row for g in self.groups if g.cohort in detailed for row in self.group_meetings(g)]
        rows += [row for cohort in sorted(detailed) for row in self.programme_meetings(cohort)]
        rows.sort(key=lambda r: (r["date"], r["pair_id"] or ""))
        for n, row in enumerate(rows, start=1):
            row["meeting_id"] = f"В-{n:05d}"
        return rows
