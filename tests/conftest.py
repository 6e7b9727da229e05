"""Shared fixtures; tests import helpers from this folder (books.py, calc_engine.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calc_engine import require_libreoffice


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary; skips locally and fails on CI (CI=true) when it is missing."""
    return require_libreoffice()
