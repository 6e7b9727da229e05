"""The whole region: each book drawn, spoiled and written, its summary, and ``manifest.json`` beside the books."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker

from nastavnik_xl.actions.demo.mistakes import MISTAKE_KINDS, plant_mistakes
from nastavnik_xl.actions.demo.planter import Mistake
from nastavnik_xl.actions.demo.region import RegionPlan, SchoolProfile, region_plan
from nastavnik_xl.actions.demo.school import school_content
from nastavnik_xl.actions.template import finish_content
from nastavnik_xl.book.builder import build_book
from nastavnik_xl.schema import coverage_groups, sheet

DEFAULT_MISTAKE_RATE = 0.025
MANIFEST_NAME = "manifest.json"


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
