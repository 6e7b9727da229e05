"""Writing a file of our own (a registry, a summary) next to the curator's books: atomically, never over
a file open in Excel or LibreOffice, keeping the permissions of the file it replaces."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from nastavnik_xl.findings import BookError


def check_not_open(path: Path) -> None:
    for lock, app in ((path.with_name("~$" + path.name), "Excel"),
                      (path.with_name(f".~lock.{path.name}#"), "LibreOffice")):
        if lock.exists():
            raise BookError(f"Файл «{path.name}» открыт в {app}: закройте его и повторите. Если {app} уже закрыт, "
                            f"удалите служебный файл «{lock.name}» из той же папки.", path=str(path),
                            code="book-locked")


def new_file_mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, render: Callable[[str], None]) -> Path:
    """``render(temporary file name)`` writes the file; it then replaces ``path`` in one step."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BookError(f"Папки «{path.parent}» нет: укажите существующую папку для файла «{path.name}».",
                        path=str(path), code="not-writable")
    check_not_open(path)
    mode = new_file_mode(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~nastavnik-", suffix=path.suffix or ".xlsx", dir=path.parent)
    except OSError as exc:
        raise BookError(f"Нет прав на запись в папку «{path.parent}»: укажите другую папку для файла.",
                        path=str(path), code="not-writable") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        render(tmp_name)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except PermissionError as exc:
        raise BookError(f"Не удалось сохранить «{path.name}»: файл открыт в другой программе или доступен только "
                        "для чтения. Закройте его и повторите.", path=str(path), code="book-locked") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path
