"""Which files a command takes from the paths it was given: books named, and books inside folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _skipped(path: Path, root: Path) -> bool:
    """Excel's lock files (``~$…``), hidden files and anything inside hidden folders."""
    parts = path.relative_to(root).parts
    return path.name.startswith("~$") or any(p.startswith(".") for p in parts)


def book_files(paths: Iterable[Path]) -> list[Path]:
    """A file named is always taken (the reader says if it is no book); folders are searched
    recursively for spreadsheet files, in a stable order; duplicates are dropped."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        try:
            is_dir = path.is_dir()
        except OSError:
            is_dir = False  # a symlink loop, a path too long: the reader says what it is
        if is_dir:
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in BOOK_SUFFIXES
                           and not _skipped(p, path))
        else:
            found = [path]
        for p in found:
            try:
                key = p.resolve()
            except (OSError, RuntimeError):
                key = p.absolute()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out
