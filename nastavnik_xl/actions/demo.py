"""The demo region: a municipality of curators' books that look real, with their typical mistakes.

``generate_region`` writes one book per organisation (schools of several types, a centre of
additional education, a college) and ``manifest.json`` beside them: the region's summary and
every planted mistake (book, sheet, Excel row, column header, kind, value), so that validation's
recall can be measured. Everything is deterministic for a seed and a ``today``: the same
arguments give byte-identical files.

How a school is made: the contingent per year; cohorts of pairs per academic year from 2020/21
(formed in October–December, ending in May; the current cohort is still running); the number
of new student mentees in each cohort is chosen so that coverage per calendar year (unique
mentees with a pair active in the year, over the students aged 10–19) lands near the targets;
mentors are pupils, teachers, students, employees… by form; meetings and questionnaires for the
last two cohorts; the roadmap of the current academic year. Mistakes are planted last, on
distinct rows, at ``mistake_rate`` of the data rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from faker import Faker

from nastavnik_xl.actions.coverage import default_targets
from nastavnik_xl.actions.template import finish_content, roadmap_rows
from nastavnik_xl.book.builder import BookContent, build_book, contingent_header_row
from nastavnik_xl.dates import academic_year_start, due_range
from nastavnik_xl.resources import load_toml
from nastavnik_xl.schema import coverage_groups, sheet, target_years, variants_by_form

DEFAULT_MISTAKE_RATE = 0.025
FIRST_COHORT = 2020
MANIFEST_NAME = "manifest.json"
LABOUR_CODE_351_8 = dt.date(2025, 3, 1)  # written consent of employee mentors since this day
DETAILED_COHORTS = 2  # meetings and questionnaires for the last two cohorts only

# --- organisation types -----------------------------------------------------------------------

SOSH = "СОШ"
SOSH_UIOP = "СОШ с углублённым изучением предметов"
GYMNASIUM = "гимназия"
LYCEUM = "лицей"
OOSH = "ООШ"
CADET = "кадетская школа"
BOARDING = "школа-интернат"
UDO = "учреждение дополнительного образования"
SPO = "профессиональная образовательная организация (СПО)"

PEER = "ученик – ученик"
TEACHERS = "учитель – учитель"
STUDENT_PUPIL = "студент – ученик"
EMPLOYER_PUPIL = "работодатель – ученик"
EMPLOYER_STUDENT = "работодатель – студент"

PUPIL = "обучающийся"
STUDENT = "студент"
TEACHER = "педагог"
YOUNG = "молодой специалист"


@dataclass(frozen=True)
class OrgKind:
    """What an organisation type looks like: names, size, and which forms its students take."""

    org_type: str
    title: str  # «Средняя общеобразовательная школа»
    abbr: str  # «СОШ»
    slug: str
    legal: tuple[str, ...]  # МБОУ, МАОУ…
    size: tuple[int, int]  # students_total
    share_10_19: tuple[float, float]
    forms: Mapping[str, float]  # share of student mentees by form
    grades: tuple[int, int] = (5, 11)  # grades (courses in СПО) of mentees


ORG_KINDS: dict[str, OrgKind] = {k.org_type: k for k in (
    OrgKind(SOSH, "Средняя общеобразовательная школа", "СОШ", "sosh", ("МБОУ", "МБОУ", "МБОУ", "МАОУ"),
            (420, 1150), (0.55, 0.65), {PEER: 0.72, EMPLOYER_PUPIL: 0.16, STUDENT_PUPIL: 0.12}),
    OrgKind(SOSH_UIOP, "Средняя общеобразовательная школа", "СОШ", "sosh-uiop", ("МБОУ", "МАОУ"),
            (650, 1200), (0.57, 0.65), {PEER: 0.66, STUDENT_PUPIL: 0.2, EMPLOYER_PUPIL: 0.14}),
    OrgKind(GYMNASIUM, "Гимназия", "гимназия", "gimnaziya", ("МАОУ", "МБОУ"),
            (600, 1150), (0.58, 0.65), {PEER: 0.65, STUDENT_PUPIL: 0.2, EMPLOYER_PUPIL: 0.15}),
    OrgKind(LYCEUM, "Лицей", "лицей", "licey", ("МАОУ", "МБОУ"),
            (550, 1100), (0.6, 0.65), {PEER: 0.6, STUDENT_PUPIL: 0.22, EMPLOYER_PUPIL: 0.18}),
    OrgKind(OOSH, "основная общеобразовательная школа", "ООШ", "oosh", ("МКОУ", "МБОУ"),
            (170, 300), (0.55, 0.62), {PEER: 0.86, EMPLOYER_PUPIL: 0.14}, (5, 9)),
    OrgKind(CADET, "Кадетская школа", "кадетская школа", "kadetskaya", ("МБОУ",),
            (380, 700), (0.6, 0.65), {PEER: 0.7, EMPLOYER_PUPIL: 0.3}),
    OrgKind(BOARDING, "Школа-интернат", "школа-интернат", "internat", ("ГКОУ", "МБОУ"),
            (200, 350), (0.55, 0.65), {PEER: 0.8, EMPLOYER_PUPIL: 0.2}),
    OrgKind(UDO, "Дом детского творчества", "ДДТ", "ddt", ("МБУ ДО", "МАУ ДО"),
            (700, 1200), (0.55, 0.62), {PEER: 0.62, EMPLOYER_PUPIL: 0.2, STUDENT_PUPIL: 0.18}),
    OrgKind(SPO, "политехнический колледж", "колледж", "kolledzh", ("ГБПОУ", "ГАПОУ"),
            (600, 1150), (0.82, 0.9), {EMPLOYER_STUDENT: 1.0}, (1, 3)),
)}

# The first twelve organisations of a region, in this order; later ones are mostly СОШ.
REGION_MIX: tuple[str, ...] = (SOSH, GYMNASIUM, OOSH, SOSH, SPO, LYCEUM, SOSH, UDO, SOSH_UIOP, SOSH, CADET, SOSH)
EXTRA_MIX: Mapping[str, float] = {SOSH: 6, OOSH: 2, GYMNASIUM: 1, LYCEUM: 1, SOSH_UIOP: 1, CADET: 0.5, BOARDING: 0.5}

# Mentor categories by form, with shares.
MENTOR_CATEGORIES: Mapping[str, Mapping[str, float]] = {
    PEER: {"обучающийся": 1.0},
    TEACHERS: {"педагог": 0.86, "ветеран педагогического труда": 0.14},
    STUDENT_PUPIL: {"студент": 0.8, "выпускник": 0.2},
    EMPLOYER_PUPIL: {"сотрудник предприятия": 0.5, "предприниматель/общественный деятель": 0.18,
                     "родитель": 0.22, "выпускник": 0.1},
    EMPLOYER_STUDENT: {"сотрудник предприятия": 0.72, "предприниматель/общественный деятель": 0.14, "выпускник": 0.14},
}
CAPACITY: Mapping[str, Mapping[int, float]] = {
    "обучающийся": {1: 0.3, 2: 0.4, 3: 0.3},
    "студент": {2: 0.4, 3: 0.4, 4: 0.2},
    "педагог": {1: 0.5, 2: 0.35, 3: 0.15},
    "ветеран педагогического труда": {1: 0.5, 2: 0.5},
    "выпускник": {2: 0.5, 3: 0.3, 4: 0.2},
    "родитель": {3: 0.3, 4: 0.4, 5: 0.3},
    "сотрудник предприятия": {4: 0.2, 5: 0.3, 6: 0.3, 8: 0.2},
    "предприниматель/общественный деятель": {4: 0.3, 5: 0.4, 6: 0.3},
}
GROUP_SIZE: Mapping[str, Mapping[int, float]] = {
    PEER: {1: 0.45, 2: 0.3, 3: 0.25},
    TEACHERS: {1: 0.8, 2: 0.2},
    STUDENT_PUPIL: {1: 0.3, 2: 0.3, 3: 0.25, 4: 0.15},
    EMPLOYER_PUPIL: {3: 0.25, 4: 0.3, 5: 0.25, 6: 0.2},
    EMPLOYER_STUDENT: {3: 0.2, 4: 0.25, 5: 0.25, 6: 0.2, 8: 0.1},
}
REUSE: Mapping[str, float] = {  # chance that last year's mentor takes a group again
    "обучающийся": 0.35, "студент": 0.3, "педагог": 0.7, "ветеран педагогического труда": 0.6,
    "выпускник": 0.4, "родитель": 0.4, "сотрудник предприятия": 0.55, "предприниматель/общественный деятель": 0.5,
}
STUDENT_CATEGORIES: Mapping[str, Mapping[str, float]] = {
    PEER: {"неудовлетворительные образовательные результаты": 0.34, "отстранённость от коллектива": 0.12,
           "адаптация к новым условиям обучения": 0.15, "проблемы с поведением": 0.09,
           "выдающиеся способности": 0.13, "ОВЗ": 0.05, "трудная жизненная ситуация": 0.06,
           "профессиональная ориентация": 0.06},
    STUDENT_PUPIL: {"профессиональная ориентация": 0.35, "выдающиеся способности": 0.25,
                    "неудовлетворительные образовательные результаты": 0.25, "отстранённость от коллектива": 0.15},
    EMPLOYER_PUPIL: {"профессиональная ориентация": 0.7, "выдающиеся способности": 0.15, "проблемы с поведением": 0.15},
    EMPLOYER_STUDENT: {"профессиональная ориентация": 0.45, "адаптация к новым условиям обучения": 0.2,
                       "неудовлетворительные образовательные результаты": 0.2, "выдающиеся способности": 0.15},
}
MENTEE_GRADES: Mapping[str, Mapping[int, float]] = {
    PEER: {5: 0.24, 6: 0.2, 7: 0.2, 8: 0.15, 9: 0.11, 10: 0.06, 11: 0.04},
    STUDENT_PUPIL: {8: 0.25, 9: 0.35, 10: 0.25, 11: 0.15},
    EMPLOYER_PUPIL: {7: 0.1, 8: 0.25, 9: 0.3, 10: 0.2, 11: 0.15},
    EMPLOYER_STUDENT: {1: 0.3, 2: 0.4, 3: 0.3},
}
# The variant a mentee's category suggests, per form (others: any variant of the form).
VARIANT_BY_CATEGORY: Mapping[str, Mapping[str, str]] = {
    PEER: {"неудовлетворительные образовательные результаты": "успевающий – неуспевающий",
           "выдающиеся способности": "равный – равному", "профессиональная ориентация": "равный – равному",
           "адаптация к новым условиям обучения": "адаптированный – неадаптированный",
           "отстранённость от коллектива": "лидер – пассивный", "проблемы с поведением": "лидер – пассивный",
           "ОВЗ": "лидер – пассивный", "трудная жизненная ситуация": "лидер – пассивный"},
    STUDENT_PUPIL: {"неудовлетворительные образовательные результаты": "успевающий – неуспевающий",
                    "выдающиеся способности": "куратор – автор проекта",
                    "профессиональная ориентация": "равный – другому",
                    "отстранённость от коллектива": "лидер – равнодушный"},
    EMPLOYER_PUPIL: {"профессиональная ориентация": "профессионал – ученик",
                     "выдающиеся способности": "коллега – молодой коллега",
                     "проблемы с поведением": "активный профессионал – равнодушный потребитель"},
    TEACHERS: {YOUNG: "опытный педагог – молодой специалист",
               "эмоциональное выгорание": "лидер педагогического сообщества – педагог, испытывающий проблемы",
               "адаптация на новом месте работы": "опытный предметник – неопытный предметник",
               "цифровые навыки (ИКТ)": "опытный предметник – неопытный предметник"},
}
MATCH_METHODS: Mapping[str, Mapping[str, float]] = {
    PEER: {"групповая встреча и анкета предпочтений": 0.6, "быстрые встречи": 0.2, "решение куратора": 0.2},
    STUDENT_PUPIL: {"групповая встреча и анкета предпочтений": 0.5, "быстрые встречи": 0.4, "решение куратора": 0.1},
    EMPLOYER_PUPIL: {"быстрые встречи": 0.6, "групповая встреча и анкета предпочтений": 0.3, "решение куратора": 0.1},
    EMPLOYER_STUDENT: {"быстрые встречи": 0.5, "решение куратора": 0.3, "собеседование": 0.2},
    TEACHERS: {"решение куратора": 0.5, "собеседование": 0.5},
}
SCORED_METHODS = {"групповая встреча и анкета предпочтений", "быстрые встречи", "автоподбор"}
LATIN_LOOKALIKES = {"Н": "H", "В": "B", "А": "A", "С": "C", "Е": "E", "К": "K", "М": "M", "О": "O", "Р": "P",
                    "Т": "T", "Х": "X"}
NUMBER_WORDS = {1: "один", 2: "два", 3: "три", 4: "четыре", 5: "пять", 6: "шесть", 7: "семь", 8: "восемь"}
# Texts that only fit some grades: the first phrase a text contains decides.
GRADE_HINTS: tuple[tuple[str, int, int], ...] = (
    ("5 класс", 5, 5), ("в 10 классе", 8, 9), ("в 10 класс", 10, 10), ("после 9 класса", 8, 9),
    ("ОГЭ", 8, 9), ("ЕГЭ", 10, 11), ("профиль обучения", 8, 9), ("Индивидуальный проект", 10, 11),
    ("индивидуальный проект", 10, 11), ("НПК", 7, 11), ("ВсОШ", 7, 11),
)
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "h", "c", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"], strict=True))


@cache
def words() -> dict[str, Any]:
    """The word lists of ``templates/demo.toml``."""
    return load_toml("demo")


# --- small random helpers ------------------------------------------------------------------------


def pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    """One key of ``weights``, drawn in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def fits_grade(text: str, grade: int | None) -> bool:
    """Whether a request, topic or outcome suits a pupil of this grade (None: any)."""
    if grade is None:
        return True
    for phrase, low, high in GRADE_HINTS:
        if phrase in text:
            return low <= grade <= high
    return True


