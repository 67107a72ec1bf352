"""Feature store core: partition writes, point-in-time training sets, snapshots, feature sets."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from ct_assets.store import FeatureSet, FeatureStore, point_in_time, table_exists
from ct_assets.store.featurestore import scalar
from ct_assets.store.point_in_time import end_of
from ct_assets.training.snapshots import load_snapshot, plan_holdout, split_at

D = dt.date
T = dt.datetime
FS = FeatureSet(numeric=("amount",), categorical=("merchant",))
FV = FS.version


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "ct.duckdb"))
    yield c
    c.close()


@pytest.fixture
def fs(con):
    return FeatureStore(con)


def _events(rows: list[tuple[str, dt.datetime]]) -> pd.DataFrame:
    return pd.DataFrame({
        "entity_id": [e for e, _ in rows],
        "event_ts": pd.to_datetime([t for _, t in rows]),
        "amount": [float(i) for i in range(len(rows))],
        "merchant": [f"m{i % 3}" for i in range(len(rows))],
    })


def _write_features(fs: FeatureStore, rows: list[tuple[str, dt.datetime]],
                    feature_set: FeatureSet = FS) -> None:
    """Feature rows partitioned by event day, as the `features` asset writes them."""
    frame = feature_set.transform(_events(rows))
    for day, part in frame.groupby(frame["event_ts"].dt.date):
        fs.replace_partition("features", day, part.reset_index(drop=True))


def _write_labels(fs: FeatureStore, rows: list[tuple[str, int, dt.datetime]]) -> None:
    """Label rows partitioned by arrival day (label_ts), as the `labels` asset writes them."""
    frame = pd.DataFrame({
        "entity_id": [e for e, _, _ in rows],
        "label": pd.array([lab for _, lab, _ in rows], dtype="int8"),
        "label_ts": pd.to_datetime([t for _, _, t in rows]),
    })
    for day, part in frame.groupby(frame["label_ts"].dt.date):
        existing = fs.read_partition("labels", day)
        fs.replace_partition("labels", day, pd.concat([existing, part], ignore_index=True))


# --- replace_partition / read_partition / days -------------------------------------------------


def test_replace_partition_is_idempotent_and_leaves_other_days(fs, con):
    d1, d2 = D(2025, 1, 1), D(2025, 1, 2)
    fs.replace_partition("events", d1, pd.DataFrame({"entity_id": ["a", "b"], "x": [1.0, 2.0]}))
    fs.replace_partition("events", d2, pd.DataFrame({"entity_id": ["c"], "x": [3.0]}))
    # re-writing day 1 twice: rows are replaced, not appended
    new = pd.DataFrame({"entity_id": ["z", "y", "w"], "x": [9.0, 8.0, 7.0]})
    assert fs.replace_partition("events", d1, new) == 3
    assert fs.replace_partition("events", d1, new) == 3
    assert scalar(con, "SELECT count(*) FROM events") == 4
    got = fs.read_partition("events", d1).sort_values("entity_id").reset_index(drop=True)
    assert got["entity_id"].tolist() == ["w", "y", "z"]
    assert "day" not in got.columns
    assert fs.read_partition("events", d2)["entity_id"].tolist() == ["c"]
    assert fs.days("events") == [d1, d2]


def test_replace_partition_accepts_timestamp_day_and_stores_date(fs, con):
    fs.replace_partition("events", pd.Timestamp("2025-03-04 17:00"),
                         pd.DataFrame({"entity_id": ["a"]}))
    assert fs.days("events") == [D(2025, 3, 4)]
    assert con.execute("SELECT typeof(day) FROM events").fetchall()[0][0] == "DATE"


def test_failed_insert_with_incompatible_type_keeps_previous_partition(fs, con):
    d1 = D(2025, 1, 1)
    fs.replace_partition("events", d1, pd.DataFrame({"entity_id": ["a", "b"], "x": [1.0, 2.0]}))
    bad = pd.DataFrame({"entity_id": ["z"], "x": ["not a number"]})
    with pytest.raises(duckdb.Error):
        fs.replace_partition("events", d1, bad)
    got = fs.read_partition("events", d1).sort_values("entity_id")
    assert got["entity_id"].tolist() == ["a", "b"]
    assert got["x"].tolist() == [1.0, 2.0]
    # the connection is usable again (transaction closed, temp view unregistered)
    assert fs.replace_partition("events", D(2025, 1, 2), pd.DataFrame(
        {"entity_id": ["c"], "x": [3.0]})) == 1
    assert scalar(con, "SELECT count(*) FROM events") == 3


def test_a_batch_writes_every_partition_or_none(fs, con):
    d1, d2, d3 = D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 3)
    fs.replace_partition("events", d1, pd.DataFrame({"entity_id": ["a", "b"], "x": [1.0, 2.0]}))
    with fs.batch():
        fs.replace_partition("events", d2, pd.DataFrame({"entity_id": ["c"], "x": [3.0]}))
        assert fs.read_partition("events", d2)["entity_id"].tolist() == ["c"]  # seen inside
    assert fs.days("events") == [d1, d2]
    bad = pd.DataFrame({"entity_id": ["z"], "x": ["not a number"]})
    with pytest.raises(duckdb.Error), fs.batch():
        fs.replace_partition("events", d3, pd.DataFrame({"entity_id": ["d"], "x": [4.0]}))
        fs.replace_partition("events", d1, bad)
    assert fs.days("events") == [d1, d2]  # neither day 3 nor the failed day 1
    assert sorted(fs.read_partition("events", d1)["entity_id"]) == ["a", "b"]
    assert fs.replace_partition("events", d3, pd.DataFrame(  # and the store is usable again
        {"entity_id": ["e"], "x": [5.0]})) == 1
    assert scalar(con, "SELECT count(*) FROM events") == 4


def test_a_column_a_failed_write_added_is_added_again_by_the_next(fs):
    d1, d2 = D(2025, 1, 1), D(2025, 1, 2)
    fs.replace_partition("events", d1, pd.DataFrame({"entity_id": ["a"], "x": [1.0]}))
    with pytest.raises(duckdb.Error):  # adds column y, then fails on x: all of it rolled back
        fs.replace_partition("events", d2, pd.DataFrame(
            {"entity_id": ["b"], "x": ["text"], "y": [2.0]}))
    assert fs.replace_partition("events", d2, pd.DataFrame(
        {"entity_id": ["c"], "x": [3.0], "y": [4.0]})) == 1
    assert fs.read_partition("events", d2)["y"].tolist() == [4.0]


def test_a_new_column_widens_the_table_and_old_rows_read_null(fs):
    d1, d2 = D(2025, 1, 1), D(2025, 1, 2)
    fs.replace_partition("events", d1, pd.DataFrame({"entity_id": ["a"], "x": [1.0]}))
    fs.replace_partition("events", d2, pd.DataFrame({"entity_id": ["z"], "x": [2.0], "extra": [1]}))
    assert fs.read_partition("events", d1)["extra"].isna().all()
    assert fs.read_partition("events", d2)["extra"].tolist() == [1]


def test_replace_partition_rejects_unknown_table(fs, con):
    with pytest.raises(ValueError, match="unknown table 'bogus'"):
        fs.replace_partition("bogus", D(2025, 1, 1), pd.DataFrame({"a": [1]}))
    assert not table_exists(con, "bogus")


def test_empty_partition_creates_no_table_but_clears_an_existing_day(fs, con):
    assert fs.replace_partition("labels", D(2025, 1, 1), pd.DataFrame()) == 0
    assert not table_exists(con, "labels")
    assert fs.days("labels") == []
    assert fs.read_partition("labels", D(2025, 1, 1)).empty

    fs.replace_partition("events", D(2025, 1, 1), pd.DataFrame({"entity_id": ["a"]}))
    fs.replace_partition("events", D(2025, 1, 2), pd.DataFrame({"entity_id": ["b"]}))
    assert fs.replace_partition("events", D(2025, 1, 1),
                                pd.DataFrame({"entity_id": pd.Series([], dtype=str)})) == 0
    assert fs.days("events") == [D(2025, 1, 2)]


def test_table_exists_and_scalar(con):
    assert table_exists(con, "events") is False
    con.execute("CREATE TABLE events AS SELECT range AS i FROM range(5)")
    assert table_exists(con, "events") is True
    assert scalar(con, "SELECT sum(i) FROM events WHERE i > ?", [1]) == 9
    # scalar fetches everything, so the connection accepts the next query
    assert scalar(con, "SELECT i FROM events ORDER BY i") == 0
    assert scalar(con, "SELECT 42") == 42


# --- labels_known / scored_labels --------------------------------------------------------------


def test_labels_known_counts_half_open_interval(fs):
    assert fs.labels_known(None, T(2030, 1, 1)) == 0  # no table yet
    _write_labels(fs, [("a", 1, T(2025, 1, 1, 12)), ("b", 0, T(2025, 1, 2, 0)),
                       ("c", 1, T(2025, 1, 3, 8))])
    assert fs.labels_known(None, T(2025, 1, 2)) == 1          # label_ts < until
    assert fs.labels_known(T(2025, 1, 1, 12), T(2025, 1, 3)) == 2  # label_ts >= after
    assert fs.labels_known(None, T(2030, 1, 1)) == 3
    assert fs.labels_known(T(2025, 1, 3, 8, 1), T(2030, 1, 1)) == 0


def test_scored_labels_uses_label_known_by_until_and_event_window(fs):
    empty = fs.scored_labels(T(2025, 1, 1), T(2025, 2, 1))
    assert list(empty.columns) == ["entity_id", "model_version", "score", "label"]
    assert empty.empty
    preds = pd.DataFrame({
        "entity_id": ["a", "b", "c", "d"],
        "event_ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 11:00",
                                    "2025-01-01 12:00", "2024-12-31 23:00"]),
        "model_version": "v1", "score": [0.1, 0.2, 0.3, 0.4], "source": "batch",
    })
    fs.replace_partition("predictions", D(2025, 1, 1), preds)
    served = preds.iloc[[2]].assign(score=0.9, source="served")  # what the client was told
    fs.con.register("served", served)
    fs.con.execute("INSERT INTO predictions BY NAME SELECT *, DATE '2025-01-01' AS day "
                   "FROM served")
    _write_labels(fs, [
        ("a", 0, T(2025, 1, 2)), ("a", 1, T(2025, 1, 5)),  # corrected after `until`
        ("b", 1, T(2025, 1, 6)),                            # known only after `until`
        ("c", 1, T(2025, 1, 3)),
        ("d", 1, T(2025, 1, 2)),                            # event before `since`
    ])
    got = fs.scored_labels(T(2025, 1, 1), T(2025, 1, 4)).sort_values("entity_id")
    assert got["entity_id"].tolist() == ["a", "c"]
    assert got["label"].tolist() == [0, 1]
    assert got["score"].tolist() == [0.1, 0.3]  # the batch score wins: served ones cannot steer
    later = fs.scored_labels(T(2025, 1, 1), T(2025, 1, 10)).sort_values("entity_id")
    assert dict(zip(later["entity_id"], later["label"], strict=True)) == {"a": 1, "b": 1, "c": 1}


# --- point in time -----------------------------------------------------------------------------

CUTOFF = D(2025, 1, 10)
WINDOW = 5  # window start 2025-01-06


@pytest.fixture
def pit_store(fs):
    _write_features(fs, [
        ("in", T(2025, 1, 7, 10)),
        ("late_label", T(2025, 1, 8, 9)),
        ("label_at_midnight", T(2025, 1, 8, 10)),
        ("after_cutoff", T(2025, 1, 11, 0)),
        ("before_window", T(2025, 1, 5, 23, 59)),
        ("window_start", T(2025, 1, 6, 0, 0)),
        ("corrected_later", T(2025, 1, 7, 8)),
        ("corrected_before", T(2025, 1, 7, 9)),
        ("cutoff_day", T(2025, 1, 10, 23, 59)),
    ])
    _write_labels(fs, [
        ("in", 1, T(2025, 1, 9)),
        ("late_label", 1, T(2025, 1, 12)),
        ("label_at_midnight", 1, end_of(CUTOFF)),
        # labels for events after the cutoff / before the window are "known" at the cutoff,
        # so only the event-time filter can keep them out
        ("after_cutoff", 1, T(2025, 1, 10, 1)),
        ("before_window", 1, T(2025, 1, 6, 1)),
        ("window_start", 0, T(2025, 1, 7)),
        ("corrected_later", 0, T(2025, 1, 8)),
        ("corrected_later", 1, T(2025, 1, 12)),
        ("corrected_before", 0, T(2025, 1, 8)),
        ("corrected_before", 1, T(2025, 1, 9)),
        ("cutoff_day", 0, T(2025, 1, 10, 23, 59, 59)),
    ])
    return fs


def test_end_of_is_next_midnight():
    assert end_of(D(2025, 1, 31)) == T(2025, 2, 1)
    assert end_of(D(2024, 12, 31)) == T(2025, 1, 1)


def test_point_in_time_keeps_only_what_was_known_at_cutoff(pit_store, con):
    snap = point_in_time(con, CUTOFF, WINDOW, FV)
    assert snap.window_start == D(2025, 1, 6)
    labels = dict(zip(snap.frame["entity_id"], snap.frame["label"], strict=True))
    assert labels == {"window_start": 0, "corrected_later": 0, "corrected_before": 1,
                      "in": 1, "cutoff_day": 0}
    # oldest first, one row per entity, no store bookkeeping columns
    assert snap.frame["event_ts"].is_monotonic_increasing
    assert snap.frame["entity_id"].is_unique
    assert "day" not in snap.frame.columns and "feature_version" not in snap.frame.columns
    assert {"amount", "merchant", "day_of_week", "label_ts"} <= set(snap.frame.columns)
    assert (snap.frame["label_ts"] < pd.Timestamp(end_of(CUTOFF))).all()
    assert (snap.frame["event_ts"] >= pd.Timestamp(snap.window_start)).all()


def test_point_in_time_later_cutoff_sees_late_and_corrected_labels(pit_store, con):
    snap = point_in_time(con, D(2025, 1, 12), 7, FV)
    labels = dict(zip(snap.frame["entity_id"], snap.frame["label"], strict=True))
    assert labels["corrected_later"] == 1
    assert labels["late_label"] == 1
    assert labels["label_at_midnight"] == 1
    assert labels["after_cutoff"] == 1
    assert "before_window" not in labels  # window 2025-01-06 .. 2025-01-12


def test_point_in_time_ignores_other_feature_versions(pit_store, con):
    other = FeatureSet(numeric=("amount",), categorical=())
    assert other.version != FV
    _write_features(pit_store, [("other_version", T(2025, 1, 6, 5))], other)
    # replace_partition replaced the whole 2025-01-06 partition with the other version's rows:
    # the FV row "window_start" of that day is gone and the other version's row is not used
    snap = point_in_time(con, CUTOFF, WINDOW, FV)
    assert "other_version" not in set(snap.frame["entity_id"])
    assert "window_start" not in set(snap.frame["entity_id"])
    assert point_in_time(con, CUTOFF, WINDOW, other.version).frame.empty


def test_rebuild_is_reproducible_and_id_tracks_rows(pit_store, con):
    a = point_in_time(con, CUTOFF, WINDOW, FV)
    b = point_in_time(con, CUTOFF, WINDOW, FV)
    assert a.snapshot_id == b.snapshot_id
    assert a.snapshot_id.startswith("ts-") and len(a.snapshot_id) == 19
    pd.testing.assert_frame_equal(a.frame, b.frame)
    # other parameters give other ids
    assert point_in_time(con, CUTOFF, WINDOW + 1, FV).snapshot_id != a.snapshot_id
    assert point_in_time(con, D(2025, 1, 11), WINDOW, FV).snapshot_id != a.snapshot_id
    # a label arriving before the cutoff adds a row and changes the id
    _write_features(pit_store, [("newcomer", T(2025, 1, 9, 12))])
    _write_labels(pit_store, [("newcomer", 1, T(2025, 1, 10, 6))])
    c = point_in_time(con, CUTOFF, WINDOW, FV)
    assert len(c.frame) == len(a.frame) + 1
    assert c.snapshot_id != a.snapshot_id


def test_snapshot_id_unchanged_by_label_arriving_after_cutoff(pit_store, con):
    a = point_in_time(con, CUTOFF, WINDOW, FV)
    _write_labels(pit_store, [("in", 0, T(2025, 1, 15))])
    assert point_in_time(con, CUTOFF, WINDOW, FV).snapshot_id == a.snapshot_id


def test_snapshot_id_changes_when_feature_values_change(pit_store, con):
    a = point_in_time(con, CUTOFF, WINDOW, FV)
    day = D(2025, 1, 7)
    part = pit_store.read_partition("features", day)
    pit_store.replace_partition("features", day, part.assign(amount=part["amount"] + 100.0))
    b = point_in_time(con, CUTOFF, WINDOW, FV)
    assert not b.frame["amount"].equals(a.frame["amount"])  # rows did change
    assert b.snapshot_id != a.snapshot_id


# --- load_snapshot / plan_holdout -------------------------------------------------------------


def test_load_snapshot_rebuilds_and_refuses_a_changed_store(pit_store, con):
    snap = point_in_time(con, CUTOFF, WINDOW, FV)
    recipe = {"cutoff": str(CUTOFF), "window_days": WINDOW, "feature_version": FV,
              "snapshot_id": snap.snapshot_id}
    again = load_snapshot(con, recipe)
    pd.testing.assert_frame_equal(again.frame, snap.frame)
    _write_features(pit_store, [("newcomer", T(2025, 1, 9, 12))])
    _write_labels(pit_store, [("newcomer", 1, T(2025, 1, 10, 6))])
    with pytest.raises(ValueError, match=snap.snapshot_id):
        load_snapshot(con, recipe)


def holdout_split(snap, days):
    """The production split with no minimum size: exactly the last `days` days."""
    return split_at(snap.frame, plan_holdout(snap.frame, snap.cutoff, days, 0, 0))


def test_holdout_split_takes_exactly_last_days(fs, con):
    rows = [(f"e{d}_{h}", T(2025, 1, d, h)) for d in range(1, 11) for h in (0, 12, 23)]
    _write_features(fs, rows)
    _write_labels(fs, [(e, int(t.hour == 12), T(2025, 1, 10, 23, 59)) for e, t in rows])
    snap = point_in_time(con, D(2025, 1, 10), 10, FV)
    assert len(snap.frame) == 30
    train, hold = holdout_split(snap, 3)
    assert sorted(set(hold["event_ts"].dt.date)) == [D(2025, 1, 8), D(2025, 1, 9), D(2025, 1, 10)]
    assert len(hold) == 9 and len(train) == 21
    assert train["event_ts"].max() == pd.Timestamp("2025-01-07 23:00")
    assert hold["event_ts"].min() == pd.Timestamp("2025-01-08 00:00")
    assert set(train["entity_id"]).isdisjoint(hold["entity_id"])
    _, one = holdout_split(snap, 1)
    assert set(one["event_ts"].dt.date) == {D(2025, 1, 10)} and len(one) == 3


# --- FeatureSet --------------------------------------------------------------------------------


def test_feature_set_version_is_stable_and_tracks_definition():
    same = FeatureSet(numeric=("amount",), categorical=("merchant",))
    assert same.version == FV and FV.startswith("fv-") and len(FV) == 15
    assert FeatureSet(numeric=("amount", "x"), categorical=("merchant",)).version != FV
    assert FeatureSet(numeric=("merchant",), categorical=("amount",)).version != FV
    assert FS.schema == {"numeric": ["amount", "day_of_week"], "categorical": ["merchant"],
                         "feature_version": FV}
    assert FS.columns == ["amount", "day_of_week", "merchant"]
    assert FS.monitored == ["amount", "merchant"]


def test_feature_set_transform():
    events = pd.DataFrame({
        "entity_id": ["a", "b", "c"],
        "event_ts": pd.to_datetime(["2025-01-06 10:00", "2025-01-07 11:00", "2025-01-12 0:00"]),
        "amount": ["1.5", "oops", 3],
        "merchant": ["m1", None, float("nan")],
        "ignored": [1, 2, 3],
    })
    out = FS.transform(events)
    assert list(out.columns) == ["entity_id", "event_ts", "amount", "day_of_week", "merchant",
                                 "feature_version"]
    assert out["amount"].dtype == "float64"
    assert out["amount"].iloc[0] == 1.5 and pd.isna(out["amount"].iloc[1])
    assert out["day_of_week"].tolist() == [0.0, 1.0, 6.0]  # Mon, Tue, Sun
    assert out["merchant"].iloc[0] == "m1"
    assert out["merchant"].iloc[1] is None and out["merchant"].iloc[2] is None
    assert (out["feature_version"] == FV).all()
    with pytest.raises(ValueError, match="merchant"):
        FS.transform(events.drop(columns="merchant"))


def test_new_feature_version_with_an_added_column_can_be_written(fs, con):
    _write_features(fs, [("a", T(2025, 1, 6, 5))])
    wider = FeatureSet(numeric=("amount", "amount2"), categorical=("merchant",))
    events = _events([("b", T(2025, 1, 7, 5))]).assign(amount2=1.0)
    fs.replace_partition("features", D(2025, 1, 7), wider.transform(events))
    assert point_in_time(con, D(2025, 1, 7), 2, wider.version).frame.empty  # no labels yet
    assert fs.days("features") == [D(2025, 1, 6), D(2025, 1, 7)]


def test_label_at_cutoff_midnight_is_either_trained_on_or_new(fs, con):
    cutoff = D(2025, 1, 10)
    _write_features(fs, [("a", T(2025, 1, 9, 12))])
    _write_labels(fs, [("a", 1, end_of(cutoff))])
    in_training = len(point_in_time(con, cutoff, 5, FV).frame)
    new_since = fs.labels_known(end_of(cutoff), end_of(D(2025, 1, 20)))
    assert in_training + new_since == 1
