"""Identity: duplicate IDs, Latin look-alike letters in IDs, one person entered twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context, ru
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.book.model import Row
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.people import has_lookalike, id_key, is_mixed_script, person_key, to_cyrillic

ID_SHEETS = {"mentors": "mentor_id", "mentees": "mentee_id", "meetings": "meeting_id", "surveys": "response_id"}
# Reference columns and the base each points at.
REFERENCES = {("pairs", "mentor_id"): "mentors", ("pairs", "mentee_id"): "mentees", ("meetings", "pair_id"): "pairs",
              ("surveys", "pair_id"): "pairs"}
BASE_ID = {"mentors": "mentor_id", "mentees": "mentee_id", "pairs": "pair_id"}
ROLE = {"mentors": "наставников", "mentees": "наставляемых"}


@rule("duplicate-id", title="ID не повторяются")
def unique_ids(ctx: Context) -> Iterator[Finding]:
    for key, id_field in ID_SHEETS.items():
        first: dict[str, Row] = {}
        for r in ctx.rows(key):
            value = r.get(id_field)
            if not value:
                continue
            seen = first.setdefault(id_key(value), r)
            if seen is not r:
                yield ctx.finding("duplicate-id", ERROR, key, r, id_field,
                                  f"ID «{value}» уже есть в строке {seen['_row']}: у каждой записи свой ID. "
                                  "Если это та же запись — удалите копию, иначе дайте новый ID.")


def _known_ids(ctx: Context, key: str) -> set[str]:
    return {id_key(r[BASE_ID[key]]) for r in ctx.rows(key) if r.get(BASE_ID[key])}


def lookalike_of(known: set[str], value: str) -> str | None:
    """The ID ``value`` stands for when typed with Latin letters, if such an ID is ``known``."""
    if id_key(value) in known or not (is_mixed_script(value) or has_lookalike(value)):
        return None
    fixed = to_cyrillic(value)
    return fixed if fixed != value and id_key(fixed) in known else None


@rule("latin-lookalike-id", title="в ID нет латинских букв, похожих на русские")
def latin_lookalikes(ctx: Context) -> Iterator[Finding]:
    for key, id_field in BASE_ID.items():
        for r in ctx.rows(key):
            value = r.get(id_field)
            if isinstance(value, str) and is_mixed_script(value):
                yield ctx.finding("latin-lookalike-id", ERROR, key, r, id_field,
                                  f"В ID «{value}» есть латинские буквы среди русских ({_latin(value)}): "
                                  "наберите ID русскими буквами, иначе ссылки на него не найдутся.")
    for (key, field_name), base in REFERENCES.items():
        known = _known_ids(ctx, base)
        for r in ctx.rows(key):
            value = r.get(field_name)
            if not isinstance(value, str):
                continue
            fixed = lookalike_of(known, value)
            if fixed is not None:
                yield ctx.finding("latin-lookalike-id", ERROR, key, r, field_name,
                                  f"ID «{value}» набран с латинскими буквами ({_latin(value)}); похоже, это «{fixed}». "
                                  "Наберите его русскими буквами.")


def _latin(value: str) -> str:
    return ", ".join(sorted({ch for ch in value if ch.isascii() and ch.isalpha()}))


@rule("duplicate-person", title="один человек не записан дважды под разными ID")
def same_person_twice(ctx: Context) -> Iterator[Finding]:
    for key, id_field in (("mentors", "mentor_id"), ("mentees", "mentee_id")):
        first: dict[tuple[str, object], Row] = {}
        for r in ctx.rows(key):
            person = person_key(r)
            if person is None or not r.get(id_field):
                continue
            seen = first.setdefault(person, r)
            if seen is not r and id_key(seen[id_field]) != id_key(r[id_field]):
                yield ctx.finding("duplicate-person", ERROR, key, r, "full_name",
                                  f"Этот человек ({r['full_name']}, {ru(person[1])}) уже есть в базе {ROLE[key]} под ID "
                                  f"«{seen[id_field]}» (строка {seen['_row']}). Оставьте одну запись и исправьте "
                                  "ссылки на неё.")


@rule("person-in-both-bases", "self-pair", title="наставник и наставляемый — разные люди")
def same_person_both_sides(ctx: Context) -> Iterator[Finding]:
    mentors_by_person: dict[tuple[str, object], Row] = {}
    for r in ctx.rows("mentors"):
        person = person_key(r)
        if person is not None:
            mentors_by_person.setdefault(person, r)
    pairs_between: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for p in ctx.rows("pairs"):
        if p.get("mentor_id") and p.get("mentee_id"):
            pairs_between[(id_key(p["mentor_id"]), id_key(p["mentee_id"]))].append(p)
    for r in ctx.rows("mentees"):
        person = person_key(r)
        mentor = mentors_by_person.get(person) if person else None
        if mentor is None or not r.get("mentee_id") or not mentor.get("mentor_id"):
            continue
        self_pairs = pairs_between.get((id_key(mentor["mentor_id"]), id_key(r["mentee_id"])), [])
        for p in self_pairs:
            yield ctx.finding("self-pair", ERROR, "pairs", p, "mentee_id",
                              f"Наставник «{mentor['mentor_id']}» и наставляемый «{r['mentee_id']}» — один и тот же "
                              f"человек ({r['full_name']}): человек не может быть наставником самому себе.")
        if not self_pairs:
            yield ctx.finding("person-in-both-bases", WARNING, "mentees", r, "full_name",
                              f"Этот человек ({r['full_name']}) есть и в базе наставников (ID «{mentor['mentor_id']}»). Так бывает "
                              "(обучающийся может быть и наставником), но проверьте, не двойная ли это запись.")
