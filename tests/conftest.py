"""Shared fixtures; tests import helpers from this folder (books.py, calc_engine.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calc_engine import require_libreoffice


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary; skips locally and fails on CI (CI=true) when it is missing."""
    return require_libreoffice()


DEMO_TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo school book of about 5,000 data rows (seed 3), with the typical mistakes of curators: the book
    the Excel-layer, server and xlwings Lite tests press buttons on. Tests must not change it."""
    from nastavnik_xl.actions.demo_run import run_demo

    folder = tmp_path_factory.mktemp("demo")
    result = run_demo(folder, schools=1, seed=3, today=DEMO_TODAY)
    return folder / result.books[0].file_name
