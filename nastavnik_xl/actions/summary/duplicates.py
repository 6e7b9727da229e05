"""Two books of one organisation, and one person in several organisations.

**Organisations.** Two sources are the same organisation when they carry the same ИНН, or — when
one of them has none — the same normalised full name (case, ё/е, spaces, dashes, quotes) in the
same normalised municipality. The newer source is used: the later file modification time, then the
later reporting year (a book) or quarter (an exported registry), then the file name. The others are
set aside, each with the reason and the source used instead.

**People.** The same person (normalised full name and birth date, ``rules.people.person_key``, computed
by the worker that read the book) in
the registries of several organisations is flagged, never merged: they may really mentor in two
schools, or be two people with one name and birthday.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from nastavnik_xl.actions.registry import parse_quarter
from nastavnik_xl.actions.summary.model import EXPORT, OrgSummary, Period, PersonKey, SetAside
from nastavnik_xl.schema import norm

_QUOTES = re.compile(r"[«»\"'„“”‘’]")
_NUMBER_SIGN = re.compile(r"\s*№\s*")


def inn_key(inn: str) -> str:
    return "".join(ch for ch in inn if ch.isdigit())


def name_key(org: OrgSummary) -> tuple[str, str] | None:
    """Normalised full name (the short one when the full is missing) and municipality."""
    name = org.card.org_name or org.card.short_name
    if not name.strip():
        return None
    clean = _NUMBER_SIGN.sub(" № ", _QUOTES.sub("", norm(name)))
    return " ".join(clean.split()), norm(org.card.municipality)


def _newer(org: OrgSummary) -> tuple[float, int, str]:
    """Order of preference: file time, then the year the source is about, then the file name."""
    year = org.card.reporting_year or (int(org.registry.label[:4]) if org.registry else 0)
    return org.modified.timestamp() if org.modified.year > 1 else 0.0, year, org.source


def _groups(orgs: Sequence[OrgSummary]) -> list[list[OrgSummary]]:
    """Sources of one organisation together (each source in exactly one group), in input order."""
    by_inn: dict[str, list[OrgSummary]] = defaultdict(list)
    names_of_inn: dict[tuple[str, str], str] = {}
    without: list[OrgSummary] = []
    for org in orgs:
        inn = inn_key(org.card.inn)
        if inn:
            by_inn[inn].append(org)
            key = name_key(org)
            if key is not None:
                names_of_inn.setdefault(key, inn)
        else:
            without.append(org)
    by_name: dict[tuple[str, str], list[OrgSummary]] = defaultdict(list)
    alone: list[list[OrgSummary]] = []
    for org in without:
        key = name_key(org)
        if key is None:
            alone.append([org])
        elif key in names_of_inn:
            by_inn[names_of_inn[key]].append(org)
        else:
            by_name[key].append(org)
    return [*by_inn.values(), *by_name.values(), *alone]


def _reason(org: OrgSummary, kept: OrgSummary) -> str:
    same = (f"тот же ИНН {kept.card.inn}" if inn_key(org.card.inn) and inn_key(org.card.inn) == inn_key(kept.card.inn)
            else "то же наименование и муниципальное образование")
    return (f"Та же организация ({same}), что и в «{_file(kept)}»: в сводку взят более новый файл "
            f"(изменён {kept.modified:%d.%m.%Y %H:%M}), этот (изменён {org.modified:%d.%m.%Y %H:%M}) отложен.")


def _file(org: OrgSummary) -> str:
    return org.source.replace("\\", "/").rsplit("/", 1)[-1]


def other_period(orgs: Iterable[OrgSummary], period: Period) -> tuple[list[OrgSummary], list[SetAside]]:
    """Exported registries of another period than the summary's are set aside."""
    kept, aside = [], []
    for org in orgs:
        if org.kind != EXPORT or org.registry is None or org.registry.label == period.label:
            kept.append(org)
            continue
        title = parse_quarter(org.registry.label).title
        hint = "" if period.is_quarter else " Выгрузки персучёта квартальные: используйте их в сводке за квартал."
        aside.append(SetAside(org, "", f"Выгрузка персонифицированного учёта за {title}, а сводка — за "
                                       f"{period.title}: не использована.{hint}"))
    return kept, aside


def one_per_organisation(orgs: Sequence[OrgSummary]) -> tuple[list[OrgSummary], list[SetAside]]:
    """The newest source of each organisation, and the others with the reason they were set aside."""
    kept: list[OrgSummary] = []
    aside: list[SetAside] = []
    for group in _groups(orgs):
        winner = max(group, key=_newer)
        kept.append(winner)
        aside.extend(SetAside(o, winner.source, _reason(o, winner)) for o in group if o is not winner)
    order = {id(o): i for i, o in enumerate(orgs)}
    kept.sort(key=lambda o: order[id(o)])
    return kept, aside


Appearance = tuple[int, int]  # (organisation's index in the summary, row of its registry)


def people_in_several(orgs: Sequence[OrgSummary]) -> dict[PersonKey, list[Appearance]]:
    """Person key → every appearance, for the people found in more than one organisation."""
    seen: dict[PersonKey, list[Appearance]] = defaultdict(list)
    for i, org in enumerate(orgs):
        for j, key in enumerate(org.registry.keys if org.registry else ()):
            if key is not None:
                seen[key].append((i, j))
    return {k: v for k, v in seen.items() if len({o for o, _ in v}) > 1}
