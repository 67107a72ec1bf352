"""A process SIGKILLed in the middle of promotions leaves the registry consistent.

A child process promotes two versions back and forth as fast as it can; the parent kills it
with SIGKILL at random moments, reopens the DuckDB file and checks the invariants each time.
"""

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from ct_assets.registry import ModelVersion, Registry

CHILD = """
import datetime as dt, sys, duckdb
from ct_assets.registry import Registry
con = duckdb.connect(sys.argv[1])
reg = Registry(con)
print("ready", flush=True)
while True:
    target = "v2" if reg.champion().version == "v1" else "v1"
    reg.promote(target, dt.date(2025, 1, 1), "flip")
"""


def record() -> ModelVersion:
    return ModelVersion(version="", task="binary", metric="roc_auc", cutoff=dt.date(2025, 1, 1),
                        window_days=7, window_start=dt.date(2024, 12, 26), snapshot_id="ts-x",
                        feature_version="fv-x", n_rows=10, feature_schema={}, profile={},
                        artifact_path="/nowhere", sha256="0" * 64)


def assert_consistent(path) -> str:
    with duckdb.connect(str(path)) as con:
        reg = Registry(con)
        champions = [v.version for v in reg.versions() if v.status == "champion"]
        open_aliases = [h for h in reg.history() if h["until"] is None]
        assert len(champions) == 1, champions
        assert [h["version"] for h in open_aliases] == champions
        assert all(h["until"] >= h["since"] for h in reg.history() if h["until"])
        return champions[0]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "ct.duckdb"
    with duckdb.connect(str(path)) as con:
        reg = Registry(con)
        reg.register(record())
        reg.register(record())
        reg.promote("v1", dt.date(2025, 1, 1), "first")
    return path


def test_sigkill_during_promotions_leaves_one_champion_and_the_rerun_succeeds(db):
    rng = random.Random(7)
    for _ in range(6):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE,
                                 text=True, start_new_session=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        assert_consistent(db)
    champion = assert_consistent(db)
    with duckdb.connect(str(db)) as con:
        Registry(con).promote("v2" if champion == "v1" else "v1", dt.date(2025, 1, 2), "rerun")
    assert assert_consistent(db) != champion
