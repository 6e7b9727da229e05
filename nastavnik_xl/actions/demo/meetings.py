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
        }

    def meeting_rows(self) -> list[dict[str, Any]]:
        detailed = set(self.detailed_cohorts())
        rows = [row for g in self.groups if g.cohort in detailed for row in self.group_meetings(g)]
        rows.sort(key=lambda r: (r["date"], r["pair_id"]))
        for n, row in enumerate(rows, start=1):
            row["meeting_id"] = f"В-{n:05d}"
        return rows