def pick_text(rng: random.Random, options: Sequence[str], grade: int | None = None) -> str:
    """One of ``options`` that suits the grade (any of them if none does)."""
    fitting = [t for t in options if fits_grade(t, grade)]
    return rng.choice(fitting or list(options))


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def working_day(day: dt.date) -> dt.date:
    """The day itself, or the next one that is not a Sunday nor in the New Year holidays (30 Dec–8 Jan)."""
    while day.weekday() == 6 or (day.month, day.day) >= (12, 30) or (day.month == 1 and day.day <= 8):
        day += dt.timedelta(days=1)
    return day


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def ru_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def translit(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in out)
    return "-".join(part for part in slug.split("-") if part)


def adjective_forms(adj: str) -> dict[str, str]:
    """«Зареченский» → feminine «Зареченская», dative «Зареченскому»."""
    stem = adj[:-2]
    return {"adj": adj, "adj_f": stem + "ая", "adj_dat": stem + "ому"}


# --- the region ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolProfile:
    """Who a book belongs to: fixed before any of its data is drawn."""

    index: int
    org_type: str
    org_name: str
    short_name: str
    slug: str
    municipality: str
    adjective: str
    seed: str  # the school's own random stream

    @property
    def kind(self) -> OrgKind:
        return ORG_KINDS[self.org_type]

    @property
    def file_name(self) -> str:
        return f"school-{self.index:02d}-{self.slug}.xlsx"


@dataclass(frozen=True)
class RegionPlan:
    municipality: str
    adjective: str
    seed: int
    schools: tuple[SchoolProfile, ...]


def region_plan(schools: int = 12, seed: int = 1) -> RegionPlan:
    """The municipality and its organisations (types, names, numbers) for a seed."""
    rng = random.Random(f"nastavnik-demo:{seed}:region")
    municipality, adjective = rng.choice(words()["municipalities"])
    numbers = rng.sample(range(1, 46), 45)
    villages = rng.sample(words()["villages"], len(words()["villages"]))
    profiles = []
    for index in range(1, schools + 1):
        org_type = REGION_MIX[index - 1] if index <= len(REGION_MIX) else pick(rng, EXTRA_MIX)
        number = numbers[(index - 1) % len(numbers)]
        village = villages[(index - 1) % len(villages)]
        full, short, slug = org_names(ORG_KINDS[org_type], rng, number, village, adjective)
        profiles.append(SchoolProfile(index, org_type, full, short, slug, municipality, adjective,
                                      f"nastavnik-demo:{seed}:school:{index}"))
    return RegionPlan(municipality, adjective, seed, tuple(profiles))


def org_names(kind: OrgKind, rng: random.Random, number: int, village: str, adjective: str) -> tuple[str, str, str]:
    """Full name, short name and a file-name slug: «МБОУ «Средняя общеобразовательная школа № 12»»."""
    legal = rng.choice(kind.legal)
    if kind.org_type == OOSH:
        full = f"{legal} «{village} {kind.title}»"
        return full, f"{legal} {village} ООШ", f"{kind.slug}-{translit(village)}"
    if kind.org_type == SPO:
        adj = adjective_forms(adjective)["adj"]
        return f"{legal} «{adj} {kind.title}»", f"{legal} «{adj} ПК»", f"{kind.slug}-{translit(adj)}"
    if kind.org_type == UDO:
        return f"{legal} «{kind.title}»", f"{legal} {kind.abbr}", kind.slug
    if kind.org_type == SOSH_UIOP:
        full = f"{legal} «{kind.title} № {number} с углублённым изучением отдельных предметов»"
        return full, f"{legal} СОШ № {number} с УИОП", f"{kind.slug}-{number}"
    return f"{legal} «{kind.title} № {number}»", f"{legal} {kind.abbr} № {number}", f"{kind.slug}-{number}"


# --- people ----------------------------------------------------------------------------------------


@dataclass
class Mentee:
    row: dict[str, Any]
    participant_type: str
    category: str | None
    form: str
    grade: int | None  # grade (course in СПО) in the entry year
    entry_year: int
    po: str  # the subject as «по математике»
    cohorts: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row["mentee_id"]

    def grade_in(self, year: int) -> int | None:
        return None if self.grade is None else self.grade + year - self.entry_year


