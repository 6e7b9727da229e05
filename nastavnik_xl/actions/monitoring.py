"""Monthly monitoring of the programme, as seed 004 defines it, as of a day.

**Этап 1 — the quality of the process**: pairs and groups by form and status, new and finished in
the month, meetings in the month by type, each active pair's place in the cycle (знакомство →
пробная → планирование → совместная работа → итоговая) and what is overdue, the roadmap,
satisfaction of mentors and mentees, the SWOT gathered from tagged answers, and the attendance of
group meetings against seed 002's «не менее 90 % участников».

**Этап 2 — the impact on participants**: every indicator of «Показатели» (and the questionnaire
answers tied to an indicator in «Анкеты») compared at entry and at exit, per form and overall, in
the indicator's own direction (lower тревожность is better); people whose pair ended without an exit
measurement are findings.

**The best mentors** by a rule stated in the report, for the recognition the seeds describe.

The month is the calendar month containing ``on`` (up to ``on``); satisfaction, SWOT, group meetings,
Этап 2 and the best mentors look at the twelve months that end with it (the МНЦ gathers monitoring
monthly, on the 25th, seed 001).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean

from pydantic import BaseModel, Field

from nastavnik_xl.book.model import Book, Row
from nastavnik_xl.findings import Finding, Severity
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import Indicator, indicators

# --- the rules, stated once (the report repeats them to the reader) ------------------------------

CYCLE: tuple[str, ...] = ("встреча-знакомство", "пробная встреча", "встреча-планирование", "совместная работа",
                          "итоговая встреча")
STAGE_TITLES: tuple[str, ...] = ("нет встреч", "знакомство", "пробная", "планирование", "совместная работа",
                                 "итоговая")
STAGE_DUE_DAYS: tuple[int, ...] = (14, 28, 42, 56)  # days from the pair's start to the first four meetings
GROUP_MEETING = "групповая встреча"
ENDED_STATUSES = frozenset({"завершена", "расторгнута"})
COMPLETED = "завершена"
SATISFACTION_SURVEY = "удовлетворённость"
SCALE_MAX = 10  # the template's default scale 1–10 (the seeds fix none)
SATISFIED_FROM = 7  # a respondent is satisfied when the mean of their answers is at least 7 of 10
ATTENDANCE_TARGET = 0.9  # seed 002: «не менее 90 % участников»
FORMING_DAYS = 90  # a programme meeting before pairs exist expects those formed in the next 90 days
EXIT_GRACE_DAYS = 14  # an exit measurement is missing two weeks after the pair ended
WINDOW_MONTHS = 12
BEST_MENTORS = 5
ALL_FORMS = "все формы"
SWOT_TITLES = {"S": "Сильные стороны", "W": "Слабые стороны", "O": "Возможности", "T": "Угрозы"}

STAGE_RULE = ("Этап цикла — самая поздняя из встреч цикла, проведённых до даты отчёта. Срок следующей встречи от "
              "начала пары: знакомство — 14 дней, пробная — 28, планирование — 42, первая совместная работа — 56; "
              "итоговая — плановое окончание пары.")
SATISFACTION_RULE = (f"Удовлетворённость — ответы анкеты «удовлетворённость» по шкале 1–{SCALE_MAX}: среднее "
                     f"каждого респондента, затем среднее по респондентам. Удовлетворён — среднее не ниже "
                     f"{SATISFIED_FROM} из {SCALE_MAX}.")
ATTENDANCE_RULE = (f"Явка групповой встречи: пришедшие («Участников, чел.») из участников — наставников и "
                   f"наставляемых пар, действующих в день встречи или сформированных в следующие {FORMING_DAYS} дней "
                   f"(для встречи группы — её участников). Норма — не менее {ATTENDANCE_TARGET:.0%}.")
IMPACT_RULE = ("Сравниваются последнее значение «выход» и последнее значение «вход» до него у одного человека; "
               "значения из «Анкет» с указанным показателем — среднее оценок вопросов, если на листе «Показатели» "
               "такого замера нет. Улучшение — изменение в сторону, в которую показатель лучше.")
BEST_RULE = ("Балл наставника = 5 × завершённых за 12 месяцев пар + число встреч его пар за 12 месяцев + средняя "
             "удовлетворённость его наставляемых (из 10) + 10 × доля улучшившихся показателей его наставляемых; "
             "нет данных — 0. В список входят наставники хотя бы с одной завершённой парой.")


# --- the report --------------------------------------------------------------------------------------


class PairCount(BaseModel):
    form: str
    status: str
    pairs: int  # pair units: a pair or a group (one pair ID)
    groups: int  # of them, groups (several mentees)
    mentees: int


class PairEvent(BaseModel):
    pair_id: str
    form: str
    mentor_id: str
    mentees: int
    day: dt.date


class TypeCount(BaseModel):
    meeting_type: str
    meetings: int
    pairs: int  # distinct pairs that met (meetings of the whole programme have none)


class CycleRow(BaseModel):
    pair_id: str
    form: str
    mentor_id: str
    mentees: int
    start: dt.date
    stage_no: int  # 0 (no meeting) … 5 (итоговая)
    stage: str
    last_meeting: dt.date | None
    next_step: str | None
    due: dt.date | None
    overdue_days: int  # 0 when on time


class RoadmapItem(BaseModel):
    item_no: str
    activity: str
    due_date: dt.date | None
    status: str


class RoadmapStatus(BaseModel):
    total: int
    done: int
    in_progress: int
    not_started: int
    postponed: int
    cancelled: int
    overdue: int
    share_done: float | None  # of the items not cancelled
    overdue_items: list[RoadmapItem] = Field(default_factory=list)


class Satisfaction(BaseModel):
    role: str
    respondents: int
    answers: int
    mean: float | None
    satisfied: int
    share_satisfied: float | None


class SwotItem(BaseModel):
    text: str
    count: int


class SwotGroup(BaseModel):
    tag: str
    title: str
    count: int
    items: list[SwotItem] = Field(default_factory=list)


class GroupMeeting(BaseModel):
    meeting_id: str
    day: dt.date
    pair_id: str | None
    participants: int | None
    expected: int
    share: float | None
    meets_target: bool | None


class IndicatorResult(BaseModel):
    indicator: str
    lower_is_better: bool
    role: str
    form: str  # a form, or ALL_FORMS
    people: int  # with both entry and exit
    mean_entry: float | None
    mean_exit: float | None
    mean_change: float | None  # exit − entry
    improved: int
    share_improved: float | None
    waiting: int  # entry only, pair not yet ended


class MissingExit(BaseModel):
    person_id: str
    role: str
    pair_id: str
    ended: dt.date
    indicators: list[str]


class MentorScore(BaseModel):
    mentor_id: str
    full_name: str
    completed: int
    meetings: int
    satisfaction: float | None
    improved_share: float | None
    score: float


class MonitoringReport(BaseModel):
    """Monitoring of one book as of ``on``: Этап 1, Этап 2, the best mentors and the findings."""

    book: str
    organisation: str = ""
    on: dt.date
    month_start: dt.date
    window_start: dt.date  # the twelve months that end with the month
    pairs_by_form: list[PairCount]
    active_pairs: int
    new_pairs: list[PairEvent]
    finished_pairs: list[PairEvent]
    meetings_by_type: list[TypeCount]
    cycle: list[CycleRow]
    roadmap: RoadmapStatus
    satisfaction: list[Satisfaction]
    swot: list[SwotGroup]
    group_meetings: list[GroupMeeting]
    impact: list[IndicatorResult]
    missing_exits: list[MissingExit]
    best_mentors: list[MentorScore]
    rules: dict[str, str]
    findings: list[Finding] = Field(default_factory=list)

    @property
    def overdue(self) -> list[CycleRow]:
        return [c for c in self.cycle if c.overdue_days > 0]

    def stage_counts(self) -> list[tuple[str, int, int]]:
        """(stage, active pairs at it, of them overdue) for every stage of the cycle."""
        return [(title, sum(c.stage_no == n for c in self.cycle),
                 sum(c.stage_no == n and c.overdue_days > 0 for c in self.cycle))
                for n, title in enumerate(STAGE_TITLES)]


# --- pairs as units ------------------------------------------------------------------------------------


@dataclass
class Unit:
    """A pair or a group: the rows of «Пары» with one pair ID."""

    pair_id: str
    rows: list[Row]
    meetings: list[Row] = field(default_factory=list)

    @property
    def form(self) -> str:
        return next((str(r["form"]) for r in self.rows if r.get("form")), "форма не указана")

    @property
    def mentor_id(self) -> str:
        return next((str(r["mentor_id"]) for r in self.rows if r.get("mentor_id")), "")

    @property
    def mentee_keys(self) -> set[str]:
        return {id_key(r["mentee_id"]) for r in self.rows if r.get("mentee_id")}

    @property
    def start(self) -> dt.date | None:
        days = [r["start_date"] for r in self.rows if _is_date(r.get("start_date"))]
        return min(days) if days else None

    @property
    def end(self) -> dt.date | None:
        """The actual end when every row has one (a group ends with its last member)."""
        ends = [r.get("actual_end") for r in self.rows]
        return max(ends) if ends and all(_is_date(e) for e in ends) else None  # type: ignore[type-var]

    @property
    def planned_end(self) -> dt.date | None:
        days = [r["planned_end"] for r in self.rows if _is_date(r.get("planned_end"))]
        return max(days) if days else None

    @property
    def status(self) -> str:
        written = next((str(r["status"]) for r in self.rows if r.get("status")), None)
        if written:
            return written
        return COMPLETED if self.end else "действует"

    def people(self) -> set[str]:
        return self.mentee_keys | ({id_key(self.mentor_id)} if self.mentor_id else set())

    def active_on(self, day: dt.date) -> bool:
        start, end = self.start, self.end
        if start is None or start > day:
            return False
        if end is not None:
            return end > day
        return self.status not in ENDED_STATUSES

    def completed(self) -> bool:
        return self.end is not None and self.status != "расторгнута"


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date)


def _rows(book: Book, key: str) -> list[Row]:
    table = book.tables.get(key)
    return table.rows if table else []


def pair_units(book: Book) -> list[Unit]:
    """Pairs and groups of «Пары» in the book's order, with their meetings."""
    units: dict[str, Unit] = {}
    for r in _rows(book, "pairs"):
        if r.get("pair_id"):
            units.setdefault(id_key(r["pair_id"]), Unit(str(r["pair_id"]), [])).rows.append(r)
    for m in _rows(book, "meetings"):
        unit = units.get(id_key(m["pair_id"])) if m.get("pair_id") else None
        if unit is not None and _is_date(m.get("date")):
            unit.meetings.append(m)
    return list(units.values())


