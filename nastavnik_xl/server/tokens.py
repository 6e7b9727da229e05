"""The МНЦ's tokens file: which school's book a token opens the server to.

The file is JSON, one entry per token: ``{"tokens": {"<token>": {"organisation": "<ОО>", "created":
"<ISO date>"}}}``. The server reads it again when it changes, so ``nastavnik serve --new-token`` works
while a server runs. Tokens are random (``secrets``), compared in constant time, and the file is
written atomically and readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from nastavnik_xl.findings import BookError

TOKEN_BYTES = 24  # 32 characters of URL-safe text


def organisation_key(name: str) -> str:
    """An organisation's name for comparison: case, ё/е, quotes, spaces and punctuation do not matter
    («МБОУ "СОШ № 5"» is «мбоу сош №5»)."""
    text = name.casefold().replace("ё", "е")
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class Token:
    token: str
    organisation: str
    created: str


class TokenFile:
    """The tokens of one file, reloaded when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._tokens: dict[str, Token] = {}

    @classmethod
    def open(cls, path: Path) -> TokenFile:
        """The tokens file at ``path``; an empty one is created when there is none."""
        path = Path(path)
        if not path.exists():
            if not path.parent.is_dir():
                raise BookError(f"Папки «{path.parent}» для файла токенов нет. Создайте её или укажите другой "
                                "путь в --tokens.", code="no-folder")
            _write(path, {})
        tokens = cls(path)
        tokens.all()  # a damaged file is an error now, not at the first request
        return tokens

    def all(self) -> dict[str, Token]:
        with self._lock:
            try:
                st = self.path.stat()
            except OSError as exc:
                raise BookError(f"Файл токенов «{self.path}» недоступен: {exc.strerror}.", code="unreadable") from None
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._tokens = _read(self.path)
                self._stamp = stamp
            return dict(self._tokens)

    def organisation_of(self, token: str) -> str | None:
        """The organisation a token belongs to, or None for an unknown token."""
        found = None
        for known, entry in self.all().items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = entry.organisation
        return found

    def add(self, organisation: str, today: dt.date | None = None) -> Token:
        """A new token for ``organisation``, written to the file."""
        organisation = " ".join(organisation.split())
        if not organisation_key(organisation):
            raise BookError("Укажите наименование организации, для которой нужен токен, например "
                            "--new-token \"МБОУ СОШ № 5\".", code="usage")
        with self._lock:
            tokens = _read(self.path) if self.path.exists() else {}
            entry = Token(secrets.token_urlsafe(TOKEN_BYTES), organisation, (today or dt.date.today()).isoformat())
            tokens[entry.token] = entry
            _write(self.path, tokens)
            self._stamp = None
        return entry


def _read(path: Path) -> dict[str, Token]:
    problem = (f"Файл токенов «{path}» повреждён. Ожидается JSON вида "
               "{\"tokens\": {\"<токен>\": {\"organisation\": \"<ОО>\"}}}; исправьте его или удалите — "
               "тогда сервер создаст пустой, а токены школ придётся выдать заново.")
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BookError(problem, code="unreadable") from None
    entries = data.get("tokens", {}) if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise BookError(problem, code="unreadable")
    tokens = {}
    for token, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("organisation"), str) or not token:
            raise BookError(problem, code="unreadable")
        tokens[token] = Token(token, entry["organisation"], str(entry.get("created", "")))
    return tokens


def _write(path: Path, tokens: dict[str, Token]) -> None:
    data = {"tokens": {t.token: {"organisation": t.organisation, "created": t.created} for t in tokens.values()}}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~nastavnik-", suffix=".json", dir=path.parent)  # mode 0600
    except OSError:
        raise BookError(f"Нет прав на запись в папку «{path.parent}»: укажите другой путь в --tokens.",
                        code="not-writable") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
