"""The link of a curator's book to the МНЦ's server: for schools without Python on their computers.

A book built with a :class:`ServerLink` (.xlsm only) carries xlwings' server modules in its VBA project and,
on its sheet «xlwings.conf», the server's address (``NASTAVNIK_SERVER``) and the school's token (``AUTH``,
sent as the Authorization header). Its buttons then run their actions on the server instead of the local
Python (``macros/Nastavnik.bas``). This module imports neither xlwings nor the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from nastavnik_xl.findings import BookError

SERVER_SETTING = "NASTAVNIK_SERVER"  # the dispatcher reads it from the sheet «xlwings.conf»
AUTH_SETTING = "AUTH"  # xlwings' RunRemotePython sends it as the Authorization header
_VISIBLE_ASCII = re.compile(r"[!-~]+")  # what an HTTP header value and a URL may hold without encoding


@dataclass(frozen=True)
class ServerLink:
    """The МНЦ's server a book's buttons call: its address (``http://`` or ``https://``, an optional path
    prefix, a trailing slash does not matter) and the token the МНЦ gave the school.

    Both are checked when the link is made: a wrong one is a Russian :class:`BookError` (code «usage»).
    """

    url: str
    token: str

    def __post_init__(self) -> None:
        _check_url(self.url)
        _check_token(self.token)

    @property
    def base_url(self) -> str:
        """The address without trailing slashes: the dispatcher appends «/xlwings/custom-scripts-call/…»."""
        return self.url.rstrip("/")

    @property
    def authorization(self) -> str:
        """The value of the Authorization header (the setting AUTH)."""
        return f"Bearer {self.token}"


def _check_url(url: str) -> None:
    problem = (f"Адрес сервера МНЦ «{url}» не подходит: нужен адрес вида https://nastavnik.example.ru "
               "(начинается с http:// или https://, без пробелов, без «?» и «#»; домен .рф — в виде xn--…).")
    if not isinstance(url, str) or not _VISIBLE_ASCII.fullmatch(url):
        raise BookError(problem, code="usage")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — a port that is not a number raises here
    except ValueError:
        raise BookError(problem, code="usage") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or "?" in url or "#" in url or not url.lower().startswith(("http://", "https://")):
        raise BookError(problem, code="usage")


def _check_token(token: str) -> None:
    if not isinstance(token, str) or not token:
        raise BookError("Укажите токен школы, выданный МНЦ: без него сервер не примет книгу.", code="usage")
    if not _VISIBLE_ASCII.fullmatch(token):
        raise BookError("Токен школы — строка без пробелов из латинских букв, цифр и знаков, как её выдал МНЦ "
                        "(слово «Bearer» добавлять не нужно).", code="usage")
