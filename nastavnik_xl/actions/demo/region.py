"""The region: organisation types, the municipality's plan of organisations, and their names."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from nastavnik_xl.actions.demo.common import pick
from nastavnik_xl.actions.demo.forms import EMPLOYER_PUPIL, EMPLOYER_STUDENT, PEER, STUDENT_PUPIL
from nastavnik_xl.actions.demo.words import adjective_forms, translit, words

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
        return f"school-{self.index:02d}-{self.slug}.xlsm"  # with the buttons, as a curator downloads it


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
