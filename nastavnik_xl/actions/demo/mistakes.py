"""The curators' typical mistakes: their kinds and weights, one planting function per kind, and ``plant_mistakes``."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from nastavnik_xl.actions.demo.common import days, pick, ru_date
from nastavnik_xl.actions.demo.forms import PUPIL, STUDENT, TEACHER
from nastavnik_xl.actions.demo.planter import Mistake, Planter
from nastavnik_xl.book.builder import BookContent
from nastavnik_xl.dates import academic_year_start
from nastavnik_xl.schema import sheet, variants_by_form

MISTAKE_KINDS: dict[str, str] = {
    "date-as-text": "дата введена текстом («01.09.2024» строкой в ячейке даты)",
    "bad-date": "невозможная дата («31.04.2024»)",
    "missing-required": "не заполнено обязательное поле",
    "duplicate-id": "повторяющийся ID",
    "unknown-mentor-id": "в паре ID наставника, которого нет в базе",
    "unknown-mentee-id": "в паре ID наставляемого, которого нет в базе",
    "latin-lookalike-id": "в ID латинская буква, похожая на русскую",
    "unknown-value": "значения нет в справочнике",
    "lookup-synonym": "вместо значения справочника его синоним («ученик» вместо «обучающийся»)",
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
    "unknown-mentee-id": 4, "latin-lookalike-id": 4, "unknown-value": 6, "lookup-synonym": 6, "variant-not-in-form": 4,
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
    ("pairs", "form"): ("наставник – ученик", "учитель – ученик"),
    ("pairs", "variant"): ("сильный – слабый", "опытный – молодой"),
    ("mentors", "mentor_category"): ("работодатель", "наставник"),
    ("mentees", "mentee_category"): ("группа риска", "слабоуспевающий по математике"),
    ("mentees", "status"): ("в работе", "на контроле"),
    ("meetings", "meeting_type"): ("консультация", "занятие"),
}
# What curators write instead of a list value; the reader understands them with a warning.
SYNONYM_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("pairs", "form"): ("педагог – педагог",),
    ("pairs", "status"): ("активна", "закончена"),
    ("mentors", "mentor_category"): ("учитель", "ученик"),
    ("mentors", "status"): ("работает", "активный"),
    ("mentees", "participant_type"): ("ученик", "школьник", "учитель"),
    ("mentees", "mentee_category"): ("неуспевающий", "одарённый"),
    ("mentees", "request_source"): ("кл. руководитель", "психолог"),
    ("mentees", "status"): ("закончил",),
    ("meetings", "format"): ("онлайн", "в школе"),
    ("surveys", "phase"): ("входная", "итоговая"),
}
REQUIRED_BLANKS: tuple[tuple[str, str], ...] = (
    ("mentors", "full_name"), ("mentors", "mentor_category"), ("mentors", "mentor_id"),
    ("mentees", "full_name"), ("mentees", "participant_type"), ("mentees", "mentee_id"),
    ("pairs", "form"), ("pairs", "start_date"), ("pairs", "mentee_id"), ("pairs", "mentor_id"),
    ("meetings", "meeting_type"), ("meetings", "date"), ("surveys", "question"), ("surveys", "respondent_id"),
)

LATIN_LOOKALIKES = {"Н": "H", "В": "B", "А": "A", "С": "C", "Е": "E", "К": "K", "М": "M", "О": "O", "Р": "P",
                    "Т": "T", "Х": "X"}
NUMBER_WORDS = {1: "один", 2: "два", 3: "три", 4: "четыре", 5: "пять", 6: "шесть", 7: "семь", 8: "восемь"}


def _date_cell(p: Planter) -> tuple[str, str, int, dt.date] | None:
    """A random filled date cell: (sheet key, field, row index, its date)."""
    key = p.rng.choice(list(DATE_FIELDS))
    field_name = p.rng.choice(DATE_FIELDS[key])
    index = p.choose(key, lambda r: isinstance(r.get(field_name), dt.date))
    if index is None:
        return None
    return key, field_name, index, p.rows(key)[index][field_name]


def plant_date_as_text(p: Planter) -> Mistake | None:
    cell = _date_cell(p)
    if cell is None:
        return None
    key, field_name, index, day = cell
    text = ru_date(day) if p.rng.random() < 0.8 else day.strftime("%d.%m.%y")
    return p.put(key, index, field_name, text, "date-as-text")


def plant_bad_date(p: Planter) -> Mistake | None:
    cell = _date_cell(p)
    if cell is None:
        return None
    key, field_name, index, day = cell
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


def _plant_list_value(p: Planter, values: dict[tuple[str, str], tuple[str, ...]], kind: str) -> Mistake | None:
    key, field_name = p.rng.choice(list(values))
    index = p.choose(key, lambda r: r.get(field_name) is not None)
    if index is None:
        return None
    return p.put(key, index, field_name, p.rng.choice(values[(key, field_name)]), kind)


def plant_unknown_value(p: Planter) -> Mistake | None:
    return _plant_list_value(p, UNKNOWN_VALUES, "unknown-value")


def plant_lookup_synonym(p: Planter) -> Mistake | None:
    return _plant_list_value(p, SYNONYM_VALUES, "lookup-synonym")


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
    "lookup-synonym": plant_lookup_synonym,
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
