"""Locate the data folders shipped with the package (templates/, workbook/, macros/).

In a wheel they are installed inside the package (``nastavnik_xl/_data/...``); in a source
checkout or an editable install they sit at the repository root.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (e.g. "templates") whichever way the package is installed."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} not found next to {_PACKAGE_DIR}")


@cache
def load_toml(name: str) -> dict[str, Any]:
    """Load ``templates/<name>.toml``."""
    with (data_dir("templates") / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)
