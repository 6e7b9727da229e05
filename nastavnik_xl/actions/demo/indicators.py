"""«Показатели» of a school's last cohorts: each mentee's indicators measured at entry and at exit.

The constructs the entry/exit questionnaire asks about come from «Анкеты» (its «Показатель» column);
this sheet holds the rest — marks from the journal, clubs and projects from the portfolio, the
psychologist's anxiety test, the teachers' results. The change from entry to exit follows the mentee's
gain (more meetings and higher satisfaction, more gain; see ``SurveyRecords.gain``); a running pair
has no exit yet, and a few finished ones lack it — the gap monitoring reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from nastavnik_xl.actions.demo.common import days
from nastavnik_xl.actions.demo.forms import TEACHER, YOUNG
from nastavnik_xl.actions.demo.people import Group, Mentee
from nastavnik_xl.actions.demo.surveys import SurveyRecords
from nastavnik_xl.schema import indicators

PUPIL_INDICATORS: dict[str, float] = {  # indicator → share of pupils measured on it
    "успеваемость (средний балл)": 0.9, "посещаемость кружков и секций": 0.6, "проекты, конкурсы, олимпиады": 0.5,
    "тревожность": 0.45, "активность": 0.35,
}
AT_RISK = ("проблемы с поведением", "трудная жизненная ситуация")  # pupils whose ВШК / ОДН status is followed
TEACHER_INDICATORS: dict[str, float] = {
    "открытые уроки и публикации": 0.9, "конфликты": 0.6, "закрепление в профессии": 0.8, "тревожность": 0.5,
}
SOURCES: dict[str, str] = {
    "успеваемость (средний балл)": "журнал", "посещаемость кружков и секций": "журнал",
    "проекты, конкурсы, олимпиады": "портфолио", "тревожность": "диагностика психолога", "активность": "наблюдение",
    "учёт ВШК / ОДН": "отчёт", "открытые уроки и публикации": "портфолио", "конфликты": "отчёт",
    "закрепление в профессии": "анкета",
}
FORGOTTEN_EXIT = 0.04  # finished pairs whose exit values the curator has not entered


class IndicatorRecords(SurveyRecords):
    """Entry and exit values of «Показатели», one row per person, indicator and phase."""

    def indicator_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for cohort in self.detailed_cohorts():
            for group in (g for g in self.groups if g.cohort == cohort):
                for row, mentee in zip(group.rows, group.members, strict=True):
                    rows += self.mentee_indicators(group, row, mentee)
        rows = [r for r in rows if r["date"] <= self.today]
        rows.sort(key=lambda r: (r["date"], r["person_id"], r["indicator"], r["phase"]))
        return rows

    def chosen(self, mentee: Mentee) -> list[str]:
        adult = mentee.participant_type in (TEACHER, YOUNG)
        shares = TEACHER_INDICATORS if adult else PUPIL_INDICATORS
        names = [name for name, share in shares.items() if self.rng.random() < share]
        if not adult and mentee.category in AT_RISK:
            names.append("учёт ВШК / ОДН")
        return names

    def mentee_indicators(self, group: Group, row: dict[str, Any], mentee: Mentee) -> list[dict[str, Any]]:
        names = self.chosen(mentee)
        if not names:
            return []
        entry_day = group.start + days(self.rng.randint(3, 20))
        exit_day = self.exit_day(row)
        gain = self.gain(group, mentee)
        out = []
        for name in names:
            entry, exit_ = VALUES[name](self, gain)
            out.append(self.measure(mentee, name, "вход", entry_day, entry))
            if exit_day is not None:
                out.append(self.measure(mentee, name, "выход", exit_day, exit_))
        return out

    def exit_day(self, row: dict[str, Any]) -> dt.date | None:
        """Finished pairs are measured in their last week (a few forgotten); broken ones rarely; running ones not yet."""
        end = row.get("actual_end")
        if not isinstance(end, dt.date):
            return None
        measured = self.rng.random() >= FORGOTTEN_EXIT if row.get("status") == "завершена" else self.rng.random() < 0.6
        return end - days(self.rng.randint(0, 7)) if measured else None

    def measure(self, mentee: Mentee, name: str, phase: str, day: dt.date, value: float) -> dict[str, Any]:
        return {"person_id": mentee.id, "role": "наставляемый", "indicator": name, "phase": phase, "date": day,
                "value": value, "scale": indicators()[name].scale, "source": SOURCES[name]}

    # --- values: (entry, exit) in each indicator's units, moved by the gain (points of a 1–10 scale) ---

    def marks(self, gain: float) -> tuple[float, float]:
        entry = round(self.rng.uniform(2.8, 4.3), 1)
        return entry, round(min(max(entry + 0.12 * gain + self.rng.gauss(0, 0.12), 2.0), 5.0), 1)

    def count_up(self, gain: float, top: int = 2, step: float = 0.5) -> tuple[float, float]:
        entry = self.rng.randint(0, top)
        return entry, entry + max(round(step * gain + self.rng.gauss(0, 0.6)), 0)

    def anxiety(self, gain: float) -> tuple[float, float]:
        entry = self.rng.randint(5, 8)
        return entry, min(max(entry - round(gain + self.rng.gauss(0, 0.8)), 1), 10)

    def activity(self, gain: float) -> tuple[float, float]:
        entry = self.rng.randint(3, 6)
        return entry, min(max(entry + round(gain + self.rng.gauss(0, 0.8)), 1), 10)

    def conflicts(self, gain: float) -> tuple[float, float]:
        entry = self.rng.randint(1, 4)
        return entry, max(entry - max(round(0.5 * gain + self.rng.gauss(0, 0.6)), 0), 0)

    def flag_off(self, gain: float) -> tuple[float, float]:
        """Registered at ВШК / ОДН at entry (1); taken off by exit more likely with more gain."""
        return 1, 0 if self.rng.random() < min(max(0.35 + 0.12 * gain, 0.05), 0.9) else 1

    def stays(self, gain: float) -> tuple[float, float]:
        """Means to stay in the profession (1) or not (0); those who doubted decide to stay more likely with gain."""
        entry = 1 if self.rng.random() < 0.7 else 0
        stay = 0.92 if entry else min(max(0.35 + 0.12 * gain, 0.1), 0.9)
        return entry, 1 if self.rng.random() < stay else 0


VALUES: dict[str, Callable[[IndicatorRecords, float], tuple[float, float]]] = {
    "успеваемость (средний балл)": IndicatorRecords.marks,
    "посещаемость кружков и секций": IndicatorRecords.count_up,
    "проекты, конкурсы, олимпиады": lambda s, g: s.count_up(g, top=1, step=0.6),
    "тревожность": IndicatorRecords.anxiety,
    "активность": IndicatorRecords.activity,
    "учёт ВШК / ОДН": IndicatorRecords.flag_off,
    "открытые уроки и публикации": lambda s, g: s.count_up(g, top=1, step=0.7),
    "конфликты": IndicatorRecords.conflicts,
    "закрепление в профессии": IndicatorRecords.stays,
}
