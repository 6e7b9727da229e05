"""`nastavnik demo`: write the demo municipality, then run every action that exists over it.

Both steps use every core: books are built and then read back in worker processes (see
``demo.manifest.in_processes``); the files and the summary are the same as from one process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from nastavnik_xl.actions.coverage import book_targets, coverage
from nastavnik_xl.actions.demo import DEFAULT_MISTAKE_RATE, generate_region
from nastavnik_xl.actions.demo.manifest import in_processes
from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.reader import read_book

Progress = Callable[[int, int, str], None]


class DemoBook(BaseModel):
    file_name: str
    organisation: str
    mentors: int
    mentees: int
    pairs: int
    reporting_year: int | None
    students_pct: float | None
    students_target: float | None
    findings: int


class DemoRun(BaseModel):
    directory: str
    municipality: str
    seed: int
    manifest: str
    planted: int
    template: str
    books: list[DemoBook]


def summarise_book(path: Path) -> DemoBook:
    """Read one book back and compute what the existing actions give for it."""
    book = read_book(path)
    org = book.organisation
    assert org is not None
    year = org.reporting_year
    rows = {k: t.rows for k, t in book.tables.items()}
    targets = book_targets(rows.get("targets", []))
    students = None
    if year is not None:
        students = next((r for r in coverage(rows["mentees"], rows["pairs"], org.contingent.rows,
                                             targets or None, years=[year], horizon=year)
                         if r.group == "students"), None)
    return DemoBook(
        file_name=path.name,
        organisation=org.name,
        mentors=sum(1 for r in rows["mentors"] if r.get("mentor_id")),  # as «Панель» counts: rows with an ID
        mentees=sum(1 for r in rows["mentees"] if r.get("mentee_id")),
        pairs=len({p["pair_id"] for p in rows["pairs"] if p.get("pair_id")}),
        reporting_year=year,
        students_pct=students.actual_pct if students else None,
        students_target=students.target if students else None,
        findings=len(book.all_findings()),
    )


def run_demo(directory: Path, schools: int = 12, seed: int = 1, mistake_rate: float | None = None,
             today: dt.date | None = None, progress: Progress | None = None, workers: int | None = None) -> DemoRun:
    """Generate the region (``workers`` processes; default one per core), the empty template, and read every book."""
    today = today or dt.date.today()
    region = generate_region(directory, schools=schools, seed=seed,
                             mistake_rate=DEFAULT_MISTAKE_RATE if mistake_rate is None else mistake_rate,
                             today=today, workers=workers)
    template = new_book(directory / "шаблон-книги-куратора.xlsx", today=today)
    books = []
    for i, (path, book) in enumerate(zip(region.books, in_processes(summarise_book, region.books, workers)), start=1):
        if progress:
            progress(i, len(region.books), path.name)
        books.append(book)
    return DemoRun(directory=str(directory), municipality=region.municipality, seed=seed,
                   manifest=str(region.manifest), planted=len(region.mistakes), template=str(template),
                   books=books)
