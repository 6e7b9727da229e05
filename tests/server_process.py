"""The МНЦ's server as a school meets it: ``nastavnik serve`` in a process of its own on loopback, and
schools pressing buttons against it (the load test and its benchmark share :func:`press_for`).
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CALL = "/xlwings/custom-scripts-call/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def rss_mib(self) -> float:
        """Resident memory of the server's own process (jobs run in short-lived children)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


@contextmanager
def running_server(tokens: Path, log: Path, *options: str) -> Iterator[Server]:
    """``nastavnik serve --tokens TOKENS`` on a free loopback port, until the block ends."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "nastavnik_xl", "serve", "--tokens", str(tokens),
                                    "--port", str(port), *options], stdout=sink, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text(encoding='utf-8')}")
            try:
                if httpx.get(server.url + "/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text(encoding='utf-8')}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def renamed(payload: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The payload of the same book with its organisation's name ``old`` written as ``new``."""
    data = copy.deepcopy(payload)
    for sheet in data["sheets"]:
        sheet["values"] = [[new if v == old else v for v in row] for row in sheet["values"]]
    return data


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def _school(client: httpx.AsyncClient, body: bytes, token: str, script: str, until: float, load: Load) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            reply = await client.post(CALL + script, content=body, headers=headers)
            ok = reply.status_code == 200 and any(a["func"] == "addSheet" for a in reply.json()["actions"])
            if not ok:
                load.failures.append(f"{reply.status_code}: {reply.text[:200]}")
        except httpx.HTTPError as exc:
            load.failures.append(f"{type(exc).__name__}: {exc}")
            continue
        load.latencies.append(time.monotonic() - started)


async def _press(url: str, schools: list[tuple[bytes, str]], script: str, seconds: float) -> Load:
    load = Load(seconds)
    limits = httpx.Limits(max_connections=len(schools))
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(120), limits=limits) as client:
        until = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(*(_school(client, body, token, script, until, load) for body, token in schools))
        load.seconds = time.monotonic() - started
    return load


def press_for(url: str, schools: list[tuple[bytes, str]], seconds: float, script: str = "validate") -> Load:
    """Every school (its book as JSON bytes, its token) presses ``script`` again and again for ``seconds``,
    all at once; a request still running at the end is waited for and counted."""
    return asyncio.run(_press(url, schools, script, seconds))
