"""A backtest's replays divide the cores between them so that they finish together: the ones
ahead yield to the ones behind, and the last ones take over the cores of those that ended."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from threadpoolctl import threadpool_info

from ct_assets.backtest import cores


@pytest.fixture
def shared():
    context = multiprocessing.get_context("spawn")
    unfinished, done = context.Value("i", 3), context.Array("i", 3)
    before = os.getpriority(os.PRIO_PROCESS, 0)
    cores.share(unfinished, done, workers=2)
    yield unfinished, done
    cores.share(None, None, workers=1)
    os.setpriority(os.PRIO_PROCESS, 0, before)


def test_replays_share_the_cores_and_the_last_one_takes_them_all(shared):
    unfinished, _ = shared
    assert cores.fair_threads(cores=2) == 1  # three unfinished, two running: one core each
    assert cores.fair_threads(cores=8) == 4
    with cores.replaying():
        pass
    assert unfinished.value == 2 and cores.fair_threads(cores=2) == 1
    with pytest.raises(RuntimeError), cores.replaying():
        raise RuntimeError("a replay that fails still ends")
    assert unfinished.value == 1 and cores.fair_threads(cores=2) == 2


def test_lightgbm_follows_the_share(shared):
    def openmp() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"}

    import lightgbm  # noqa: F401  (loads its OpenMP runtime)

    unfinished, _ = shared
    assert cores.follow(0, 0, 100) == 1 and openmp() == {1}
    unfinished.value = 1
    assert cores.follow(0, 0, 100) == cores.fair_threads() and openmp() == {cores.fair_threads()}


def test_a_replay_ahead_of_the_slowest_yields_to_it():
    assert cores.niceness(0, [50, 40, 45], periods=100) == 2  # a tenth ahead: two steps
    assert cores.niceness(1, [50, 40, 45], periods=100) == 0  # the slowest
    assert cores.niceness(0, [50, 100, 100], periods=100) == 0  # alone now
    assert cores.niceness(0, [99, 100, 0], periods=100) == 19  # at most the lowest priority
    assert cores.niceness(0, [30, 29], periods=90) == 0  # less than a twentieth


def test_the_process_priority_follows_its_lead(shared):
    _, done = shared
    base = os.getpriority(os.PRIO_PROCESS, 0)
    done[1], done[2] = 10, 20
    cores.follow(0, 30, 100)  # 20 periods ahead of replay 1: four steps
    assert os.getpriority(os.PRIO_PROCESS, 0) == min(19, base + 4)
    done[1] = done[2] = 30
    cores.follow(0, 30, 100)  # the others caught up
    if os.geteuid() == 0:  # only a privileged process may raise its priority again
        assert os.getpriority(os.PRIO_PROCESS, 0) == base


def test_duckdb_follows_the_share_on_the_connection_a_replay_keeps(tmp_path):
    from ct_assets.graph import connection

    db = tmp_path / "ct.duckdb"
    try:
        for threads in (1, 2, 1):
            connection.share_cores(db, threads)
            with connection.connection(db, keep_open=True) as con:
                assert con.execute("SELECT current_setting('threads')").fetchone()[0] == threads
    finally:
        connection._KEPT.pop(str(db)).close()
