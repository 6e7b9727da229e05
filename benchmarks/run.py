"""Benchmarks: one command, a table of ratios against a baseline measured in the same run.

    python benchmarks/run.py [--schools 24] [--repeat 3]

Reader: ``read_book`` (every sheet typed and checked) against the bare python-calamine parse
of the same files (open + every sheet to Python lists), which is the floor any reader here
stands on. Timings are the best of ``--repeat`` runs; the ratio is what to watch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import python_calamine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nastavnik_xl.actions.demo import generate_region  # noqa: E402
from nastavnik_xl.book.reader import read_book  # noqa: E402


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


def best_of(repeat: int, func: Callable[[list[Path]], int], paths: list[Path]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(paths)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        region = generate_region(Path(tmp), schools=args.schools, seed=7, today=dt.date(2026, 11, 23))
        paths = list(region.books)
        rows = our_reader(paths)
        base = best_of(args.repeat, bare_calamine, paths)
        ours = best_of(args.repeat, our_reader, paths)
    print("| Benchmark | Baseline | Ours | Ratio |")
    print("|---|---|---|---|")
    print(f"| Read {len(paths)} demo school books ({rows} data rows): `read_book` vs bare calamine parse "
          f"| {base:.2f} s | {ours:.2f} s | {ours / base:.2f}× |")


if __name__ == "__main__":
    main()