# --- periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    on: dt.date
    month_start: dt.date
    window_start: dt.date

    @classmethod
    def of(cls, on: dt.date) -> Period:
        months = on.year * 12 + on.month - 1 - (WINDOW_MONTHS - 1)
        return cls(on, on.replace(day=1), dt.date(months // 12, months % 12 + 1, 1))

    def in_month(self, day: object) -> bool:
        return _is_date(day) and self.month_start <= day <= self.on  # type: ignore[operator]

    def in_window(self, day: object) -> bool:
        """Within the twelve months; an undated answer counts (it is in the book, just not dated)."""
        return day is None or (_is_date(day) and self.window_start <= day <= self.on)  # type: ignore[operator]


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- Этап 1 --------------------------------------------------------------------------------------------


def pairs_by_form(units: Sequence[Unit]) -> list[PairCount]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for u in units:
        c = counts[(u.form, u.status)]
        c[0] += 1
        c[1] += len(u.mentee_keys) > 1
        c[2] += len(u.mentee_keys)
    return [PairCount(form=f, status=s, pairs=c[0], groups=c[1], mentees=c[2]) for (f, s), c in sorted(counts.items())]


def _event(u: Unit, day: dt.date) -> PairEvent:
    return PairEvent(pair_id=u.pair_id, form=u.form, mentor_id=u.mentor_id, mentees=len(u.mentee_keys), day=day)


def month_events(units: Sequence[Unit], period: Period) -> tuple[list[PairEvent], list[PairEvent]]:
    """Pairs formed and pairs ended in the month (up to the day of the report)."""
    new = [_event(u, u.start) for u in units if u.start and period.in_month(u.start)]
    ended = [_event(u, u.end) for u in units if u.end and period.in_month(u.end)]
    return sorted(new, key=lambda e: (e.day, e.pair_id)), sorted(ended, key=lambda e: (e.day, e.pair_id))


def meetings_by_type(meetings: Iterable[Row], period: Period) -> list[TypeCount]:
    held = [m for m in meetings if period.in_month(m.get("date")) and m.get("meeting_type")]
    out = []
    for kind in (*CYCLE, GROUP_MEETING):
        rows = [m for m in held if m["meeting_type"] == kind]
        if rows:
            out.append(TypeCount(meeting_type=kind, meetings=len(rows),
                                 pairs=len({id_key(m["pair_id"]) for m in rows if m.get("pair_id")})))
    return out


def cycle_row(u: Unit, on: dt.date) -> CycleRow:
    """Where an active pair is in the cycle, its next step and by when."""
    held = [m for m in u.meetings if m["date"] <= on]
    stage = max((CYCLE.index(m["meeting_type"]) + 1 for m in held if m.get("meeting_type") in CYCLE), default=0)
    start = u.start
    assert start is not None
    if stage < len(STAGE_DUE_DAYS):
        next_step: str | None = CYCLE[stage]
        due: dt.date | None = start + dt.timedelta(days=STAGE_DUE_DAYS[stage])
    elif stage < len(CYCLE):
        next_step, due = CYCLE[-1], u.planned_end
    else:
        next_step, due = None, None
    return CycleRow(pair_id=u.pair_id, form=u.form, mentor_id=u.mentor_id, mentees=len(u.mentee_keys), start=start,
                    stage_no=stage, stage=STAGE_TITLES[stage], last_meeting=max((m["date"] for m in held), default=None),
                    next_step=next_step, due=due, overdue_days=max((on - due).days, 0) if due else 0)


def roadmap_status(rows: Sequence[Row], on: dt.date) -> RoadmapStatus:
    statuses = Counter(r.get("status") or "не начато" for r in rows)
    overdue = [r for r in rows if (r.get("status") or "не начато") not in ("выполнено", "отменено")
               and _is_date(r.get("due_date")) and r["due_date"] < on]
    live = len(rows) - statuses["отменено"]
    return RoadmapStatus(
        total=len(rows), done=statuses["выполнено"], in_progress=statuses["в работе"],
        not_started=statuses["не начато"], postponed=statuses["перенесено"], cancelled=statuses["отменено"],
        overdue=len(overdue), share_done=statuses["выполнено"] / live if live else None,
        overdue_items=[RoadmapItem(item_no=str(r.get("item_no") or ""), activity=str(r.get("activity") or ""),
                                   due_date=r["due_date"], status=r.get("status") or "не начато") for r in overdue])


class People:
    """Who is who: the bases, to infer a respondent's or a measured person's role."""

    def __init__(self, book: Book) -> None:
        self.mentors = {id_key(r["mentor_id"]): r for r in _rows(book, "mentors") if r.get("mentor_id")}
        self.mentees = {id_key(r["mentee_id"]): r for r in _rows(book, "mentees") if r.get("mentee_id")}

    def role(self, person: object, written: object) -> str | None:
        if written in ("наставник", "наставляемый", "куратор"):
            return str(written)
        key = id_key(person)
        return "наставляемый" if key in self.mentees else "наставник" if key in self.mentors else None

    def name(self, mentor_id: str) -> str:
        return str(self.mentors.get(id_key(mentor_id), {}).get("full_name") or "")


def respondent_scores(answers: Iterable[Row], people: People, period: Period) -> dict[tuple[str, str], list[float]]:
    """(role, respondent) → their satisfaction scores within the twelve months."""
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for a in answers:
        score = a.get("score")
        if a.get("survey") != SATISFACTION_SURVEY or not isinstance(score, (int, float)) or not a.get("respondent_id"):
            continue
        role = people.role(a["respondent_id"], a.get("role"))
        if role in ("наставник", "наставляемый") and period.in_window(a.get("date")):
            out[(role, id_key(a["respondent_id"]))].append(float(score))
    return out


def satisfaction(scores: dict[tuple[str, str], list[float]]) -> list[Satisfaction]:
    out = []
    for role in ("наставляемый", "наставник"):
        means = [fmean(s) for (r, _), s in scores.items() if r == role]
        satisfied = sum(m >= SATISFIED_FROM for m in means)
        out.append(Satisfaction(role=role, respondents=len(means),
                                answers=sum(len(s) for (r, _), s in scores.items() if r == role),
                                mean=fmean(means) if means else None, satisfied=satisfied,
                                share_satisfied=satisfied / len(means) if means else None))
    return out


def swot(answers: Iterable[Row], period: Period) -> list[SwotGroup]:
    texts: dict[str, Counter[str]] = {tag: Counter() for tag in SWOT_TITLES}
    for a in answers:
        tag, text = a.get("swot_tag"), a.get("text") or a.get("question")
        if tag in texts and text and period.in_window(a.get("date")):
            texts[tag][" ".join(str(text).split())] += 1
    return [SwotGroup(tag=tag, title=SWOT_TITLES[tag], count=sum(c.values()),
                      items=[SwotItem(text=t, count=n) for t, n in sorted(c.items(), key=lambda tn: (-tn[1], tn[0]))])
            for tag, c in texts.items()]


def expected_at(meeting: Row, units: Sequence[Unit], by_id: dict[str, Unit]) -> int:
    """Who should come to a group meeting (see ATTENDANCE_RULE)."""
    if meeting.get("pair_id"):
        unit = by_id.get(id_key(meeting["pair_id"]))
        return len(unit.people()) if unit else 0
    day = meeting["date"]
    soon = day + dt.timedelta(days=FORMING_DAYS)
    people: set[str] = set()
    for u in units:
        if u.active_on(day) or (u.start is not None and day < u.start <= soon):
            people |= u.people()
    return len(people)


def group_meetings(meetings: Iterable[Row], units: Sequence[Unit], period: Period) -> list[GroupMeeting]:
    by_id = {id_key(u.pair_id): u for u in units}
    out = []
    for m in meetings:
        if m.get("meeting_type") != GROUP_MEETING or not _is_date(m.get("date")) or not period.in_window(m["date"]):
            continue
        expected = expected_at(m, units, by_id)
        came = m.get("participants")
        share = came / expected if isinstance(came, int) and expected else None
        out.append(GroupMeeting(meeting_id=str(m.get("meeting_id") or ""), day=m["date"],
                                pair_id=str(m["pair_id"]) if m.get("pair_id") else None,
                                participants=came if isinstance(came, int) else None, expected=expected, share=share,
                                meets_target=None if share is None else share >= ATTENDANCE_TARGET))
    return sorted(out, key=lambda g: (g.day, g.meeting_id))


# --- Этап 2 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    person: str  # as written
    role: str
    indicator: str
    phase: str
    day: dt.date | None
    value: float
    sheet: str  # where it was read from
    row: int | None
    column: str


def sheet_measures(book: Book, people: People) -> list[Measure]:
    table = book.tables.get("indicators")
    if table is None:
        return []
    column = table.column_header("phase")
    out = []
    for r in table.rows:
        value = r.get("value")
        if not (r.get("person_id") and r.get("indicator") in indicators() and isinstance(value, (int, float))):
            continue
        role = people.role(r["person_id"], r.get("role")) or "наставляемый"
        out.append(Measure(str(r["person_id"]), role, r["indicator"], str(r.get("phase") or ""),
                           r.get("date") if _is_date(r.get("date")) else None, float(value), table.sheet_name,
                           r.get("_row"), column))
    return out


def survey_measures(book: Book, people: People, taken: set[tuple[str, str, str]]) -> list[Measure]:
    """Questionnaire answers tied to an indicator: the mean of a respondent's scores per indicator, phase and
    day; only where «Показатели» has no measurement of that person, indicator and phase."""
    table = book.tables.get("surveys")
    if table is None:
        return []
    groups: dict[tuple[str, str, str, dt.date | None], list[Row]] = defaultdict(list)
    for a in table.rows:
        if a.get("indicator") in indicators() and a.get("phase") and a.get("respondent_id") \
                and isinstance(a.get("score"), (int, float)):
            day = a.get("date") if _is_date(a.get("date")) else None
            groups[(str(a["respondent_id"]), a["indicator"], a["phase"], day)].append(a)
    column = table.column_header("phase")
    out = []
    for (person, name, phase, day), rows in groups.items():
        if (id_key(person), name, phase) in taken:
            continue
        role = people.role(person, rows[0].get("role")) or "наставляемый"
        out.append(Measure(person, role, name, phase, day, fmean(float(r["score"]) for r in rows), table.sheet_name,
                           rows[0].get("_row"), column))
    return out


def all_measures(book: Book, people: People) -> list[Measure]:
    own = sheet_measures(book, people)
    taken = {(id_key(m.person), m.indicator, m.phase) for m in own}
    return own + survey_measures(book, people, taken)


@dataclass(frozen=True)
class Comparison:
    person: str
    role: str
    indicator: Indicator
    entry: Measure
    exit: Measure | None
    unit: Unit | None

    @property
    def change(self) -> float | None:
        return None if self.exit is None else self.exit.value - self.entry.value


def _sort_day(m: Measure) -> dt.date:
    return m.day or dt.date.max


def person_unit(person: str, role: str, day: dt.date | None, units_of: dict[tuple[str, str], list[Unit]]) -> Unit | None:
    """The pair the person was in at ``day``: the latest one started by then, else their first."""
    units = sorted((u for u in units_of.get((role, id_key(person)), []) if u.start), key=lambda u: u.start)  # type: ignore[arg-type, return-value]
    if not units:
        return None
    started = [u for u in units if day is None or u.start <= day]  # type: ignore[operator]
    return started[-1] if started else units[0]


def units_by_person(units: Sequence[Unit]) -> dict[tuple[str, str], list[Unit]]:
    out: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units:
        for key in u.mentee_keys:
            out[("наставляемый", key)].append(u)
        if u.mentor_id:
            out[("наставник", id_key(u.mentor_id))].append(u)
    return out


def comparisons(measures: Sequence[Measure], units: Sequence[Unit]) -> list[Comparison]:
    """Per person and indicator: the latest exit and the latest entry before it (or the latest entry alone)."""
    units_of = units_by_person(units)
    by: dict[tuple[str, str, str], list[Measure]] = defaultdict(list)
    for m in measures:
        by[(m.role, id_key(m.person), m.indicator)].append(m)
    out = []
    for (role, _, name), ms in by.items():
        entries = sorted((m for m in ms if m.phase == "вход"), key=_sort_day)
        exits = sorted((m for m in ms if m.phase == "выход"), key=_sort_day)
        if not entries:
            continue
        exit_ = exits[-1] if exits else None
        before = [e for e in entries if exit_ is None or e.day is None or exit_.day is None or e.day <= exit_.day]
        entry = (before or entries)[-1]
        unit = person_unit(entry.person, role, entry.day, units_of)
        out.append(Comparison(entry.person, role, indicators()[name], entry, exit_, unit))
    return out


def _result(ind: Indicator, role: str, form: str, items: Sequence[Comparison], waiting: int) -> IndicatorResult:
    done = [c for c in items if c.exit is not None]
    improved = sum(ind.improved(c.entry.value, c.exit.value) for c in done)  # type: ignore[union-attr]
    return IndicatorResult(
        indicator=ind.name, lower_is_better=ind.lower_is_better, role=role, form=form, people=len(done),
        mean_entry=fmean(c.entry.value for c in done) if done else None,
        mean_exit=fmean(c.exit.value for c in done) if done else None,  # type: ignore[union-attr]
        mean_change=fmean(c.change for c in done) if done else None,  # type: ignore[misc]
        improved=improved, share_improved=improved / len(done) if done else None, waiting=waiting)


def impact(items: Sequence[Comparison], period: Period) -> list[IndicatorResult]:
    """Per indicator (the list's order) and role: each form, then all forms together."""
    compared = [c for c in items if c.exit is not None and period.in_window(c.exit.day)]
    waiting = [c for c in items if c.exit is None and not _ended(c.unit, period.on)]
    out = []
    order = list(indicators())
    keys = sorted({(c.indicator.name, c.role) for c in (*compared, *waiting)},
                  key=lambda k: (order.index(k[0]), k[1] != "наставляемый"))
    for name, role in keys:
        ind = indicators()[name]
        mine = [c for c in compared if c.indicator.name == name and c.role == role]
        wait = [c for c in waiting if c.indicator.name == name and c.role == role]
        forms = sorted({_form(c) for c in (*mine, *wait)})
        for form in forms:
            out.append(_result(ind, role, form, [c for c in mine if _form(c) == form],
                               sum(_form(c) == form for c in wait)))
        if len(forms) > 1:
            out.append(_result(ind, role, ALL_FORMS, mine, len(wait)))
    return out


def _form(c: Comparison) -> str:
    return c.unit.form if c.unit else "без пары"


def _ended(unit: Unit | None, on: dt.date) -> bool:
    return unit is not None and unit.end is not None and unit.end <= on - dt.timedelta(days=EXIT_GRACE_DAYS)


def missing_exits(items: Sequence[Comparison], on: dt.date) -> tuple[list[MissingExit], list[Finding]]:
    """People with an entry and no exit although their pair ended more than two weeks ago."""
    by_person: dict[tuple[str, str], list[Comparison]] = defaultdict(list)
    for c in items:
        if c.exit is None and _ended(c.unit, on):
            by_person[(c.role, id_key(c.person))].append(c)
    rows, findings = [], []
    for cs in sorted(by_person.values(), key=lambda cs: (cs[0].unit.end, cs[0].person)):  # type: ignore[union-attr]
        first, unit = cs[0], cs[0].unit
        assert unit is not None and unit.end is not None
        names = [c.indicator.name for c in sorted(cs, key=lambda c: list(indicators()).index(c.indicator.name))]
        rows.append(MissingExit(person_id=first.person, role=first.role, pair_id=unit.pair_id, ended=unit.end,
                                indicators=names))
        entry = min((c.entry for c in cs), key=lambda m: (m.sheet, m.row or 0))
        findings.append(Finding(
            code="monitoring-no-exit", severity=Severity.WARNING, sheet=entry.sheet, row=entry.row,
            column=entry.column, field="phase", value=first.person,
            message=f"У «{first.person}» ({first.role}) есть замер на входе, но нет замера на выходе, а пара "
                    f"«{unit.pair_id}» завершилась {unit.end:%d.%m.%Y}: внесите значения «выход» на листе "
                    f"«Показатели» ({', '.join(names)}) — без них не видно результата программы."))
    return rows, findings


# --- the best mentors ------------------------------------------------------------------------------------


def best_mentors(units: Sequence[Unit], scores: dict[tuple[str, str], list[float]], items: Sequence[Comparison],
                 people: People, period: Period) -> list[MentorScore]:
    by_mentor: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        if u.mentor_id:
            by_mentor[id_key(u.mentor_id)].append(u)
    out = []
    for mine in by_mentor.values():
        completed = sum(u.completed() and period.in_window(u.end) for u in mine)
        if not completed:
            continue
        mentees = set().union(*(u.mentee_keys for u in mine))
        meetings = sum(period.in_window(m["date"]) for u in mine for m in u.meetings)
        sat = [fmean(s) for (role, who), s in scores.items() if role == "наставляемый" and who in mentees]
        done = [c for c in items if c.exit is not None and c.role == "наставляемый" and c.unit in mine
                and period.in_window(c.exit.day)]
        share = sum(c.indicator.improved(c.entry.value, c.exit.value) for c in done) / len(done) if done else None  # type: ignore[union-attr]
        satisfaction_mean = fmean(sat) if sat else None
        score = 5 * completed + meetings + (satisfaction_mean or 0) + 10 * (share or 0)
        out.append(MentorScore(mentor_id=mine[0].mentor_id, full_name=people.name(mine[0].mentor_id),
                               completed=completed, meetings=meetings, satisfaction=satisfaction_mean,
                               improved_share=share, score=round(score, 2)))
    out.sort(key=lambda m: (-m.score, id_key(m.mentor_id)))
    return out[:BEST_MENTORS]


# --- the whole report -----------------------------------------------------------------------------------


def monitor(book: Book, on: dt.date | None = None) -> MonitoringReport:
    """Monitoring of ``book`` as of ``on`` (default today; the month is the one containing it)."""
    period = Period.of(on or dt.date.today())
    units = pair_units(book)
    people = People(book)
    meetings, answers = _rows(book, "meetings"), _rows(book, "surveys")
    new, ended = month_events(units, period)
    scores = respondent_scores(answers, people, period)
    items = comparisons(all_measures(book, people), units)
    missing, findings = missing_exits(items, period.on)
    cycle = sorted((cycle_row(u, period.on) for u in units if u.active_on(period.on)),
                   key=lambda c: (-c.overdue_days, c.stage_no, c.start, id_key(c.pair_id)))
    return MonitoringReport(
        book=str(book.path), organisation=book.organisation.name if book.organisation else "", on=period.on,
        month_start=period.month_start, window_start=period.window_start, pairs_by_form=pairs_by_form(units),
        active_pairs=len(cycle), new_pairs=new, finished_pairs=ended, meetings_by_type=meetings_by_type(meetings, period),
        cycle=cycle, roadmap=roadmap_status(_rows(book, "roadmap"), period.on), satisfaction=satisfaction(scores),
        swot=swot(answers, period), group_meetings=group_meetings(meetings, units, period),
        impact=impact(items, period), missing_exits=missing,
        best_mentors=best_mentors(units, scores, items, people, period),
        rules={"stage": STAGE_RULE, "satisfaction": SATISFACTION_RULE, "attendance": ATTENDANCE_RULE,
               "impact": IMPACT_RULE, "best": BEST_RULE, "missing_exit":
               f"Нет замера на выходе — пара завершилась больше {EXIT_GRACE_DAYS} дней назад, а значения «выход» нет."},
        findings=findings,
    )


__all__ = ["MonitoringReport", "monitor", "month_end"]
