"""Benchmarks: one command, a table of ratios against a baseline measured in the same run.

    python benchmarks/run.py [--schools 24] [--repeat 3] [--demo-schools 12] [--demo-repeat 1]

Reader: ``read_book`` (every sheet typed and checked) against the bare python-calamine parse
of the same files (open + every sheet to Python lists), which is the floor any reader here
stands on.

Demo: ``run_demo`` as `nastavnik demo` runs it (build the books and the empty template, read every
book back; imports and printing left out) against the same call the way it ran before issue 18:
XlsxWriter's stock worksheet, which re-prepares every formula for every cell, and one process. Both
write byte-identical books (checked here), so the ratio is the price of nothing but the speed-up.
The baseline takes over a minute, hence its own ``--demo-repeat``.

Timings are the best of the repeats; the ratio is what to watch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import python_calamine
from xlsxwriter.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.demo.manifest import worker_count
from nastavnik_xl.actions.demo_run import run_demo
from nastavnik_xl.book import builder
from nastavnik_xl.book.reader import read_book

TODAY = dt.date(2026, 11, 23)


def bare_calamine(paths: list[Path]) -> int:
    cells = 0
    for path in paths:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python()
            cells += sum(len(r) for r in rows)
        wb.close()
    return cells


def our_reader(paths: list[Path]) -> int:
    return sum(sum(len(t.rows) for t in read_book(p).tables.values()) for p in paths)


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


@contextmanager
def stock_worksheets() -> Iterator[None]:
    """Build books with XlsxWriter's own worksheet class (formulas prepared per cell), as before issue 18."""
    ours = builder.BookWorkbook.worksheet_class
    builder.BookWorkbook.worksheet_class = Worksheet
    try:
        yield
    finally:
        builder.BookWorkbook.worksheet_class = ours


def demo_ours(out: Path, schools: int) -> None:
    run_demo(out, schools=schools, today=TODAY)


def demo_before(out: Path, schools: int) -> None:
    with stock_worksheets():
        run_demo(out, schools=schools, today=TODAY, workers=1)


def same_files(a: Path, b: Path) -> bool:
    files = sorted(p.name for p in a.iterdir())
    return files == sorted(p.name for p in b.iterdir()) and all(
        (a / name).read_bytes() == (b / name).read_bytes() for name in files)


def reader_row(schools: int, repeat: int, tmp: Path) -> str:
    region = generate_region(tmp / "reader", schools=schools, seed=7, today=TODAY)
    paths = list(region.books)
    rows = our_reader(paths)
    base = best_of(repeat, lambda: bare_calamine(paths))
    ours = best_of(repeat, lambda: our_reader(paths))
    return (f"| Read {len(paths)} demo school books ({rows} data rows): `read_book` vs bare calamine parse "
            f"| {base:.2f} s | {ours:.2f} s | {ours / base:.2f}× |")


def demo_row(schools: int, repeat: int, tmp: Path) -> str:
    before, ours = tmp / "demo-before", tmp / "demo-ours"
    base = best_of(repeat, lambda: demo_before(before, schools))
    fast = best_of(repeat, lambda: demo_ours(ours, schools))
    if not same_files(before, ours):
        raise SystemExit("the demo's books differ between the baseline and ours: the benchmark is void")
    shutil.rmtree(before)
    cores = worker_count(schools)
    return (f"| `nastavnik demo` ({schools} schools: build, template, read back): stock XlsxWriter "
            f"(every formula prepared per cell), 1 process vs formulas prepared once, {cores} processes "
            f"| {base:.1f} s | {fast:.1f} s | {fast / base:.2f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demo-schools", type=int, default=12)
    parser.add_argument("--demo-repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [reader_row(args.schools, args.repeat, Path(tmp)),
                demo_row(args.demo_schools, args.demo_repeat, Path(tmp))]
    print("| Benchmark | Baseline | Ours | Ratio |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
