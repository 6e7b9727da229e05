"""``cluster``: the per-book step on a Dask cluster (optional extra ``nastavnik-xl[cluster]``).

A ``LocalCluster`` of two worker processes must give exactly the figures of the local pool on the
hand-built books of ``test_summary`` (broken, encrypted and foreign books, a duplicate, exports).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_summary import PERIOD, build_folder

from nastavnik_xl.actions.summary import run
from nastavnik_xl.actions.summary.run import summarise
from nastavnik_xl.findings import BookError

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed: pip install \"nastavnik-xl[cluster]\"")


def test_a_local_cluster_of_two_workers_gives_the_figures_of_the_local_run(tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "книги")
    local = summarise([folder], PERIOD, jobs=2)
    steps: list[tuple[int, int]] = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = summarise([folder], PERIOD, cluster=cluster.scheduler_address,
                           progress=lambda done, total, name: steps.append((done, total)))
    assert remote.orgs == local.orgs  # every figure of every organisation, the registries included
    assert remote.municipalities == local.municipalities and remote.region == local.region
    assert remote.years == local.years and remote.registry == local.registry
    assert remote.unreadable == local.unreadable and remote.set_aside == local.set_aside
    assert len(remote.orgs) == 3 and len(remote.unreadable) == 3 and remote.exit_code == 1
    assert steps[-1] == (8, 8) and len(steps) == 8


def test_an_unreachable_cluster_is_a_russian_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = build_folder(tmp_path / "книги")
    monkeypatch.setattr(run, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(BookError) as err:
        summarise([folder], PERIOD, cluster="tcp://127.0.0.1:9")
    assert err.value.code == "cluster" and "Не удалось подключиться к кластеру Dask" in err.value.message
