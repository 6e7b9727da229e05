"""References: a pair's mentor and mentee, a meeting's pair, an answer's respondent, pair and preferences exist."""

from __future__ import annotations

from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context
from nastavnik_xl.actions.validate.identity import lookalike_of
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.people import id_key


def _ids(rows: dict[str, object]) -> set[str]:
    return set(rows)


@rule("unknown-mentor-id", "unknown-mentee-id", title="наставник и наставляемый пары есть в базах")
def pair_people_exist(ctx: Context) -> Iterator[Finding]:
    for field_name, base, code, where in (("mentor_id", ctx.mentors, "unknown-mentor-id", "«Наставники»"),
                                          ("mentee_id", ctx.mentees, "unknown-mentee-id", "«Наставляемые»")):
        known = _ids(base)
        for p in ctx.rows("pairs"):
            value = p.get(field_name)
            if not value or id_key(value) in known or lookalike_of(known, str(value)):
                continue
            yield ctx.finding(code, ERROR, "pairs", p, field_name,
                              f"ID «{value}» нет на листе {where}: добавьте человека в базу или исправьте ID.")


@rule("unknown-pair-id", title="пары встреч и анкет есть на листе «Пары»")
def pairs_exist(ctx: Context) -> Iterator[Finding]:
    known = set(ctx.pairs_by_id)
    for key in ("meetings", "surveys"):
        for r in ctx.rows(key):
            value = r.get("pair_id")
            if not value or id_key(value) in known or lookalike_of(known, str(value)):
                continue
            yield ctx.finding("unknown-pair-id", ERROR, key, r, "pair_id",
                              f"Пары «{value}» нет на листе «Пары»: исправьте ID пары или добавьте пару.")


ROLE_BASES = {"наставник": ("mentors",), "наставляемый": ("mentees",), None: ("mentors", "mentees")}


@rule("unknown-respondent-id", title="респонденты анкет есть в базах")
def respondents_exist(ctx: Context) -> Iterator[Finding]:
    bases = {"mentors": _ids(ctx.mentors), "mentees": _ids(ctx.mentees)}
    for r in ctx.rows("surveys"):
        value, role = r.get("respondent_id"), r.get("role")
        if not value or role == "куратор" or role not in ROLE_BASES:
            continue
        if any(id_key(value) in bases[b] for b in ROLE_BASES[role]):
            continue
        where = " или ".join({"mentors": "«Наставники»", "mentees": "«Наставляемые»"}[b] for b in ROLE_BASES[role])
        yield ctx.finding("unknown-respondent-id", ERROR, "surveys", r, "respondent_id",
                          f"Респондента «{value}» нет на листе {where}: исправьте ID или роль.")


@rule("unknown-preferred-id", title="предпочитаемые в анкетах есть в базах")
def preferred_exist(ctx: Context) -> Iterator[Finding]:
    known = _ids(ctx.mentors) | _ids(ctx.mentees)
    for r in ctx.rows("surveys"):
        missing = [v for v in (r.get("preferred_ids") or ()) if id_key(v) not in known]
        if missing:
            yield ctx.finding("unknown-preferred-id", WARNING, "surveys", r, "preferred_ids",
                              "Нет в базах: " + ", ".join(f"«{v}»" for v in missing)
                              + ". Укажите ID наставников или наставляемых через «;».")
