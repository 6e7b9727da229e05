"""Validation speed: the whole ``nastavnik validate`` command on a ~5,000-row book, and the rules
against the reader on the same book (the issue's targets: ≤ 1 s as a command, rules ≤ 0.5× the reader).

    python benchmarks/validate.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.actions.validate import check_rules
from nastavnik_xl.book.reader import read_book

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import best_of as best  # noqa: E402  the benchmarks' one timer

TODAY = dt.date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        region = generate_region(Path(tmp), schools=12, seed=1, today=TODAY)
        book = max(region.books, key=lambda p: sum(len(t.rows) for t in read_book(p).tables.values()))
        parsed = read_book(book)
        rows = sum(len(t.rows) for t in parsed.tables.values())
        reader = best(args.repeat, lambda: read_book(book))
        rules = best(args.repeat, lambda: check_rules(parsed, TODAY))
        command = best(args.repeat, lambda: subprocess.run(
            [sys.executable, "-m", "nastavnik_xl", "validate", str(book), "--date", "30.11.2026", "--format", "json"],
            capture_output=True, check=False))
        startup = best(args.repeat, lambda: subprocess.run([sys.executable, "-m", "nastavnik_xl", "--version"],
                                                            capture_output=True, check=False))
    print(f"| Validate a {rows:,}-row demo book | reader {reader:.2f} s | rules {rules:.2f} s | {rules / reader:.2f}× |")
    print(f"| `nastavnik validate` as a whole command (start-up {startup:.2f} s included) | — | {command:.2f} s | — |")


if __name__ == "__main__":
    main()
