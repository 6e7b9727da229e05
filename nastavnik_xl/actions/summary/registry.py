"""The consolidated «Персонифицированный учёт» of the period: every organisation's participants.

The only place of the summary with names. A person found in several organisations (normalised
full name and birth date) keeps a row in each, flagged with the others; nobody is merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from nastavnik_xl.actions.registry import ExcludedPerson, Registry
from nastavnik_xl.actions.summary.duplicates import people_in_several
from nastavnik_xl.actions.summary.model import OrgSummary, Period, RegistryPerson


class Participant(NamedTuple):
    """A registry row of one organisation, with the other organisations the same person is in."""

    org: int  # index into ``ConsolidatedRegistry.orgs``
    person: RegistryPerson
    also_in: tuple[int, ...] = ()


@dataclass(frozen=True)
class Left:
    """Someone active in the period but left out of an organisation's registry (no names)."""

    org: int
    person: ExcludedPerson


@dataclass(frozen=True)
class Repeated:
    """One person (as far as name and birth date tell) in several organisations."""

    full_name: str
    birth_date: object
    places: tuple[tuple[int, str, str], ...]  # (organisation, role, ID there)


@dataclass(frozen=True)
class ConsolidatedRegistry:
    period: Period
    orgs: tuple[Registry, ...]  # each organisation's heading (name, ИНН, municipality; no rows)
    participants: tuple[Participant, ...]
    left: tuple[Left, ...]
    repeated: tuple[Repeated, ...]
    elsewhere: tuple[int, ...]  # per organisation: its people also found in another one


def _heading(org: OrgSummary, period: Period) -> Registry:
    return Registry(quarter=org.registry.label if org.registry else period.label, quarter_title=period.title,
                    period_start=period.first, period_end=period.last, org_name=org.card.org_name or org.card.name,
                    short_name=org.card.short_name, inn=org.card.inn, municipality=org.card.municipality)


def consolidate(orgs: Sequence[OrgSummary], period: Period) -> ConsolidatedRegistry:
    """All registries of the organisations used, in their order; repeated people flagged."""
    several = people_in_several(orgs)
    others: dict[tuple[int, int], tuple[int, ...]] = {}
    repeated = []
    elsewhere = [0] * len(orgs)
    for appearances in several.values():
        where = sorted({o for o, _ in appearances})
        for o in where:
            elsewhere[o] += 1
        for o, j in appearances:
            others[(o, j)] = tuple(x for x in where if x != o)
        people = [orgs[o].registry.rows[j] for o, j in appearances]  # type: ignore[union-attr]
        repeated.append(Repeated(people[0].full_name, people[0].birth_date,
                                 tuple((o, p.role, p.person_id) for (o, _), p in zip(appearances, people))))
    participants = tuple(Participant(i, p, others.get((i, j), ()))
                         for i, org in enumerate(orgs) for j, p in enumerate(org.registry.rows if org.registry else ()))
    left = tuple(Left(i, e) for i, org in enumerate(orgs) for e in (org.registry.excluded if org.registry else ()))
    repeated.sort(key=lambda r: (r.full_name.casefold(), str(r.birth_date)))
    return ConsolidatedRegistry(period, tuple(_heading(o, period) for o in orgs), participants, left,
                                tuple(repeated), tuple(elsewhere))
