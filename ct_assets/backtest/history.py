"""The history every policy of a backtest replays, ingested once.

Events, labels and features of a period do not depend on the policy: only what the champion
scored, the drift and performance reports and the retrains do. So the backtest writes every
period's `events`, `labels` and `features` partitions once, exactly as the ingest assets write
them (the same source calls, the same feature transform, the same `replace_partition`), while
the replays' processes start; each policy's home starts from a copy of that database, and its
replay runs only the monitoring assets of each period's ingest job. `tests/test_backtest.py`
checks that a backtest with and without this sharing gives the same results.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from pathlib import Path

import duckdb

from ct_assets.errors import CTError
from ct_assets.home import DUCKDB_CONFIG
from ct_assets.periods import Period
from ct_assets.settings import Settings
from ct_assets.sources import open_source
from ct_assets.store import FeatureStore

SHARED = ("events", "labels", "features")  #: ingest assets written once for every policy
REPLAYED = ("predictions_log", "drift_report", "performance_report")  #: and those each replays


def write_history(db: Path, settings: Settings, days: int | None) -> int:
    """Every period's events, labels and features in a new DuckDB file `db`, which appears
    when it is complete (replays wait for it: `await_history`); their rows. One transaction:
    the file is discarded whole if anything fails."""
    source, period = open_source(settings), Period(settings.period)
    feature_set = source.feature_set
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".writing")
    tmp.unlink(missing_ok=True)
    rows = 0
    with duckdb.connect(str(tmp), config=DUCKDB_CONFIG) as con, FeatureStore(con).batch() as fs:
        for start in settings.period_starts(days):
            end = period.end(start)
            events = source.events(start, end)
            rows += fs.replace_partition("events", start, events)
            fs.replace_partition("labels", start, source.labels(start, end))
            features = feature_set.transform(fs.read_partition("events", start))
            fs.replace_partition("features", start, features)
    tmp.replace(db)
    return rows


def history_failed(db: Path) -> Path:
    """The marker the backtest leaves when it could not write the history."""
    return db.with_suffix(".failed")


def await_history(db: Path) -> None:
    """Wait for the history the backtest writes while its replays start (imports, Dagster);
    give up when the backtest failed to write it or is gone (killed)."""
    while not db.exists():
        if history_failed(db).exists():
            raise CTError("the backtest could not write the shared history (see its error)")
        if backtest_gone():
            raise CTError("the backtest that started this replay is gone")
        time.sleep(0.1)


def backtest_gone() -> bool:
    """Whether the process that started this replay has ended (a replay must not outlive it:
    the next backtest on the same folder would find it still writing)."""
    parent = multiprocessing.parent_process()
    return parent is not None and not parent.is_alive()


def seed_home(history: Path, home_db: Path) -> None:
    """A policy's home database starts as a copy of the shared history."""
    home_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(history, home_db)
