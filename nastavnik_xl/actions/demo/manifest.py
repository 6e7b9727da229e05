"""The whole region: each book drawn, spoiled and written, its summary, and ``manifest.json`` beside the books.

Books are independent (each school has its own random stream and re-seeds Faker), so they are built in
worker processes, one per core; the results come back in the plan's order, and a book's bytes do not
depend on which process built it or when.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

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

T = TypeVar("T")
R = TypeVar("R")


def worker_count(tasks: int, workers: int | None = None) -> int:
    """Processes to use: ``workers`` if given, else one per core this process may run on; at most ``tasks``."""
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(workers, tasks))


def in_processes(func: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> Iterator[R]:
    """``func(x)`` for each of ``items``, spread over worker processes; yielded in the order of ``items``.

    One worker (or one item) runs in this process. Workers start from a fresh interpreter (forkserver where
    the system has it, else spawn), never by forking this one: a forked copy of a process with threads (the
    CLI's progress bar) can hang on a lock held at the moment of the fork. So ``func`` must be importable,
    and a script calling this needs the usual ``if __name__ == "__main__":`` guard, as on Windows.
    """
    count = worker_count(len(items), workers)
    if count == 1:
        yield from map(func, items)
        return
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([func.__module__])  # imported once, not once a worker
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        yield from pool.map(func, items)


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


@cache
def _faker() -> Faker:
    return Faker("ru_RU")  # one a process; every school re-seeds it before drawing


def _school_job(job: tuple[SchoolProfile, dt.date, float, Path]) -> tuple[Path, list[Mistake], SchoolSummary]:
    profile, today, mistake_rate, out_dir = job
    return school_book(profile, _faker(), today, mistake_rate, out_dir)


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
                    today: dt.date | None = None, workers: int | None = None) -> DemoRegion:
    """Write a municipality's books and ``manifest.json`` into ``out_dir``; deterministic for the arguments.

    ``workers``: processes building books (default: one per core; 1 builds them here). The files are the
    same whatever it is.
    """
    today = today or dt.date.today()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = region_plan(schools, seed)
    jobs = [(profile, today, mistake_rate, out_dir) for profile in plan.schools]
    books: list[Path] = []
    mistakes: list[Mistake] = []
    summaries: list[SchoolSummary] = []
    for path, planted, summary in in_processes(_school_job, jobs, workers):
        books.append(path)
        mistakes.extend(planted)
        summaries.append(summary)
    manifest = out_dir / MANIFEST_NAME
    text = json.dumps(manifest_data(plan, today, mistake_rate, summaries, mistakes), ensure_ascii=False, indent=2)
    tmp = manifest.with_name(f".~{MANIFEST_NAME}")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(manifest)
    return DemoRegion(out_dir, plan.municipality, seed, today, books, manifest, mistakes, summaries)
