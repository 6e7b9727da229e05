"""Running jobs in processes of their own, a few at a time, each within a time limit.

Every job runs in a fresh process forked from a server process that has the package already imported
(multiprocessing's «forkserver» with the job module preloaded), so starting one costs milliseconds, a job
past its time limit is killed without touching the others, and whatever a job allocated is returned to
the system when it ends: the server's memory stays flat however many books it processes. At most
``workers`` jobs run at once (by default one per core); the others wait their turn.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
from multiprocessing.connection import Connection
from typing import Any

import anyio.to_thread

from nastavnik_xl.server.jobs import Job, Reply, run_job

_CONTEXT = mp.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["nastavnik_xl.server.jobs"])


def _child(send: Connection, job: Job) -> None:
    try:
        send.send(run_job(job))
    finally:
        send.close()


class JobRunner:
    def __init__(self, workers: int | None = None, time_limit: float = 120.0) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.time_limit = time_limit
        self._slots: asyncio.Semaphore | None = None

    async def run(self, job: Job) -> Reply:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            return await anyio.to_thread.run_sync(self.run_now, job)

    def run_now(self, job: Job) -> Reply:
        """Run ``job`` in a new process and wait for its reply at most ``time_limit`` seconds."""
        receive, send = _CONTEXT.Pipe(duplex=False)
        process: Any = _CONTEXT.Process(target=_child, args=(send, job), daemon=True)
        process.start()
        send.close()
        try:
            if not receive.poll(self.time_limit):
                process.kill()
                return Reply.text(504, f"Действие «{job.name}» не уложилось в {self.time_limit:g} с и остановлено. "
                                       "Книга слишком велика для сервера или сервер перегружен: повторите позже "
                                       "или сообщите в МНЦ.")
            return receive.recv()
        except (EOFError, OSError):
            return Reply.text(500, f"Обработка действия «{job.name}» прервалась на сервере (код "
                                   f"{process.exitcode}). Повторите; если повторится — сообщите в МНЦ.")
        finally:
            receive.close()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
