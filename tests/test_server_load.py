"""The МНЦ's server under the issue's load, bounded in time: 20 schools, each with its own token and a
~2,000-row book, press «Проверить» at once for 30 s (benchmarks/server_load.py, which also reports the
figures for the README). No request may fail, and the server's memory stays flat: every job runs in a
short-lived process of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from server_load import run_load  # noqa: E402

MEMORY_SLACK_MIB = 64  # the server process's own growth over the run (JSON bodies, allocator), not per request


def test_twenty_schools_for_thirty_seconds(tmp_path: Path) -> None:
    result = run_load(tmp_path, schools=20, seconds=30)
    print(result.row(20, "one per core"))
    assert result.load.failures == []
    assert result.load.requests >= 20  # every school got at least one answer
    assert result.rss_end - result.rss_start < MEMORY_SLACK_MIB, (result.rss_start, result.rss_end)
