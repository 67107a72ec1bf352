"""Training snapshots: recorded under their id, rebuilt from it, holdouts sized to be useful."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet, FeatureStore, point_in_time
from ct_assets.store.point_in_time import ALL_HISTORY
from ct_assets.training.snapshots import load_snapshot, plan_holdout, problems, split_at

SIM = EventSimulator(seed=1, rows_per_day=300)
FEATURES = FeatureSet(tuple(SIM.numeric), tuple(SIM.categorical))
DAYS = [SIM.start + dt.timedelta(days=i) for i in range(30)]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("fs") / "ct.duckdb"))
    fs = FeatureStore(con)
    for day in DAYS:
        fs.replace_partition("features", day, FEATURES.transform(SIM.events(day)))
        fs.replace_partition("labels", day, SIM.labels(day))
    yield fs
    con.close()


def test_a_snapshot_is_rebuilt_from_its_id_alone(store):
    cutoff = DAYS[20]
    snapshot = point_in_time(store.con, cutoff, ALL_HISTORY, FEATURES.version)
    start = plan_holdout(snapshot.frame, cutoff, 7, 500, 10)
    store.record_snapshot(snapshot, start)
    # labels keep arriving after the cutoff; the rebuilt set must not see them
    rebuilt = load_snapshot(store.con, store.snapshot_recipe(snapshot.snapshot_id))
    assert rebuilt.snapshot_id == snapshot.snapshot_id
    pd.testing.assert_frame_equal(rebuilt.frame, snapshot.frame)
    assert (rebuilt.frame["label_ts"] < pd.Timestamp(cutoff + dt.timedelta(days=1))).all()
    assert store.snapshot_recipe(snapshot.snapshot_id)["holdout_start"] == str(start)


def test_an_unknown_snapshot_id_is_named(store):
    with pytest.raises(KeyError, match="ts-nope"):
        store.snapshot_recipe("ts-nope")


def test_the_holdout_widens_until_it_has_enough_positives(store):
    cutoff = DAYS[25]
    frame = point_in_time(store.con, cutoff, ALL_HISTORY, FEATURES.version).frame
    narrow = plan_holdout(frame, cutoff, 3, 0, 0)
    wide = plan_holdout(frame, cutoff, 3, 0, 60)
    assert narrow == pd.Timestamp(cutoff - dt.timedelta(days=2))
    assert wide < narrow and split_at(frame, wide)[1]["label"].sum() >= 60


def test_early_on_the_holdout_narrows_so_the_first_model_has_its_training_rows(store):
    cutoff = DAYS[9]  # ten days in: a week of holdout would leave too few rows to train on
    frame = point_in_time(store.con, cutoff, ALL_HISTORY, FEATURES.version).frame
    week = plan_holdout(frame, cutoff, 7, 150, 0)
    fitted = plan_holdout(frame, cutoff, 7, 150, 0, min_train_rows=900)
    train, holdout = split_at(frame, fitted)
    assert len(split_at(frame, week)[0]) < 900 <= len(train)
    assert fitted > week and len(holdout) >= 150  # narrower, never below its own minimum
    most = plan_holdout(frame, cutoff, 7, 150, 0, min_train_rows=10**6)
    assert len(split_at(frame, most)[1]) >= 150


def test_unusable_sets_say_why_with_counts_and_window(store):
    frame = point_in_time(store.con, DAYS[25], ALL_HISTORY, FEATURES.version).frame
    train, holdout = split_at(frame, DAYS[19])
    assert problems(train, holdout, "all history", "binary", 10) is None
    few = problems(train, holdout, "the last 7 days to 2025-01-26", "binary", 10**6)
    assert f"only {len(train)} labelled rows" in few and "the last 7 days" in few
    assert "empty" in problems(train, holdout.iloc[:0], "w", "binary", 10)
    one_class = problems(train, holdout[holdout["label"] == 0], "w", "binary", 10)
    assert "one class only" in one_class
