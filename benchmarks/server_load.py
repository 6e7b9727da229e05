"""The МНЦ's server under load: 20 schools press «Проверить» at once, again and again, for 30 s.

    python benchmarks/server_load.py [--schools 20] [--seconds 30] [--workers N]

Each school has its own token and its own ~2,000-row book (the demo's third school, 1,882 data rows,
renamed per school), sent as xlwings' VBA client sends it. The server (``nastavnik serve``) runs in its
own process on loopback; the client shares the machine's cores with it. Reported: requests per second,
the median and 95th-percentile latency, failed requests, and the server process's memory after a
warm-up and at the end. tests/test_server_load.py runs the same and asserts no failure and flat memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from excel_payload import payload
from server_process import Load, press_for, renamed, running_server

from nastavnik_xl.actions.demo import generate_region
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.server.tokens import TokenFile

TODAY = dt.date(2026, 11, 30)


@dataclass
class Result:
    rows: int
    load: Load
    rss_start: float
    rss_end: float
    in_process: float = 0.0  # seconds of the same action run in this process (no HTTP, no process start)
    workers: int = 1

    def row(self, schools: int, workers: str) -> str:
        load = self.load
        ceiling = self.workers / self.in_process if self.in_process else float("nan")
        return (f"| Server: {schools} schools press «Проверить» at once for {load.seconds:.0f} s "
                f"({self.rows:,}-row books, {workers} workers): {len(load.failures)} failed, median "
                f"{load.percentile(50):.2f} s, p95 {load.percentile(95):.2f} s, server memory "
                f"{self.rss_start:.0f} → {self.rss_end:.0f} MiB. Baseline: the action in one process "
                f"({self.in_process:.2f} s each) on every worker, no HTTP | {ceiling:.1f} requests/s | "
                f"{load.per_second:.1f} requests/s | {load.per_second / ceiling:.2f}× |")


def in_process_seconds(data: dict, repeat: int = 3) -> float:
    """The validate action on the remote engine's book in this process: what a request costs at least."""
    import copy
    import os

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    from nastavnik_xl.excel import dispatch
    from nastavnik_xl.excel.route import Route, route

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import best_of

    def once() -> None:
        with route(Route(files=False)):
            assert dispatch.run_action("validate", xw.Book(json=copy.deepcopy(data)))

    return best_of(repeat, once)


def school_book(folder: Path) -> Path:
    """The demo's third school (1,882 data rows on seed 1): the size of the issue's «2,000-row book»."""
    region = generate_region(folder, schools=3, seed=1, today=TODAY)
    return region.books[2]


def run_load(folder: Path, schools: int = 20, seconds: float = 30, workers: int | None = None) -> Result:
    book = school_book(folder)
    parsed = read_book(book)
    assert parsed.organisation is not None
    card = parsed.organisation.card
    rows = sum(len(t.rows) for t in parsed.tables.values())
    base = payload(book)
    tokens = TokenFile.open(folder / "tokens.json")
    bodies = []
    for n in range(1, schools + 1):
        name = f"МБОУ «Школа № {n}»"
        data = renamed(renamed(base, str(card["org_name"]), name), str(card.get("short_name") or ""), f"Школа {n}")
        bodies.append((json.dumps(data).encode(), tokens.add(name).token))
    options = ["--workers", str(workers)] if workers else []
    with running_server(folder / "tokens.json", folder / "serve.log", *options) as server:
        press_for(server.url, bodies, 3)  # warm-up: the forkserver and the first jobs
        rss_start = server.rss_mib()
        load = press_for(server.url, bodies, seconds)
        rss_end = server.rss_mib()
    return Result(rows, load, rss_start, rss_end, in_process_seconds(base), workers or os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_load(Path(tmp), args.schools, args.seconds, args.workers)
    print(result.row(args.schools, str(args.workers or "one per core")))
    for failure in result.load.failures[:5]:
        print("failed:", failure)


if __name__ == "__main__":
    main()
