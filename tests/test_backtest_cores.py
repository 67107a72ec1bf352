"""A backtest's replays divide the cores between them and take over the cores of those that end."""

from __future__ import annotations

import multiprocessing

import pytest
from threadpoolctl import threadpool_info

from ct_assets.backtest import cores


@pytest.fixture
def unfinished():
    counter = multiprocessing.get_context("spawn").Value("i", 3)
    cores.share(counter, workers=2)
    yield counter
    cores.share(None, workers=1)


def test_replays_share_the_cores_and_the_last_one_takes_them_all(unfinished):
    assert cores.fair_threads(cores=2) == 1  # three unfinished, two running: one core each
    assert cores.fair_threads(cores=8) == 4
    with cores.replaying():
        pass
    assert unfinished.value == 2 and cores.fair_threads(cores=2) == 1
    with pytest.raises(RuntimeError), cores.replaying():
        raise RuntimeError("a replay that fails still ends")
    assert unfinished.value == 1 and cores.fair_threads(cores=2) == 2


def test_lightgbm_follows_the_share(unfinished):
    def openmp() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"}

    import lightgbm  # noqa: F401  (loads its OpenMP runtime)

    assert cores.follow() == 1 and openmp() == {1}
    unfinished.value = 1
    assert cores.follow() == cores.fair_threads() and openmp() == {cores.fair_threads()}