@dataclass
class Mentor:
    row: dict[str, Any]
    category: str
    capacity: int
    grade: int | None  # grade or course in first_year
    first_year: int
    forms: set[str] = field(default_factory=set)
    load: dict[int, int] = field(default_factory=dict)  # cohort → mentees

    @property
    def id(self) -> str:
        return self.row["mentor_id"]

    def grade_in(self, year: int) -> int | None:
        return None if self.grade is None else self.grade + year - self.first_year


@dataclass
class Group:
    """One pair or group of a cohort: one pair_id, one mentor, one row per mentee."""

    cohort: int
    form: str
    variant: str
    mentor: Mentor
    members: list[Mentee]
    start: dt.date
    order_ref: str
    method: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    pair_id: str = ""


@dataclass
class Wave:
    """Pairs fixed by one order (приказ) of the school."""

    day: dt.date
    order_ref: str


# --- one school -----------------------------------------------------------------------------------


class SchoolData:
    """Everything drawn for one organisation; ``content()`` turns it into a book's content."""

    def __init__(self, profile: SchoolProfile, fake: Faker, today: dt.date) -> None:
        self.profile = profile
        self.kind = profile.kind
        self.rng = random.Random(profile.seed)
        fake.seed_instance(self.rng.getrandbits(32))
        self.fake = fake
        self.today = today
        self.reporting_year = today.year
        self.current_cohort = academic_year_start(today)
        self.cohort_years = list(range(FIRST_COHORT, self.current_cohort + 1))
        self.diligence = min(max(self.rng.gauss(1.0, 0.07), 0.84), 1.16)
        self.own_target = self.rng.choice((0.65, 0.7, 0.7, 0.75, 0.8))
        self.mentors: list[Mentor] = []
        self.mentees: list[Mentee] = []
        self.groups: list[Group] = []
        self.meetings: list[dict[str, Any]] = []
        self.surveys: list[dict[str, Any]] = []
        self.contingent = self.contingent_rows()
        self.card = self.card_fields()

    # --- the organisation ---

    def card_fields(self) -> dict[str, Any]:
        p, fake = self.profile, self.fake
        curator_sex = "f" if self.rng.random() < 0.88 else "m"
        post = "заместитель директора по УВР" if self.kind.org_type != SPO else "заместитель директора по УПР"
        order_no = self.rng.randint(60, 140)
        order_day = dt.date(FIRST_COHORT, 8, self.rng.randint(20, 31))
        return {
            "org_name": p.org_name,
            "short_name": p.short_name,
            "inn": fake.businesses_inn(),
            "municipality": p.municipality,
            "org_type": p.org_type,
            "curator": self.full_name(curator_sex, adult=True),
            "curator_contact": f"{fake.phone_number()}, {fake.free_email()} ({post})",
            "order_ref": f"Приказ № {order_no} от {ru_date(order_day)} «О внедрении целевой модели наставничества»",
            "reporting_year": self.reporting_year,
        }

    def contingent_rows(self) -> list[dict[str, Any]]:
        low, high = self.kind.size
        total = self.rng.randint(low, high)
        share = self.rng.uniform(*self.kind.share_10_19)
        per_teacher = self.rng.uniform(13, 17)
        min_teachers = 14 if self.kind.org_type in (OOSH, BOARDING) else 20
        young = self.rng.randint(1, 5)
        rows = []
        for year in target_years():
            if year > self.reporting_year:
                rows.append({"year": year})
                continue
            total = max(120, round(total * self.rng.uniform(0.97, 1.04)))
            teachers = min(max(round(total / per_teacher), min_teachers), 80)
            young = min(max(young + self.rng.choice((-1, 0, 0, 1, 1)), 1), min(10, teachers // 5))
            rows.append({"year": year, "students_total": total,
                         "students_10_19": round(total * min(max(share + self.rng.uniform(-0.01, 0.01), 0.5), 0.95)),
                         "teachers": teachers, "young_specialists": young})
        return rows

    def contingent_of(self, year: int, field_name: str) -> int:
        for row in self.contingent:
            if row["year"] == year and isinstance(row.get(field_name), int):
                return row[field_name]
        last = [r for r in self.contingent if isinstance(r.get(field_name), int)]
        return last[-1][field_name] if last else 0

    # --- names and dates of people ---

    def full_name(self, sex: str, adult: bool) -> str:
        names = words()["names"]
        if sex == "m":
            first = self.rng.choice(names["men" if adult else "boys"])
            return f"{self.fake.last_name_male()} {first} {self.rng.choice(names['patronymics'])[0]}"
        first = self.rng.choice(names["women" if adult else "girls"])
        return f"{self.fake.last_name_female()} {first} {self.rng.choice(names['patronymics'])[1]}"

    def birthday(self, year: int) -> dt.date:
        return day_between(self.rng, dt.date(year, 1, 1), dt.date(year, 12, 31))

    def pupil_birthday(self, grade: int, year: int) -> dt.date:
        """A pupil in ``grade`` in the academic year starting in ``year``: 10–11 years old in grade 5."""
        return self.birthday(year - 6 - grade)

    def class_label(self, grade: int) -> str:
        letters = "АБВГ"[: max(1, min(4, self.contingent_of(self.current_cohort, "students_total") // 250))]
        if self.kind.org_type == UDO:
            return f"{grade} класс"
        return f"{grade}{self.rng.choice(letters)}"

    def group_label(self, course: int, year: int, code: str) -> str:
        return f"{course} курс, гр. {code}-{(year - course + 1) % 100:02d}"

    def interests(self, n: tuple[int, int] = (1, 3)) -> tuple[str, ...]:
        return tuple(self.rng.sample(words()["people"]["interests"], self.rng.randint(*n)))

    def subject(self) -> tuple[str, str]:
        if self.kind.org_type == SPO:
            name, _code, _direction = self.rng.choice(words()["org"]["specialities"])
            return name, f"по профессиональному модулю «{name}»"
        name, po = self.rng.choice(words()["people"]["subjects"])
        return name, po

    def teacher_post(self) -> tuple[str, str]:
        """Subject and position of a teacher of this kind of organisation."""
        if self.kind.org_type == SPO:
            return self.subject()[0], "преподаватель"
        if self.kind.org_type == UDO:
            return self.rng.choice(words()["org"]["clubs"]), "педагог дополнительного образования"
        subject, position = self.rng.choice(words()["people"]["teacher_posts"])
        return subject, position

    def org_text(self, template: str) -> str:
        return template.format(**adjective_forms(self.profile.adjective))

    # --- mentees ---

    def new_mentee(self, cohort: int, participant_type: str, form: str) -> Mentee:
        rng = self.rng
        entry = day_between(rng, dt.date(cohort, 9, 3), dt.date(cohort, 10, 5))
        sex = "m" if rng.random() < 0.5 else "f"
        row: dict[str, Any] = {"mentee_id": f"НЛ-{len(self.mentees) + 1:04d}", "participant_type": participant_type}
        if participant_type in (PUPIL, STUDENT):
            grade = pick(rng, MENTEE_GRADES[form])
            grade = min(max(grade, self.kind.grades[0]), self.kind.grades[1])
            category = pick(rng, STUDENT_CATEGORIES[form])
            subject, po = self.subject()
            request_list = words()["requests"][category]
            if participant_type == STUDENT:
                code = next(c for n, c, _ in words()["org"]["specialities"] if n == subject)
                birth = self.birthday(cohort - 15 - grade)
                position = self.group_label(grade, cohort, code)
                request_list = words()["requests"]["spo"] if rng.random() < 0.7 else request_list
            else:
                birth = self.pupil_birthday(grade, cohort)
                position = self.class_label(grade)
            pupil_grade = grade if participant_type == PUPIL else None
            row.update({
                "full_name": self.full_name(sex, adult=False), "birth_date": birth,
                "mentee_category": category, "grade_or_position": position, "subject": subject,
                "request": pick_text(rng, request_list, pupil_grade).format(po=po, subject=subject),
            })
        else:
            grade = None
            young = participant_type == YOUNG
            category = YOUNG if young else rng.choice(
                ("эмоциональное выгорание", "адаптация на новом месте работы", "цифровые навыки (ИКТ)", None))
            subject, position = self.teacher_post()
            if self.kind.org_type == SPO and rng.random() < 0.3:
                position = "мастер производственного обучения"
            po = f"по предмету «{subject}»"
            sex = "f" if rng.random() < 0.82 else "m"
            requests = words()["requests"][category] if category else words()["requests"]["teacher"]
            row.update({
                "full_name": self.full_name(sex, adult=True),
                "birth_date": self.birthday(cohort - rng.randint(22, 26) if young else rng.randint(1962, 1994)),
                "mentee_category": category, "grade_or_position": position, "subject": subject,
                "request": rng.choice(requests),
            })
        sources = words()["request_sources"].get(category or "", ("администрация", "сам наставляемый"))
        row.update({
            "request_source": rng.choice(sources),
            "interests": self.interests() if participant_type in (PUPIL, STUDENT) else self.interests((0, 2)) or None,
            "availability": rng.choice(words()["people"]["availability"]),
            "pd_consent_date": entry - days(rng.randint(0, 10)),
            "entry_date": entry,
        })
        mentee = Mentee(row, participant_type, category, form, grade, cohort, po)
        self.mentees.append(mentee)
        return mentee

    def student_form(self) -> str:
        return pick(self.rng, self.kind.forms)

    def student_mentees(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        """Returning mentees of last year plus new ones, sized so coverage lands near the target."""
        participant = STUDENT if self.kind.org_type == SPO else PUPIL
        den = self.contingent_of(cohort, "students_10_19")
        wanted = round(den * self.student_share(cohort) * self.rng.uniform(0.97, 1.03))
        last_grade = self.kind.grades[1]
        last_year = [m for m in previous if m.participant_type == participant]
        eligible = [m for m in last_year if not self.left(m) and (m.grade_in(cohort) or 99) <= last_grade]
        returning = self.rng.sample(eligible, min(len(eligible), round(len(last_year) * self.rng.uniform(0.2, 0.35))))
        returning.sort(key=lambda m: m.id)
        # coverage of the calendar year = last year's cohort (active until May) + the new mentees of this one
        new = max(wanted - len(last_year), round(den * 0.04))
        new = min(new, max(0, round(den * 0.9) - len(returning)))
        fresh = [self.new_mentee(cohort, participant, self.student_form()) for _ in range(new)]
        return returning + fresh

    def student_share(self, year: int) -> float:
        """Students to cover in a calendar year: the programme's target, else the school's own (at most 82 %)."""
        group = next(g for g in coverage_groups() if g.key == "students")
        if year in group.targets:
            return group.targets[year] * self.diligence
        return min(self.own_target * self.diligence, 0.82)

    def teacher_mentees(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        teachers = self.contingent_of(cohort, "teachers")
        target = {2020: 0.1, 2021: 0.2, 2022: 0.3}.get(cohort, 0.22)
        wanted = round(teachers * target * self.diligence)
        prev_teachers = [m for m in previous if m.participant_type == TEACHER and not self.left(m)]
        returning = [m for m in prev_teachers if self.rng.random() < 0.35]
        new = max(wanted - len(prev_teachers), 1)
        out = returning + [self.new_mentee(cohort, TEACHER, TEACHERS) for _ in range(new)]
        prev_young = [m for m in previous if m.participant_type == YOUNG and not self.left(m)
                      and m.entry_year >= cohort - 2]
        out += [m for m in prev_young if self.rng.random() < 0.75]
        young = min(self.contingent_of(cohort, "young_specialists"),
                    self.contingent_of(cohort + 1, "young_specialists"))
        # A calendar year sees the previous cohort (to May) and this one (from autumn): together
        # they must not outnumber the school's young specialists.
        last_year = sum(1 for m in previous if m.participant_type == YOUNG)
        new_young = min(max(1, round(young * 0.45)), max(young - last_year, 0))
        out += [self.new_mentee(cohort, YOUNG, TEACHERS) for _ in range(new_young)]
        return out

    def unpaired_mentees(self, cohort: int) -> None:
        """A few mentees who are in the base but got no pair (with the reason)."""
        participant = STUDENT if self.kind.org_type == SPO else PUPIL
        n = max(2, round(self.contingent_of(cohort, "students_10_19") * 0.012))
        reasons = words()["no_pair_reasons"]["current" if cohort == self.current_cohort else "past"]
        for _ in range(n):
            mentee = self.new_mentee(cohort, participant, self.student_form())
            mentee.row["no_pair_reason"] = self.rng.choice(reasons)

    @staticmethod
    def left(mentee: Mentee) -> bool:
        """The mentee's last pair was terminated: they do not come back."""
        return any(r.get("status") == "расторгнута" for r in mentee.row.get("_pairs", ()))

    # --- mentors ---

    def new_mentor(self, cohort: int, category: str, form: str, members: Sequence[Mentee]) -> Mentor:
        rng = self.rng
        adult = category != "обучающийся"
        sex = "m" if rng.random() < (0.5 if not adult else 0.15 if category in ("педагог", "ветеран педагогического труда")
                                      else 0.6) else "f"
        org, position, subject, experience, grade, birth = self.mentor_background(cohort, category, form, members)
        capacity = max(pick(rng, CAPACITY[category]), len(members))
        trained = day_between(rng, dt.date(cohort, 9, 15), dt.date(cohort, 10, 3))
        circle = ("pupil" if not adult else "teacher" if category in ("педагог", "ветеран педагогического труда")
                  else "employer")
        competencies = words()["people"][{"pupil": "competencies_pupil", "teacher": "competencies_teacher",
                                          "employer": "competencies_adult"}[circle]]
        row: dict[str, Any] = {
            "mentor_id": f"Н-{len(self.mentors) + 1:04d}",
            "full_name": self.full_name(sex, adult=adult),
            "birth_date": birth,
            "mentor_category": category,
            "org": org,
            "position_or_grade": position,
            "subject": subject,
            "experience_years": experience,
            "contact": self.fake.phone_number() if adult else None,
            "interests": self.interests(),
            "competencies": tuple(rng.sample(competencies, rng.randint(1, 3))),
            "mentor_type": ("предметник" if rng.random() < 0.55 else "консультант") if category == "педагог"
            else "консультант" if adult and rng.random() < 0.5 else None,
            "preferred_mentees": rng.choice(words()["people"][f"preferred_{circle}"]),
            "availability": rng.choice(words()["people"]["availability"]),
            "capacity": capacity,
            "trained_on": trained,
            "interview_done": True,
            "pd_consent_date": trained - days(rng.randint(3, 20)),
        }
        mentor = Mentor(row, category, capacity, grade, cohort)
        self.mentors.append(mentor)
        return mentor

    def mentor_background(self, cohort: int, category: str, form: str, members: Sequence[Mentee]
                          ) -> tuple[str, str, str | None, int | None, int | None, dt.date]:
        """Organisation, position or grade, subject, experience, grade/course and birthday."""
        rng, short = self.rng, self.profile.short_name
        if category == "обучающийся":
            last = self.last_grade()
            top = max((m.grade_in(cohort) or 5) for m in members) if members else 7
            grade = max(rng.randint(min(max(8, top + 1), last), last), top)
            subject, _ = self.subject()
            return short, self.class_label(grade), subject, None, grade, self.pupil_birthday(grade, cohort)
        if category in ("педагог", "ветеран педагогического труда"):
            subject, position = self.teacher_post()
            if category == "ветеран педагогического труда":
                return (short, f"{position} (на пенсии)", subject, rng.randint(32, 45), None,
                        self.birthday(rng.randint(1950, 1961)))
            birth = self.birthday(rng.randint(1962, 1992))
            experience = min(cohort - birth.year - 22, rng.randint(8, 38))
            return short, position, subject, max(experience, 5), None, birth
        if category == "студент" or (category == "выпускник" and form == STUDENT_PUPIL):
            course = rng.randint(1, 4)
            college = self.org_text(rng.choice(words()["org"]["colleges"]))
            return college, f"студент {course} курса", None, None, course, self.birthday(cohort - 17 - course)
        years = {"выпускник": (1994, 2004), "родитель": (1976, 1992),
                 "предприниматель/общественный деятель": (1965, 1990)}.get(category, (1968, 1998))
        birth = self.birthday(rng.randint(*years))
        experience = max(1, min(cohort - birth.year - 21, rng.randint(3, 25)))
        if category == "предприниматель/общественный деятель":
            org, position = rng.choice(words()["org"]["public"])
            return org, position, None, experience, None, birth
        enterprise = self.enterprise(members)
        return (self.org_text(enterprise["name"]), rng.choice(enterprise["positions"]), enterprise["direction"],
                experience, None, birth)

    def enterprise(self, members: Sequence[Mentee]) -> dict[str, Any]:
        """A partner enterprise; for college students one of their speciality's field when there is one."""
        options = words()["enterprises"]
        if self.kind.org_type == SPO and members:
            direction = next((d for n, _, d in words()["org"]["specialities"] if n == members[0].row["subject"]), None)
            options = [e for e in options if e["direction"] == direction] or options
        return self.rng.choice(options)

    def mentor_for(self, cohort: int, form: str, members: Sequence[Mentee], taken: set[str]) -> Mentor:
        """Last year's mentor of the right kind if one continues (and is not taken this year), else a new one."""
        category = pick(self.rng, MENTOR_CATEGORIES[form])
        size = len(members)
        top = max((m.grade_in(cohort) or 0) for m in members)
        candidates = [m for m in self.mentors
                      if m.category == category and cohort - 1 in m.load and m.id not in taken
                      and m.capacity >= size and self.still_eligible(m, cohort, top)]
        if candidates and self.rng.random() < REUSE[category]:
            return self.rng.choice(candidates)
        return self.new_mentor(cohort, category, form, members)

    def last_grade(self) -> int:
        return self.kind.grades[1] if self.kind.org_type != SPO else 11

    def still_eligible(self, mentor: Mentor, cohort: int, top_grade: int) -> bool:
        """A pupil mentor is still at school and older than the group; a student still studies."""
        grade = mentor.grade_in(cohort)
        if mentor.category == "обучающийся":
            return grade is not None and top_grade <= grade <= self.last_grade()
        if grade is not None:  # a student's course
            return grade <= 4
        return True

    def candidate_mentors(self, cohort: int) -> None:
        """A few volunteers who have not taken a pair (кандидат, отобран, обучен)."""
        forms = list(self.kind.forms) + [TEACHERS]
        for _ in range(max(2, len(self.mentors) // 40)):
            form = self.rng.choice(forms)
            mentor = self.new_mentor(cohort, pick(self.rng, MENTOR_CATEGORIES[form]), form, [])
            mentor.forms.add(form)
            stage = self.rng.random()
            if stage < 0.4:
                mentor.row.update(trained_on=None, interview_done=False)
            elif stage < 0.7:
                mentor.row["trained_on"] = None

    # --- cohorts and pairs ---

    def waves(self, cohort: int) -> list[Wave]:
        rng = self.rng
        number = rng.randint(150, 210)
        out = []
        for month, (first, last) in ((10, (5, 20)), (11, (5, 20)), (12, (1, 12))):
            day = working_day(day_between(rng, dt.date(cohort, month, first), dt.date(cohort, month, last)))
            out.append(Wave(day, f"Приказ № {number} от {ru_date(day)}"))
            number += rng.randint(12, 40)
        return out

    def variant(self, form: str, mentee: Mentee) -> str:
        allowed = variants_by_form()[form]
        preferred = VARIANT_BY_CATEGORY.get(form, {}).get(mentee.category or "")
        if preferred in allowed and self.rng.random() < 0.85:
            return preferred
        if form == EMPLOYER_STUDENT:
            return pick(self.rng, {"работодатель – будущий сотрудник": 0.5, "коллега – молодой коллега": 0.3,
                                   "активный профессионал – равнодушный потребитель": 0.2})
        return self.rng.choice(allowed)

    def cohort_groups(self, cohort: int, mentees: list[Mentee]) -> list[Group]:
        """Split a cohort's mentees into pairs and groups by form and variant; find their mentors."""
        buckets: dict[tuple[str, str], list[Mentee]] = defaultdict(list)
        for mentee in mentees:
            form = TEACHERS if mentee.participant_type in (TEACHER, YOUNG) else mentee.form
            buckets[(form, self.variant(form, mentee))].append(mentee)
        waves = self.waves(cohort)
        groups = []
        taken: set[str] = set()
        for (form, variant), members in sorted(buckets.items()):
            members.sort(key=lambda m: (m.grade_in(cohort) or 0, m.id))
            i = 0
            while i < len(members):
                size = min(pick(self.rng, GROUP_SIZE[form]), len(members) - i)
                chunk = members[i:i + size]
                i += size
                mentor = self.mentor_for(cohort, form, chunk, taken)
                taken.add(mentor.id)
                wave = waves[0] if form == TEACHERS else self.rng.choices(waves, weights=(0.5, 0.3, 0.2))[0]
                start = working_day(wave.day + days(self.rng.randint(0, 3)))
                method = pick(self.rng, MATCH_METHODS[form])
                if cohort >= 2025 and self.rng.random() < 0.2:
                    method = "автоподбор"
                groups.append(Group(cohort, form, variant, mentor, chunk, start, wave.order_ref, method))
        groups.sort(key=lambda g: (g.start, g.form, g.mentor.id, g.members[0].id))
        return groups

    def run_cohort(self, cohort: int, previous: list[Mentee]) -> list[Mentee]:
        """Form a cohort's pairs; return the mentees who had a pair in it."""
        mentees = self.student_mentees(cohort, previous) + self.teacher_mentees(cohort, previous)
        mentees = [m for m in mentees if m.row["entry_date"] <= self.today]
        self.unpaired_mentees(cohort)
        paired: list[Mentee] = []
        for group in self.cohort_groups(cohort, mentees):
            if group.start > self.today:
                continue
            group.pair_id = f"П-{len(self.groups) + 1:04d}"
            group.mentor.load[cohort] = group.mentor.load.get(cohort, 0) + len(group.members)
            group.mentor.forms.add(group.form)
            group.rows = [self.pair_row(group, m) for m in group.members]
            self.groups.append(group)
            paired.extend(group.members)
        if cohort == self.current_cohort:
            self.candidate_mentors(cohort)
        return paired

    def pair_row(self, group: Group, mentee: Mentee) -> dict[str, Any]:
        rng, cohort = self.rng, group.cohort
        planned_end = dt.date(cohort + 1, 5, 31)
        end = day_between(rng, dt.date(cohort + 1, 5, 12), dt.date(cohort + 1, 5, 30))
        terminated = rng.random() < 0.05
        if terminated:
            end = day_between(rng, dt.date(cohort + 1, 1, 15), dt.date(cohort + 1, 4, 10))
        method = group.method
        row: dict[str, Any] = {
            "form": group.form, "variant": group.variant, "mentor_id": group.mentor.id, "mentee_id": mentee.id,
            "match_method": method,
            "match_score": round(rng.uniform(0.55, 0.96), 2) if method in SCORED_METHODS else None,
            "order_ref": group.order_ref, "start_date": group.start, "planned_end": planned_end,
        }
        if end <= self.today:
            row.update(actual_end=end, plan_approved=True)
            if terminated:
                row.update(status="расторгнута", plan_pct=round(rng.uniform(0.2, 0.6), 1),
                           outcome=rng.choice(words()["outcomes"]["terminated"]))
            else:
                row.update(status="завершена", plan_pct=rng.choice((0.8, 0.85, 0.9, 0.95, 1.0, 1.0)),
                           outcome=self.outcome(group.form, mentee, cohort))
        else:
            elapsed = (self.today - group.start).days / max((planned_end - group.start).days, 1)
            fresh = (self.today - group.start).days < 14
            row.update(status="сформирована" if fresh else "действует",
                       plan_approved=False if fresh else rng.random() < 0.95,
                       plan_pct=round(min(max(elapsed + rng.uniform(-0.15, 0.1), 0.0), 1.0) * 20) / 20)
        mentee.cohorts.append(cohort)
        mentee.row.setdefault("_pairs", []).append(row)
        return row

    def outcome(self, form: str, mentee: Mentee, cohort: int) -> str:
        outcomes = words()["outcomes"]
        if form == TEACHERS:
            options = outcomes["teacher"]
        elif form == EMPLOYER_STUDENT:
            options = outcomes["spo"]
        elif form in (EMPLOYER_PUPIL, STUDENT_PUPIL) or mentee.category == "профессиональная ориентация":
            options = outcomes["career"] + outcomes["student"]
        else:
            options = outcomes["student"]
        grade = mentee.grade_in(cohort) if mentee.participant_type == PUPIL else None
        return pick_text(self.rng, options, grade).format(po=mentee.po)

    # --- meetings ---

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
            while (day := day + days(rng.randint(26, 42))) < limit:
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

    # --- questionnaires ---

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
                "preferred_ids": preferred}

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
            for q, s in zip(questions, scores, strict=True):
                delta = rng.choices((-1, 0, 1, 2, 3), weights=(0.06, 0.12, 0.32, 0.32, 0.18))[0]
                out.append(self.answer("влияние программы (вход/выход)", "выход", mentee.id, "наставляемый",
                                       group.pair_id, exit_day, q, min(max(s + delta, 1), 10)))
            for q in sw["satisfaction_mentee"]:
                out.append(self.answer("удовлетворённость", "выход", mentee.id, "наставляемый", group.pair_id,
                                       exit_day, q, rng.choices(range(5, 11), weights=(1, 2, 4, 7, 8, 6))[0]))
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
                                       day, q, rng.choices(range(5, 11), weights=(1, 2, 4, 7, 8, 6))[0]))
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

    # --- statuses, roadmap, the whole content ---

    def finish_people(self) -> None:
        current = self.current_cohort
        for mentee in self.mentees:
            pairs = mentee.row.pop("_pairs", [])
            if not pairs:
                recent = mentee.entry_year == current
                mentee.row["status"] = "в базе" if recent else "выбыл"
                if not mentee.row.get("no_pair_reason"):
                    options = words()["no_pair_reasons"]["current" if recent else "past"]
                    mentee.row["no_pair_reason"] = self.rng.choice(options)
            elif any(p.get("actual_end") is None for p in pairs):
                mentee.row["status"] = "в паре"
            else:
                mentee.row["status"] = "выбыл" if pairs[-1]["status"] == "расторгнута" else "завершил программу"
        by_mentor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for group in self.groups:
            by_mentor[group.mentor.id].extend(group.rows)
        for mentor in self.mentors:
            self.finish_mentor(mentor, by_mentor.get(mentor.id, []))

    def finish_mentor(self, mentor: Mentor, rows: list[dict[str, Any]]) -> None:
        row = mentor.row
        row["forms"] = tuple(f for f in (PEER, TEACHERS, STUDENT_PUPIL, EMPLOYER_PUPIL, EMPLOYER_STUDENT)
                             if f in mentor.forms) or None
        if any(r.get("actual_end") is None for r in rows):
            row["status"] = "активен"
        elif rows:
            grade = mentor.grade_in(self.current_cohort)
            gone = (mentor.category == "обучающийся" and (grade or 0) > 11) or \
                   (mentor.category == "студент" and (grade or 0) > 4) or self.rng.random() < 0.15
            row["status"] = "выбыл" if gone else "обучен"
        else:
            row["status"] = "обучен" if row.get("trained_on") else "отобран" if row.get("interview_done") else "кандидат"
        if row.get("trained_on") and row["trained_on"] > self.today:
            row["trained_on"] = None
        row["pd_consent_date"] = min(row["pd_consent_date"], self.today)
        if mentor.category == "педагог" and rows:
            row["mentoring_consent_date"] = self.mentoring_consent(rows)

    def mentoring_consent(self, rows: list[dict[str, Any]]) -> dt.date | None:
        """Art. 351.8 of the Labour Code: needed when a teacher mentors a colleague after 01.03.2025."""
        active_after = [r for r in rows if r.get("actual_end") is None or r["actual_end"] >= LABOUR_CODE_351_8]
        if not active_after or self.today < LABOUR_CODE_351_8:
            return None
        first = min(r["start_date"] for r in active_after)
        if first >= LABOUR_CODE_351_8:
            return first - days(self.rng.randint(1, 10))
        return min(LABOUR_CODE_351_8 + days(self.rng.randint(2, 30)), self.today)

    def roadmap(self) -> list[dict[str, Any]]:
        """The current academic year's roadmap, with what is past marked as done (mostly)."""
        rows = roadmap_rows(self.current_cohort)
        for row in rows:
            first, last = due_range(row["due"])
            if last is None:
                row["status"] = "в работе"
            elif last < self.today:
                roll = self.rng.random()
                if roll < 0.88:
                    done = last - days(self.rng.randint(0, 20)) if self.rng.random() < 0.8 else \
                        last + days(self.rng.randint(1, 20))
                    row.update(status="выполнено", done_date=min(max(done, first or done), self.today))
                else:
                    row["status"] = "перенесено" if roll < 0.96 else "в работе"
            elif first is not None and first <= self.today:
                row["status"] = "в работе"
        return rows

    def targets(self) -> list[dict[str, Any]]:
        """Default targets, plus the school's own for students after 2024."""
        titles = {g.key: g.title for g in coverage_groups()}
        out = []
        for (year, key), target in sorted(default_targets().items(), key=lambda kv: kv[0]):
            if key == "students" and target is None and year <= self.reporting_year + 4:
                target = self.own_target
            out.append({"year": year, "group": titles[key], "target_pct": target})
        return out

    def build(self) -> None:
        previous: list[Mentee] = []
        for cohort in self.cohort_years:
            previous = self.run_cohort(cohort, previous)
        self.meetings = self.meeting_rows()
        self.surveys = self.survey_rows()
        self.finish_people()

    def content(self) -> BookContent:
        return BookContent(
            card=self.card,
            contingent=self.contingent,
            rows={
                "roadmap": self.roadmap(),
                "mentors": [m.row for m in self.mentors],
                "mentees": [m.row for m in self.mentees if m.row["entry_date"] <= self.today],
                "pairs": [{"pair_id": g.pair_id, **row} for g in self.groups for row in g.rows],
                "meetings": self.meetings,
                "surveys": self.surveys,
            },
            targets=self.targets(),
        )


def school_content(profile: SchoolProfile, fake: Faker, today: dt.date) -> BookContent:
    """The clean content of one organisation's book (no mistakes; targets not yet computed)."""
    school = SchoolData(profile, fake, today)
    school.build()
    return school.content()


# --- mistakes ------------------------------------------------------------------------------------

MISTAKE_KINDS: dict[str, str] = {
    "date-as-text": "дата введена текстом («01.09.2024» строкой в ячейке даты)",
    "bad-date": "невозможная дата («31.04.2024»)",
    "missing-required": "не заполнено обязательное поле",
    "duplicate-id": "повторяющийся ID",
    "unknown-mentor-id": "в паре ID наставника, которого нет в базе",
    "unknown-mentee-id": "в паре ID наставляемого, которого нет в базе",
    "latin-lookalike-id": "в ID латинская буква, похожая на русскую",
    "unknown-value": "значения нет в справочнике",
    "variant-not-in-form": "вариант не относится к форме наставничества",
    "end-before-start": "фактическое окончание раньше начала",
    "minor-without-consent": "несовершеннолетний без согласия законного представителя на обработку ПДн",
    "mentor-without-consent": "педагог-наставник без согласия на наставничество (ст. 351.8 ТК)",
    "over-capacity": "у наставника больше наставляемых, чем он может взять",
    "bad-number": "число написано словами или с единицами («три», «45 мин»)",
    "bad-yesno": "вместо «да»/«нет» другой текст",
    "unknown-pair-id": "встреча пары, которой нет на листе «Пары»",
    "meeting-before-start": "встреча раньше начала работы пары",
    "formula-like-text": "текст начинается с «=» или «-» (должен остаться текстом)",
    "future-birth-date": "дата рождения в будущем",
    "student-too-old": "обучающемуся 25 лет",
}
MISTAKE_WEIGHTS: dict[str, float] = {
    "date-as-text": 14, "bad-date": 5, "missing-required": 12, "duplicate-id": 5, "unknown-mentor-id": 3,
    "unknown-mentee-id": 4, "latin-lookalike-id": 4, "unknown-value": 12, "variant-not-in-form": 4,
    "end-before-start": 3, "minor-without-consent": 6, "mentor-without-consent": 3, "over-capacity": 3,
    "bad-number": 6, "bad-yesno": 3, "unknown-pair-id": 4, "meeting-before-start": 4, "formula-like-text": 3,
    "future-birth-date": 3, "student-too-old": 2,
}
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    "mentors": ("birth_date", "trained_on", "pd_consent_date"),
    "mentees": ("birth_date", "pd_consent_date", "entry_date"),
    "pairs": ("start_date", "planned_end", "actual_end"),
    "meetings": ("date",),
    "surveys": ("date",),
}
UNKNOWN_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("pairs", "form"): ("наставник – ученик", "педагог – педагог", "учитель – ученик"),
    ("pairs", "variant"): ("сильный – слабый", "опытный – молодой"),
    ("pairs", "status"): ("активна", "закончена", "в работе"),
    ("mentors", "mentor_category"): ("учитель", "ученик", "работодатель"),
    ("mentors", "status"): ("работает", "активный"),
    ("mentees", "participant_type"): ("ученик", "школьник", "учитель"),
    ("mentees", "mentee_category"): ("неуспевающий", "одарённый", "группа риска"),
    ("mentees", "request_source"): ("кл. руководитель", "психолог"),
    ("mentees", "status"): ("в работе", "закончил"),
    ("meetings", "meeting_type"): ("консультация", "занятие"),
    ("meetings", "format"): ("онлайн", "в школе"),
    ("surveys", "phase"): ("входная", "итоговая"),
}
REQUIRED_BLANKS: tuple[tuple[str, str], ...] = (
    ("mentors", "full_name"), ("mentors", "mentor_category"), ("mentors", "mentor_id"),
    ("mentees", "full_name"), ("mentees", "participant_type"), ("mentees", "mentee_id"),
    ("pairs", "form"), ("pairs", "start_date"), ("pairs", "mentee_id"), ("pairs", "mentor_id"),
    ("meetings", "meeting_type"), ("meetings", "date"), ("surveys", "question"), ("surveys", "respondent_id"),
)


@dataclass(frozen=True)
class Mistake:
    """One planted mistake, where the curator would see it."""

    book: str  # file name
    sheet: str  # Russian sheet name
    row: int  # Excel row number
    column: str  # Russian header
    kind: str  # stable kebab-case code (MISTAKE_KINDS)
    value: Any  # as written: text, number, ISO date, or None for a blank cell
    written_as: str  # "text", "number", "date" or "blank"

    def as_json(self) -> dict[str, Any]:
        return {"book": self.book, "sheet": self.sheet, "row": self.row, "column": self.column,
                "kind": self.kind, "value": self.value, "written_as": self.written_as}


def excel_row(sheet_key: str, index: int) -> int:
    """The Excel row of the ``index``-th data row as the builder writes it."""
    if sheet_key == "organisation":
        return contingent_header_row() + 1 + index
    return index + 2  # headers in row 1


def _jsonable(value: Any) -> tuple[Any, str]:
    if value is None:
        return None, "blank"
    if isinstance(value, dt.date):
        return value.isoformat(), "date"
    if isinstance(value, bool):
        return ("да" if value else "нет"), "text"
    if isinstance(value, (int, float)):
        return value, "number"
    return str(value), "text"


class Planter:
    """Plants mistakes into a book's content, one per row, and records where they are."""

    def __init__(self, content: BookContent, rng: random.Random, today: dt.date, book: str) -> None:
        self.content = content
        self.tables = content.rows
        self.rng = rng
        self.today = today
        self.book = book
        self.used: set[tuple[str, int]] = set()
        self.mistakes: list[Mistake] = []
        self.pair_index = self.index_pairs("pair_id")  # pair IDs are never changed by a mistake

    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.content.contingent if key == "organisation" else self.tables.get(key, [])

    def free(self, key: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> list[int]:
        return [i for i, r in enumerate(self.rows(key)) if (key, i) not in self.used and test(r)]

    def choose(self, key: str, test: Callable[[dict[str, Any]], bool] = lambda r: True) -> int | None:
        options = self.free(key, test)
        return self.rng.choice(options) if options else None

    def lock(self, key: str, indexes: Sequence[int]) -> None:
        self.used.update((key, i) for i in indexes)

    def put(self, key: str, index: int, field_name: str, value: Any, kind: str) -> Mistake:
        self.rows(key)[index][field_name] = value
        self.used.add((key, index))
        spec = sheet(key)
        shown, written_as = _jsonable(value)
        mistake = Mistake(self.book, spec.name, excel_row(key, index), spec.column(field_name).header, kind,
                          shown, written_as)
        self.mistakes.append(mistake)
        return mistake

    def referenced(self, field_name: str) -> set[str]:
        return {r.get(field_name) for r in self.tables.get("pairs", [])}

    def index_pairs(self, field_name: str) -> dict[str, list[int]]:
        """Value of a «Пары» column → the rows holding it, as the rows are now."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.tables.get("pairs", [])):
            out[r.get(field_name)].append(i)
        return out

    def next_free_id(self, key: str, field_name: str) -> str:
        ids = [r.get(field_name) for r in self.rows(key) if isinstance(r.get(field_name), str)]
        prefix, _, digits = max(ids).partition("-")
        return f"{prefix}-{int(digits) + self.rng.randint(3, 60):0{len(digits)}d}"


def plant_date_as_text(p: Planter) -> Mistake | None:
    key = p.rng.choice(list(DATE_FIELDS))
    field_name = p.rng.choice(DATE_FIELDS[key])
    index = p.choose(key, lambda r: isinstance(r.get(field_name), dt.date))
    if index is None:
        return None
    day: dt.date = p.rows(key)[index][field_name]
    text = ru_date(day) if p.rng.random() < 0.8 else day.strftime("%d.%m.%y")
    return p.put(key, index, field_name, text, "date-as-text")


def plant_bad_date(p: Planter) -> Mistake | None:
    key = p.rng.choice(list(DATE_FIELDS))
    field_name = p.rng.choice(DATE_FIELDS[key])
    index = p.choose(key, lambda r: isinstance(r.get(field_name), dt.date))
    if index is None:
        return None
    day: dt.date = p.rows(key)[index][field_name]
    bad_day = 31 if day.month in (4, 6, 9, 11) else 30 if day.month == 2 else 32
    return p.put(key, index, field_name, f"{bad_day}.{day.month:02d}.{day.year}", "bad-date")


def plant_missing_required(p: Planter) -> Mistake | None:
    key, field_name = p.rng.choice(REQUIRED_BLANKS)
    if field_name in ("mentor_id", "mentee_id") and key in ("mentors", "mentees"):
        used_ids = p.referenced(field_name)
        index = p.choose(key, lambda r: r.get(field_name) not in used_ids)
    else:
        index = p.choose(key, lambda r: r.get(field_name) is not None)
    if index is None:
        return None
    return p.put(key, index, field_name, None, "missing-required")


def plant_duplicate_id(p: Planter) -> Mistake | None:
    """A copied row: the ID of the row above, on a row no pair refers to."""
    key = p.rng.choice(("mentors", "mentees", "meetings", "surveys"))
    field_name = sheet(key).id_field or ""
    used_ids = p.referenced(field_name) if key in ("mentors", "mentees") else set()
    rows = p.rows(key)
    options = [i for i in p.free(key, lambda r: r.get(field_name) not in used_ids)
               if i > 0 and (key, i - 1) not in p.used and rows[i - 1].get(field_name)]
    if not options:
        return None
    index = p.rng.choice(options)
    p.lock(key, [index - 1])
    return p.put(key, index, field_name, rows[index - 1][field_name], "duplicate-id")


def _plant_unknown_reference(p: Planter, field_name: str, kind: str) -> Mistake | None:
    index = p.choose("pairs", lambda r: isinstance(r.get(field_name), str))
    if index is None:
        return None
    people = "mentors" if field_name == "mentor_id" else "mentees"
    return p.put("pairs", index, field_name, p.next_free_id(people, field_name), kind)


def plant_unknown_mentor_id(p: Planter) -> Mistake | None:
    return _plant_unknown_reference(p, "mentor_id", "unknown-mentor-id")


def plant_unknown_mentee_id(p: Planter) -> Mistake | None:
    return _plant_unknown_reference(p, "mentee_id", "unknown-mentee-id")


def plant_latin_lookalike_id(p: Planter) -> Mistake | None:
    field_name = p.rng.choice(("mentor_id", "mentee_id"))
    index = p.choose("pairs", lambda r: isinstance(r.get(field_name), str) and r[field_name][:1] in LATIN_LOOKALIKES)
    if index is None:
        return None
    value: str = p.rows("pairs")[index][field_name]
    return p.put("pairs", index, field_name, LATIN_LOOKALIKES[value[0]] + value[1:], "latin-lookalike-id")


def plant_unknown_value(p: Planter) -> Mistake | None:
    key, field_name = p.rng.choice(list(UNKNOWN_VALUES))
    index = p.choose(key, lambda r: r.get(field_name) is not None)
    if index is None:
        return None
    return p.put(key, index, field_name, p.rng.choice(UNKNOWN_VALUES[(key, field_name)]), "unknown-value")


def plant_variant_not_in_form(p: Planter) -> Mistake | None:
    index = p.choose("pairs", lambda r: r.get("form") in variants_by_form())
    if index is None:
        return None
    form = p.rows("pairs")[index]["form"]
    foreign = sorted({v for vs in variants_by_form().values() for v in vs} - set(variants_by_form()[form]))
    return p.put("pairs", index, "variant", p.rng.choice(foreign), "variant-not-in-form")


def plant_end_before_start(p: Planter) -> Mistake | None:
    index = p.choose("pairs", lambda r: isinstance(r.get("actual_end"), dt.date)
                     and isinstance(r.get("start_date"), dt.date))
    if index is None:
        return None
    row = p.rows("pairs")[index]
    end: dt.date = row["actual_end"]
    typo = end.replace(year=row["start_date"].year)  # the year of the start typed by habit
    wrong = typo if typo < row["start_date"] else row["start_date"] - days(p.rng.randint(10, 60))
    return p.put("pairs", index, "actual_end", wrong, "end-before-start")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def plant_minor_without_consent(p: Planter) -> Mistake | None:
    def minor(r: dict[str, Any]) -> bool:
        birth, entry = r.get("birth_date"), r.get("entry_date")
        return (r.get("participant_type") in (PUPIL, STUDENT) and isinstance(birth, dt.date)
                and isinstance(entry, dt.date) and _age(birth, entry) < 18
                and isinstance(r.get("pd_consent_date"), dt.date))

    index = p.choose("mentees", minor)
    return None if index is None else p.put("mentees", index, "pd_consent_date", None, "minor-without-consent")


def plant_mentor_without_consent(p: Planter) -> Mistake | None:
    by_mentor = p.index_pairs("mentor_id")
    index = p.choose("mentors", lambda r: r.get("mentor_category") == TEACHER
                     and isinstance(r.get("mentoring_consent_date"), dt.date)
                     and all(("pairs", i) not in p.used for i in by_mentor.get(r["mentor_id"], [])))
    if index is None:
        return None
    p.lock("pairs", by_mentor.get(p.rows("mentors")[index]["mentor_id"], []))
    return p.put("mentors", index, "mentoring_consent_date", None, "mentor-without-consent")


def _cohort_load(p: Planter, rows_of_mentor: list[int]) -> tuple[int, list[int]]:
    """The most mentees a mentor had at once (in one academic year), and the pair rows behind it."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for i in rows_of_mentor:
        start = p.rows("pairs")[i].get("start_date")
        if isinstance(start, dt.date):
            by_year[academic_year_start(start)].append(i)
    if not by_year:
        return 0, []
    rows = max(by_year.values(), key=len)
    return len(rows), rows


def plant_over_capacity(p: Planter) -> Mistake | None:
    by_mentor = p.index_pairs("mentor_id")

    def heavy(r: dict[str, Any]) -> bool:
        load, rows = _cohort_load(p, by_mentor.get(r.get("mentor_id") or "", []))
        return load >= 2 and isinstance(r.get("capacity"), int) and all(("pairs", i) not in p.used for i in rows)

    index = p.choose("mentors", heavy)
    if index is None:
        return None
    load, rows = _cohort_load(p, by_mentor[p.rows("mentors")[index]["mentor_id"]])
    p.lock("pairs", rows)
    return p.put("mentors", index, "capacity", load - 1, "over-capacity")


def plant_bad_number(p: Planter) -> Mistake | None:
    choice = p.rng.choice(("capacity", "capacity", "duration", "experience", "contingent"))
    if choice == "capacity":
        index = p.choose("mentors", lambda r: r.get("capacity") in NUMBER_WORDS)
        if index is None:
            return None
        return p.put("mentors", index, "capacity", NUMBER_WORDS[p.rows("mentors")[index]["capacity"]], "bad-number")
    if choice == "duration":
        index = p.choose("meetings", lambda r: isinstance(r.get("duration_min"), int))
        if index is None:
            return None
        minutes = p.rows("meetings")[index]["duration_min"]
        text = f"{minutes} мин" if minutes != 90 else "1,5 часа"
        return p.put("meetings", index, "duration_min", text, "bad-number")
    if choice == "experience":
        index = p.choose("mentors", lambda r: isinstance(r.get("experience_years"), int))
        if index is None:
            return None
        years = p.rows("mentors")[index]["experience_years"]
        return p.put("mentors", index, "experience_years", f"более {years // 5 * 5 or 1} лет", "bad-number")
    field_name = p.rng.choice(("teachers", "young_specialists"))
    index = p.choose("organisation", lambda r: isinstance(r.get(field_name), int))
    if index is None:
        return None
    return p.put("organisation", index, field_name, f"{p.rows('organisation')[index][field_name]} чел.", "bad-number")


def plant_bad_yesno(p: Planter) -> Mistake | None:
    key, field_name = p.rng.choice((("pairs", "plan_approved"), ("mentors", "interview_done")))
    index = p.choose(key, lambda r: isinstance(r.get(field_name), bool))
    if index is None:
        return None
    return p.put(key, index, field_name, p.rng.choice(("на согласовании", "в процессе", "не было", "частично")),
                 "bad-yesno")


def plant_unknown_pair_id(p: Planter) -> Mistake | None:
    index = p.choose("meetings", lambda r: isinstance(r.get("pair_id"), str))
    if index is None or not p.rows("pairs"):
        return None
    return p.put("meetings", index, "pair_id", p.next_free_id("pairs", "pair_id"), "unknown-pair-id")


def plant_meeting_before_start(p: Planter) -> Mistake | None:
    def starts(pair_id: str) -> tuple[list[int], dt.date | None]:
        rows = p.pair_index.get(pair_id, [])
        dates = [p.rows("pairs")[i].get("start_date") for i in rows]
        ok = rows and all(isinstance(d, dt.date) and ("pairs", i) not in p.used for d, i in zip(dates, rows))
        return rows, (min(dates) if ok else None)

    index = p.choose("meetings", lambda r: isinstance(r.get("date"), dt.date) and starts(r.get("pair_id", ""))[1])
    if index is None:
        return None
    rows, start = starts(p.rows("meetings")[index]["pair_id"])
    assert start is not None
    p.lock("pairs", rows)
    return p.put("meetings", index, "date", start - days(p.rng.randint(3, 30)), "meeting-before-start")


def plant_formula_like_text(p: Planter) -> Mistake | None:
    key = p.rng.choice(("mentees", "mentors", "mentees"))
    field_name = "request" if key == "mentees" and p.rng.random() < 0.5 else "full_name"
    index = p.choose(key, lambda r: isinstance(r.get(field_name), str))
    if index is None:
        return None
    value = p.rows(key)[index][field_name]
    prefix = "- " if field_name == "request" else p.rng.choice(("=", "-", "="))
    return p.put(key, index, field_name, prefix + value, "formula-like-text")


def plant_future_birth_date(p: Planter) -> Mistake | None:
    key = p.rng.choice(("mentees", "mentors"))
    index = p.choose(key, lambda r: isinstance(r.get("birth_date"), dt.date))
    if index is None:
        return None
    birth: dt.date = p.rows(key)[index]["birth_date"]
    swapped = int(str(birth.year)[:2] + str(birth.year)[3] + str(birth.year)[2])  # 2013 → 2031
    year = swapped if swapped > p.today.year else p.today.year + p.rng.randint(1, 12)
    return p.put(key, index, "birth_date", birth.replace(year=year, day=min(birth.day, 28)), "future-birth-date")


def plant_student_too_old(p: Planter) -> Mistake | None:
    index = p.choose("mentees", lambda r: r.get("participant_type") == PUPIL
                     and isinstance(r.get("entry_date"), dt.date) and isinstance(r.get("birth_date"), dt.date))
    if index is None:
        return None
    entry: dt.date = p.rows("mentees")[index]["entry_date"]
    birth = entry.replace(year=entry.year - 26, day=min(entry.day, 28)) + days(p.rng.randint(20, 300))
    return p.put("mentees", index, "birth_date", birth, "student-too-old")


PLANTERS: dict[str, Callable[[Planter], Mistake | None]] = {
    "date-as-text": plant_date_as_text,
    "bad-date": plant_bad_date,
    "missing-required": plant_missing_required,
    "duplicate-id": plant_duplicate_id,
    "unknown-mentor-id": plant_unknown_mentor_id,
    "unknown-mentee-id": plant_unknown_mentee_id,
    "latin-lookalike-id": plant_latin_lookalike_id,
    "unknown-value": plant_unknown_value,
    "variant-not-in-form": plant_variant_not_in_form,
    "end-before-start": plant_end_before_start,
    "minor-without-consent": plant_minor_without_consent,
    "mentor-without-consent": plant_mentor_without_consent,
    "over-capacity": plant_over_capacity,
    "bad-number": plant_bad_number,
    "bad-yesno": plant_bad_yesno,
    "unknown-pair-id": plant_unknown_pair_id,
    "meeting-before-start": plant_meeting_before_start,
    "formula-like-text": plant_formula_like_text,
    "future-birth-date": plant_future_birth_date,
    "student-too-old": plant_student_too_old,
}


def data_rows(content: BookContent) -> int:
    """Rows a curator fills in: the tables and the contingent years filled so far."""
    filled = sum(1 for r in content.contingent if len(r) > 1)
    return filled + sum(len(rows) for rows in content.rows.values())


def plant_mistakes(content: BookContent, rng: random.Random, rate: float, today: dt.date, book: str) -> list[Mistake]:
    """Plant about ``rate`` × data rows mistakes of weighted kinds, each on its own row."""
    if rate <= 0:
        return []
    expected = rate * data_rows(content)
    count = math.floor(expected) + (rng.random() < expected - math.floor(expected))
    planter = Planter(content, rng, today, book)
    weights = dict(MISTAKE_WEIGHTS)
    while len(planter.mistakes) < count and weights:
        kind = pick(rng, weights)
        if PLANTERS[kind](planter) is None:
            del weights[kind]
    return planter.mistakes


# --- the whole region -------------------------------------------------------------------------------


@dataclass
class SchoolSummary:
    book: str
    org_name: str
    short_name: str
    org_type: str
    rows: dict[str, int]  # Russian sheet name → data rows
    mistakes: int
    coverage: dict[int, float | None]  # students, per calendar year up to the reporting year

    def as_json(self) -> dict[str, Any]:
        return {"book": self.book, "org_name": self.org_name, "short_name": self.short_name,
                "org_type": self.org_type, "rows": self.rows, "mistakes": self.mistakes,
                "coverage_students": {str(y): (round(v, 4) if v is not None else None)
                                      for y, v in self.coverage.items()}}


@dataclass
class DemoRegion:
    out_dir: Path
    municipality: str
    seed: int
    today: dt.date
    books: list[Path]
    manifest: Path
    mistakes: list[Mistake]
    schools: list[SchoolSummary]


def school_book(profile: SchoolProfile, fake: Faker, today: dt.date, mistake_rate: float,
                out_dir: Path) -> tuple[Path, list[Mistake], SchoolSummary]:
    """Draw, spoil (at ``mistake_rate``) and write one organisation's book."""
    content = school_content(profile, fake, today)
    mistakes = plant_mistakes(content, random.Random(profile.seed + ":mistakes"), mistake_rate, today,
                              profile.file_name)
    content = finish_content(content)
    path = build_book(out_dir / profile.file_name, content)
    title = next(g.title for g in coverage_groups() if g.key == "students")
    coverage = {r["year"]: r.get("actual_pct") for r in content.targets
                if r["group"] == title and r["year"] <= today.year}
    rows = {sheet(k).name: len(v) for k, v in content.rows.items()}
    rows[sheet("organisation").name] = sum(1 for r in content.contingent if len(r) > 1)
    summary = SchoolSummary(profile.file_name, profile.org_name, profile.short_name, profile.org_type, rows,
                            len(mistakes), coverage)
    return path, mistakes, summary


def manifest_data(plan: RegionPlan, today: dt.date, mistake_rate: float, schools: list[SchoolSummary],
                  mistakes: list[Mistake]) -> dict[str, Any]:
    return {
        "region": {"municipality": plan.municipality, "schools": len(plan.schools), "seed": plan.seed,
                   "today": today.isoformat(), "mistake_rate": mistake_rate},
        "schools": [s.as_json() for s in schools],
        "kinds": MISTAKE_KINDS,
        "mistakes": [m.as_json() for m in mistakes],
    }


def generate_region(out_dir: Path, schools: int = 12, seed: int = 1, mistake_rate: float = DEFAULT_MISTAKE_RATE,
                    today: dt.date | None = None) -> DemoRegion:
    """Write a municipality's books and ``manifest.json`` into ``out_dir``; deterministic for the arguments."""
    today = today or dt.date.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = region_plan(schools, seed)
    fake = Faker("ru_RU")
    books: list[Path] = []
    mistakes: list[Mistake] = []
    summaries: list[SchoolSummary] = []
    for profile in plan.schools:
        path, planted, summary = school_book(profile, fake, today, mistake_rate, out_dir)
        books.append(path)
        mistakes.extend(planted)
        summaries.append(summary)
    manifest = out_dir / MANIFEST_NAME
    text = json.dumps(manifest_data(plan, today, mistake_rate, summaries, mistakes), ensure_ascii=False, indent=2)
    tmp = manifest.with_name(f".~{MANIFEST_NAME}")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(manifest)
    return DemoRegion(out_dir, plan.municipality, seed, today, books, manifest, mistakes, summaries)
