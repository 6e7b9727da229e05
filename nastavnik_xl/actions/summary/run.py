"""Many books → the municipal and regional summary (`nastavnik summary`).

Each file is reduced to a small :class:`OrgSummary` by ``collect`` in a worker process (or on a
Dask cluster with ``cluster``); the client only reduces those: it sets aside exports of another
period and duplicate organisations, sums people per municipality and region, and consolidates the
registries. One bad book never stops the batch: a book the reader refuses is listed with its
Russian reason, and a worker that dies on a file (a native library aborting on a hostile file) is
replaced — the file it was reading is found by running the suspects one by one, and listed.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nastavnik_xl.actions.registry import Quarter, parse_quarter
from nastavnik_xl.actions.summary.collect import collect, modified_at, no_cycle_collector
from nastavnik_xl.actions.summary.duplicates import one_per_organisation, other_period
from nastavnik_xl.actions.summary.model import (
    OrgSummary,
    Period,
    SetAside,
    Unreadable,
    month_period,
    quarter_period,
)
from nastavnik_xl.actions.summary.reduce import (
    REGION,
    Totals,
    YearTotal,
    by_municipality,
    by_year,
    municipality,
    totals,
)
from nastavnik_xl.actions.summary.registry import ConsolidatedRegistry, consolidate
from nastavnik_xl.book.files import book_files
from nastavnik_xl.findings import BookError

Progress = Callable[[int, int, str], None]  # (done, total, file name)
Job = Callable[[str], OrgSummary | Unreadable]
CRASHED = ("Программа чтения аварийно завершилась на этом файле. Так бывает с повреждёнными книгами и с книгами, "
           "где ячейка заполнена далеко от таблицы: откройте книгу в Excel, нажмите Ctrl+End на каждом листе, "
           "удалите лишние строки и столбцы и сохраните книгу заново.")
CLUSTER_FAILED = "Книга не обработана на кластере Dask ({error}). Проверьте, что узлы кластера видят этот файл."
CONNECT_TIMEOUT = "20s"  # to reach the Dask scheduler
_NOT_STARTED, _STARTED, _FINISHED = 0, 1, 2


@dataclass
class Summary:
    """The summary of a period: organisations used, subtotals, the region, what was left out and why."""

    period: Period
    files: int
    orgs: list[OrgSummary]  # used: one source per organisation, by municipality and name
    municipalities: list[Totals]
    region: Totals
    years: list[YearTotal]  # the region's coverage by year
    unreadable: list[Unreadable]
    set_aside: list[SetAside]
    registry: ConsolidatedRegistry | None  # names: only for the consolidated registry file
    validated: bool  # validation rules run on every book (else: the reader's findings on the columns read)

    @property
    def errors(self) -> int:
        """Organisations whose books have errors."""
        return sum(1 for o in self.orgs if o.validation and o.validation.errors)

    @property
    def exit_code(self) -> int:
        """1 when a book could not be read or has errors (the CLI's «data has findings»), else 0."""
        return 1 if self.unreadable or self.errors else 0

    def elsewhere(self, index: int) -> int:
        return self.registry.elsewhere[index] if self.registry else 0

    def as_json(self) -> dict[str, Any]:
        """Aggregates only, for ``--format json``. Not ``dataclasses.asdict``: that would carry the registry's
        names (in every organisation) and turn the Counters of the totals into nonsense."""
        from nastavnik_xl.actions.summary.report import summary_json

        return summary_json(self)


def resolve_period(period: str | Quarter | Period | None = None, date: dt.date | None = None) -> Period:
    """``--period 2024Q3`` (a quarter) or ``--date D`` (the month containing D, as of D); default: today."""
    if period is not None and date is not None:
        raise BookError("Укажите либо квартал (--period), либо дату (--date), но не оба сразу.", code="usage")
    if isinstance(period, Period):
        return period
    if isinstance(period, Quarter):
        return quarter_period(period)
    if period is not None:
        return quarter_period(parse_quarter(period))
    return month_period(date or dt.date.today())


# --- mapping the per-book step -------------------------------------------------------------------

_state: Any = None  # in a worker: the shared array of file states


def _init_worker(state: Any) -> None:
    global _state
    _state = state


def _tracked(job: Job, index: int, path: str) -> OrgSummary | Unreadable:
    _state[index] = _STARTED
    result = job(path)
    _state[index] = _FINISHED
    return result


def _context() -> Any:
    """Fresh worker processes forked from a clean server where possible (the CLI runs a progress thread)."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["nastavnik_xl.actions.summary.collect"])
        return ctx
    return multiprocessing.get_context("spawn")


def _alone(job: Job, path: Path, ctx: Any) -> OrgSummary | Unreadable:
    """Run one file in a process of its own: an Unreadable if that process dies too."""
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        try:
            return pool.submit(job, str(path)).result()
        except BrokenProcessPool:
            return Unreadable(str(path), modified_at(path), "crashed", CRASHED)


def _started(pool: ProcessPoolExecutor) -> None:
    """Workers that cannot even start (no importable ``__main__``, no memory) are the program's fault."""
    try:
        pool.submit(os.getpid).result()
    except BrokenProcessPool as exc:
        raise RuntimeError("рабочие процессы сводки не запускаются") from exc


def _map_local(files: Sequence[Path], job: Job, jobs: int, report: Callable[[int], None]
               ) -> list[OrgSummary | Unreadable]:
    ctx = _context()
    results: list[OrgSummary | Unreadable | None] = [None] * len(files)
    todo = list(range(len(files)))
    while todo:
        state = ctx.Array("b", len(files), lock=False)
        with ProcessPoolExecutor(min(jobs, len(todo)), mp_context=ctx, initializer=_init_worker,
                                 initargs=(state,)) as pool:
            _started(pool)
            futures = {}
            for i in todo:
                try:
                    futures[pool.submit(_tracked, job, i, str(files[i]))] = i
                except BrokenProcessPool:
                    break  # a worker died already: the rest waits for the next round
            with no_cycle_collector():  # thousands of small results arrive: nothing cyclic to collect
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except BrokenProcessPool:
                        continue
                    report(i)
        left = [i for i in todo if results[i] is None]
        suspects = [i for i in left if state[i] == _STARTED] or left[:1]
        for i in suspects:  # the file a worker died on is among those being read at that moment
            results[i] = _alone(job, files[i], ctx)
            report(i)
        todo = [i for i in left if results[i] is None]
    return results  # type: ignore[return-value]


def _map_dask(files: Sequence[Path], job: Job, address: str, report: Callable[[int], None]
              ) -> list[OrgSummary | Unreadable]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise BookError("Для --cluster нужен пакет dask.distributed: установите его командой "
                        "pip install \"nastavnik-xl[cluster]\".", code="usage") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BookError(f"Не удалось подключиться к кластеру Dask «{address}». Проверьте адрес планировщика "
                        f"(например, tcp://10.0.0.5:8786) и что кластер запущен. Техническая причина: {exc}.",
                        code="cluster") from None
    results: list[OrgSummary | Unreadable | None] = [None] * len(files)
    with client:
        futures = client.map(job, [str(f.absolute()) for f in files], pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            i = index[future.key]
            try:
                results[i] = future.result()
            except Exception as exc:  # noqa: BLE001 — a lost worker or a file its node cannot see
                results[i] = Unreadable(str(files[i]), modified_at(files[i]), "cluster",
                                        CLUSTER_FAILED.format(error=f"{type(exc).__name__}: {exc}"))
            report(i)
    return results  # type: ignore[return-value]


# --- the whole summary --------------------------------------------------------------------------


def reduce_summary(results: Iterable[OrgSummary | Unreadable], period: Period, files: int, validated: bool,
                   registry: bool = True) -> Summary:
    """Everything the client does once the books are reduced."""
    results = list(results)
    orgs = [r for r in results if isinstance(r, OrgSummary)]
    unreadable = [r for r in results if isinstance(r, Unreadable)]
    orgs, other = other_period(orgs, period)
    orgs, duplicates = one_per_organisation(orgs)
    orgs.sort(key=lambda o: (municipality(o).casefold(), o.card.name.casefold(), o.source))
    consolidated = consolidate(orgs, period) if registry else None
    elsewhere = {o.source: consolidated.elsewhere[i] for i, o in enumerate(orgs)} if consolidated else {}
    return Summary(
        period=period, files=files, orgs=orgs,
        municipalities=by_municipality(orgs, period.year, elsewhere),
        region=totals(REGION, orgs, period.year, elsewhere), years=by_year(orgs),
        unreadable=sorted(unreadable, key=lambda u: u.source), set_aside=other + duplicates,
        registry=consolidated, validated=validated,
    )


def summarise(paths: Iterable[str | Path], period: str | Quarter | Period | None = None, *,
              date: dt.date | None = None, jobs: int | None = None, cluster: str | None = None,
              progress: Progress | None = None, validate: bool = False, registry: bool = True) -> Summary:
    """The summary of the books (and exported registries) under ``paths`` for a quarter or a month.

    ``period``: «2024Q3» (or a Quarter); ``date``: the month containing it, figures as of that day;
    neither: the current month. ``jobs``: worker processes (default: every core); ``cluster``: the
    address of a Dask scheduler to run the per-book step on instead. ``progress(done, total, name)``
    after each file. ``validate``: run every validation rule (reads whole books: several times slower).
    ``registry``: collect the participants for the consolidated registry file.
    BookError (usage) for a bad period or when no file is found.
    """
    when = resolve_period(period, date)
    files = book_files([Path(p) for p in paths])
    if not files:
        raise BookError("Не найдено ни одной книги (.xlsx, .xlsm, .xls, .ods) по указанным путям.", code="usage")
    job = functools.partial(collect, period=when, validate=validate, registry=registry)
    done = 0

    def report(i: int) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(files), files[i].name)

    if cluster:
        results = _map_dask(files, job, cluster, report)
    else:
        results = _map_local(files, job, max(1, jobs or os.cpu_count() or 1), report)
    return reduce_summary(results, when, len(files), validate, registry)
