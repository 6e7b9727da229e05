"""Subtotals per municipality and the regional total: people are summed, then divided.

A share is never an average of the organisations' percentages: coverage is the covered people of
all organisations over their contingent; the target share is the people the targets ask for over
the contingent of the organisations that have a target; satisfaction is the sum of the scores over
their number. "Short of the target" sums, over the organisations that miss it, the people each one
lacks (an organisation above its target does not make up for another one below).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nastavnik_xl.actions.summary.model import BOOK, EXPORT, GroupYear, OrgSummary
from nastavnik_xl.schema import coverage_groups

SHOWN_GROUPS = ("students", "teachers")  # the coverage the summary shows: pupils and teachers
NO_MUNICIPALITY = "(муниципальное образование не указано)"
REGION = "Итого по региону"


@dataclass
class GroupTotal:
    """One group's coverage summed over organisations (one year)."""

    contingent: int = 0  # organisations with a contingent
    covered: int = 0  # their covered people
    target_contingent: int = 0  # contingent of the organisations with a target
    wanted: int = 0  # people their targets ask for
    short: int = 0  # people missing, summed over the organisations short of their target
    with_target: int = 0  # organisations with a target and a contingent
    missing: int = 0  # of them, those short of it

    def add(self, g: GroupYear) -> None:
        if g.contingent <= 0:
            return
        self.contingent += g.contingent
        self.covered += g.covered
        if g.wanted is not None:
            self.target_contingent += g.contingent
            self.wanted += g.wanted
            self.with_target += 1
            if g.covered < g.wanted:
                self.missing += 1
                self.short += g.wanted - g.covered

    @property
    def share(self) -> float | None:
        return self.covered / self.contingent if self.contingent else None

    @property
    def target(self) -> float | None:
        return self.wanted / self.target_contingent if self.target_contingent else None


@dataclass
class Totals:
    """Figures of a municipality or of the region."""

    name: str
    orgs: int = 0
    books: int = 0
    exports: int = 0
    groups: dict[str, GroupTotal] = field(default_factory=dict)  # the period's year
    contingent: Counter[str] = field(default_factory=Counter)
    mentors: int = 0
    mentees: int = 0
    pairs: int = 0
    pairs_by_form: Counter[str] = field(default_factory=Counter)
    pairs_by_status: Counter[str] = field(default_factory=Counter)
    meetings: int = 0
    roadmap_items: int = 0
    roadmap_done: int = 0
    roadmap_overdue: int = 0
    satisfaction_sum: float = 0.0
    satisfaction_count: int = 0
    with_errors: int = 0  # organisations with errors
    errors: int = 0
    warnings: int = 0
    people_elsewhere: int = 0  # people also found in another organisation

    @property
    def roadmap_share(self) -> float | None:
        return self.roadmap_done / self.roadmap_items if self.roadmap_items else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfaction_sum / self.satisfaction_count if self.satisfaction_count else None

    def group(self, key: str) -> GroupTotal:
        return self.groups.setdefault(key, GroupTotal())

    def add(self, org: OrgSummary, year: int, elsewhere: int = 0) -> None:
        self.orgs += 1
        self.books += org.kind == BOOK
        self.exports += org.kind == EXPORT
        for g in org.coverage:
            if g.year == year:
                self.group(g.group).add(g)
        self.contingent.update({k: v for k, v in org.contingent.items() if v})
        self.mentors += org.mentors or 0
        self.mentees += org.mentees or 0
        self.pairs += org.pairs or 0
        self.pairs_by_form.update(org.pairs_by_form)
        self.pairs_by_status.update(org.pairs_by_status)
        self.meetings += org.meetings or 0
        if org.roadmap:
            self.roadmap_items += org.roadmap.items
            self.roadmap_done += org.roadmap.done
            self.roadmap_overdue += org.roadmap.overdue
        self.satisfaction_sum += org.satisfaction[0]
        self.satisfaction_count += org.satisfaction[1]
        if org.validation:
            self.with_errors += org.validation.errors > 0
            self.errors += org.validation.errors
            self.warnings += org.validation.warnings
        self.people_elsewhere += elsewhere


def municipality(org: OrgSummary) -> str:
    return " ".join(org.card.municipality.split()) or NO_MUNICIPALITY


def totals(name: str, orgs: Iterable[OrgSummary], year: int, elsewhere: dict[str, int]) -> Totals:
    out = Totals(name)
    for g in coverage_groups():
        out.group(g.key)
    for org in orgs:
        out.add(org, year, elsewhere.get(org.source, 0))
    return out


def by_municipality(orgs: Sequence[OrgSummary], year: int, elsewhere: dict[str, int]) -> list[Totals]:
    """A subtotal per municipality, in the order of their names."""
    groups: dict[str, list[OrgSummary]] = {}
    for org in orgs:
        groups.setdefault(municipality(org), []).append(org)
    return [totals(name, groups[name], year, elsewhere) for name in sorted(groups, key=str.casefold)]


@dataclass(frozen=True)
class YearTotal:
    year: int
    group: str
    total: GroupTotal


def by_year(orgs: Iterable[OrgSummary]) -> list[YearTotal]:
    """The region's coverage per year and group (every target year up to the period's)."""
    out: dict[tuple[int, str], GroupTotal] = {}
    for org in orgs:
        for g in org.coverage:
            out.setdefault((g.year, g.group), GroupTotal()).add(g)
    order = [g.key for g in coverage_groups()]
    return [YearTotal(y, k, t) for (y, k), t in sorted(out.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1])))]
