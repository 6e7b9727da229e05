"""Consent: ФЗ-152 for everyone in a pair (a legal representative's for minors); ТК ст. 351.8 for employee mentors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, Context, is_date, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.book.model import Row
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.people import age_on

LABOUR_CODE_351_8 = dt.date(2025, 3, 1)  # written consent of employee mentors from this day
EMPLOYEE_CATEGORIES = ("педагог", "сотрудник предприятия")


def _first_start(pairs: list[Row]) -> dt.date | None:
    starts = [p["start_date"] for p in pairs if is_date(p.get("start_date"))]
    return min(starts) if starts else None


def _is_minor(person: Row, day: dt.date | None) -> bool:
    birth = person.get("birth_date")
    return is_date(birth) and day is not None and age_on(birth, day) < 18


@rule("pd-consent-missing", "pd-consent-late", title="согласие на обработку ПДн у всех в базах")
def personal_data_consent(ctx: Context) -> Iterator[Finding]:
    """ФЗ-152: keeping a person in the base is processing their data; a pair makes it urgent."""
    for key, pairs_of, id_field in (("mentees", ctx.pairs_of_mentee, "mentee_id"),
                                    ("mentors", ctx.pairs_of_mentor, "mentor_id")):
        people = ctx.mentees if key == "mentees" else ctx.mentors
        for pid, person in people.items():
            pairs = pairs_of.get(pid, [])
            entry = person.get("entry_date") if is_date(person.get("entry_date")) else _first_start(pairs)
            consent = person.get("pd_consent_date")
            minor = _is_minor(person, entry or ctx.on)
            whose = "законного представителя (родителя) " if minor else ""
            if consent is None:
                where = "в паре" if pairs else "в базе"
                yield ctx.finding("pd-consent-missing", ERROR, key, person, "pd_consent_date",
                                  f"Нет даты согласия {whose}на обработку персональных данных (ФЗ-152), а человек "
                                  f"{where} ({person.get('full_name') or person[id_field]}). Получите согласие и "
                                  "впишите дату.")
            elif is_date(consent) and entry is not None and consent > entry and consent <= ctx.on:
                what = "включения в базу" if key == "mentees" else "начала первой пары"
                yield ctx.finding("pd-consent-late", ERROR, key, person, "pd_consent_date",
                                  f"Согласие {whose}на обработку ПДн ({ru(consent)}) получено позже даты {what} "
                                  f"({ru(entry)}): данные нельзя обрабатывать до согласия. Проверьте даты.")


@rule("mentoring-consent-missing", title="письменное согласие работника-наставника (ст. 351.8 ТК)")
def employee_mentor_consent(ctx: Context) -> Iterator[Finding]:
    for pid, mentor in ctx.mentors.items():
        if mentor.get("mentor_category") not in EMPLOYEE_CATEGORIES or mentor.get("mentoring_consent_date"):
            continue
        pairs = [p for p in ctx.pairs_of_mentor.get(pid, [])
                 if is_date(p.get("start_date")) and p["start_date"] <= ctx.on
                 and (p.get("actual_end") is None or (is_date(p["actual_end"]) and p["actual_end"] >= LABOUR_CODE_351_8))]
        if pairs:
            yield ctx.finding("mentoring-consent-missing", ERROR, "mentors", mentor, "mentoring_consent_date",
                              "Наставник — работник, и его пара действует после 01.03.2025: по ст. 351.8 ТК РФ нужно "
                              "его письменное согласие на наставничество. Получите согласие и впишите дату.")
