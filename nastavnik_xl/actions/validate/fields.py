"""Fields: required values, contacts, impossible dates, implausible ages, text that looks like a formula."""

from __future__ import annotations

from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context, is_date, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.book.model import Row
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.people import age_on, is_contact
from nastavnik_xl.schema import DATA_SHEETS

TABLE_KEYS = tuple(s.key for s in DATA_SHEETS if s.key not in ("organisation", "targets"))
GROUP_MEETING = "групповая встреча"
FORMULA_STARTS = ("=", "+", "-", "@")
TEXT_FIELDS = {"mentors": ("full_name",), "mentees": ("full_name", "request")}


@rule("missing-required", title="обязательные поля заполнены")
def required_values(ctx: Context) -> Iterator[Finding]:
    for key in TABLE_KEYS:
        table = ctx.table(key)
        if table is None:
            continue
        present = {h.field for h in table.headers}
        for col in table.sheet.required_columns:
            if col.field not in present:
                continue
            for r in table.rows:
                if r.get(col.field) not in (None, "", ()):
                    continue
                if key == "meetings" and col.field == "pair_id" and r.get("meeting_type") == GROUP_MEETING:
                    continue  # a meeting of the whole programme has no pair
                yield ctx.finding("missing-required", ERROR, key, r, col.field,
                                  f"Заполните «{ctx.header(key, col.field)}»: это обязательное поле.")


@rule("bad-contact", title="контакты — телефон или e-mail")
def contacts(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("mentors"):
        text = r.get("contact")
        if isinstance(text, str) and text.strip() and not is_contact(text):
            yield ctx.finding("bad-contact", WARNING, "mentors", r, "contact",
                              "Контакт не похож ни на телефон (+7 или 8 и ещё 10 цифр), ни на e-mail. "
                              "Проверьте номер или адрес.")


@rule("birth-in-future", title="дата рождения не в будущем")
def birth_not_in_future(ctx: Context) -> Iterator[Finding]:
    for key in ("mentors", "mentees"):
        for r in ctx.rows(key):
            birth = r.get("birth_date")
            if is_date(birth) and birth > ctx.on:
                yield ctx.finding("birth-in-future", ERROR, key, r, "birth_date",
                                  f"Дата рождения {ru(birth)} ещё не наступила: проверьте год.")


@rule("entry-before-birth", title="включение в базу после рождения")
def entry_after_birth(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("mentees"):
        birth, entry = r.get("birth_date"), r.get("entry_date")
        if is_date(birth) and is_date(entry) and entry < birth and birth <= ctx.on:
            yield ctx.finding("entry-before-birth", ERROR, "mentees", r, "entry_date",
                              f"Дата включения в базу ({ru(entry)}) раньше даты рождения ({ru(birth)}): "
                              "проверьте обе даты.")


@rule("end-before-start", title="окончание пары не раньше начала")
def end_after_start(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("pairs"):
        start = r.get("start_date")
        if not is_date(start):
            continue
        for field_name in ("actual_end", "planned_end"):
            end = r.get(field_name)
            if is_date(end) and end < start:
                yield ctx.finding("end-before-start", ERROR, "pairs", r, field_name,
                                  f"«{ctx.header('pairs', field_name)}» ({ru(end)}) раньше даты начала "
                                  f"({ru(start)}): проверьте год и месяц.")


CONSENT_FIELDS = {"mentors": ("pd_consent_date", "mentoring_consent_date"), "mentees": ("pd_consent_date",)}


def cells(ctx: Context, fields: dict[str, tuple[str, ...]]) -> Iterator[tuple[str, Row, str, object]]:
    """(sheet key, row, field, value) of these fields on every row of these sheets."""
    for key, names in fields.items():
        for r in ctx.rows(key):
            for field_name in names:
                yield key, r, field_name, r.get(field_name)


@rule("consent-in-future", title="дата согласия не в будущем")
def consent_not_in_future(ctx: Context) -> Iterator[Finding]:
    for key, r, field_name, day in cells(ctx, CONSENT_FIELDS):
        if is_date(day) and day > ctx.on:
            yield ctx.finding("consent-in-future", ERROR, key, r, field_name,
                              f"Согласие датировано {ru(day)} — это дата в будущем. Впишите дату, "
                              "когда согласие действительно подписано.")


PUPIL_AGES = (6, 19)
ADULT_TYPES = ("педагог", "молодой специалист")
PUPIL_CATEGORIES = ("обучающийся",)


@rule("age-implausible", title="возраст соответствует типу участника")
def plausible_age(ctx: Context) -> Iterator[Finding]:
    for r in ctx.rows("mentees"):
        birth = r.get("birth_date")
        if not is_date(birth) or birth > ctx.on:
            continue
        day = r.get("entry_date") if is_date(r.get("entry_date")) else ctx.on
        if day < birth:
            continue  # entry-before-birth says it
        age = age_on(birth, day)
        ptype = r.get("participant_type")
        low, high = PUPIL_AGES
        if ptype == "обучающийся" and not low <= age <= high:
            yield ctx.finding("age-implausible", ERROR, "mentees", r, "birth_date",
                              f"Обучающемуся на дату включения в базу {age} (лет): так не бывает в школе "
                              f"({low}–{high}). Проверьте дату рождения или тип участника (студент СПО — «студент»).")
        elif ptype in ADULT_TYPES and age < 18:
            yield ctx.finding("age-implausible", ERROR, "mentees", r, "birth_date",
                              f"Педагогу на дату включения в базу {age} (лет): проверьте дату рождения или тип участника.")
    for key, r in ctx.mentors.items():
        birth = r.get("birth_date")
        if not is_date(birth) or birth > ctx.on:
            continue
        starts = [p["start_date"] for p in ctx.pairs_of_mentor.get(key, []) if is_date(p.get("start_date"))]
        day = max(starts) if starts else ctx.on  # the category is what they were when they mentored
        age = age_on(birth, day)
        when = f"на начало пары ({ru(day)})" if starts else "сейчас"
        if r.get("mentor_category") in PUPIL_CATEGORIES and not PUPIL_AGES[0] <= age <= PUPIL_AGES[1]:
            yield ctx.finding("age-implausible", ERROR, "mentors", r, "birth_date",
                              f"Наставнику-обучающемуся {when} {age} (лет): проверьте дату рождения или категорию.")
        elif r.get("mentor_category") not in PUPIL_CATEGORIES and age < 14:
            yield ctx.finding("age-implausible", ERROR, "mentors", r, "birth_date",
                              f"Наставнику {when} {age} (лет): проверьте дату рождения.")


@rule("formula-like-text", title="текст не начинается со знака формулы")
def formula_like_text(ctx: Context) -> Iterator[Finding]:
    for key, r, field_name, text in cells(ctx, TEXT_FIELDS):
        if isinstance(text, str) and text.startswith(FORMULA_STARTS):
            yield ctx.finding("formula-like-text", WARNING, key, r, field_name,
                              f"Текст начинается с «{text[0]}»: Excel может принять его за формулу. "
                              "Уберите этот знак в начале (программа в любом случае запишет текст как текст).")

