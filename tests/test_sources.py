"""Reading, checking and replaying a user's table: the pure core of `--config`."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from ct_assets.errors import CTError
from ct_assets.periods import Period
from ct_assets.settings import Settings
from ct_assets.sources import TableSource, read_table
from ct_assets.sources.columns import infer_features
from ct_assets.sources.labels import infer_task, prepare_label


def table(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2024-03-01") + pd.to_timedelta(np.sort(rng.uniform(0, 20, n)), unit="D")
    return pd.DataFrame({
        "ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "amount": rng.gamma(2, 30, n),
        "flag": rng.random(n) < 0.3, "shop": rng.choice(["a", "b", "c"], n),
        "note": [f"free text number {i}" for i in range(n)],
        "seen": (ts - pd.Timedelta(days=3)).strftime("%Y-%m-%d"),
        "customer": rng.integers(0, 50, n), "y": (rng.random(n) < 0.2).astype(int)})


def source_of(tmp_path, frame: pd.DataFrame, **settings) -> TableSource:
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    return TableSource.from_settings(Settings(source=str(path), time_column="ts",
                                              label_column="y", **settings))


def test_features_are_inferred_from_dtypes_and_odd_columns_are_left_out_with_a_reason(tmp_path):
    src = source_of(tmp_path, table(700))
    assert src.columns.numeric == ("amount", "flag", "customer")
    assert src.columns.categorical == ("shop",)
    assert any("'note'" in n and "700 distinct" in n for n in src.notes)
    assert any("'seen'" in n and "datetime" in n for n in src.notes)
    assert src.task == "binary"


def test_settings_override_the_guesses(tmp_path):
    src = source_of(tmp_path, table(), categorical=["customer"], exclude=["note", "flag"])
    assert "customer" in src.columns.categorical and "customer" not in src.columns.numeric
    assert "flag" not in src.columns.numeric and "note" not in src.columns.categorical


def test_events_and_labels_are_cut_by_their_own_times(tmp_path):
    src = source_of(tmp_path, table(), label_delay="2d")
    day = dt.date(2024, 3, 5)
    events = src.events(day, day + dt.timedelta(days=1))
    assert len(events) and events["event_ts"].dt.date.eq(day).all()
    assert "y" not in events.columns and "label" not in events.columns
    labels = src.labels(day, day + dt.timedelta(days=1))
    assert (labels["label_ts"] - labels["event_ts"]).eq(pd.Timedelta(days=2)).all()
    assert labels["label_ts"].dt.date.eq(day).all()
    everything = src.labels(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert len(everything) == len(src.frame) and everything["entity_id"].is_unique


def test_label_time_column_and_labels_that_never_arrive(tmp_path):
    frame = table()
    frame["known"] = (pd.to_datetime(frame["ts"]) + pd.Timedelta(hours=30)).astype(str)
    frame.loc[:9, "known"] = None
    src = source_of(tmp_path, frame, label_time_column="known")
    labels = src.labels(dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert len(labels) == len(frame) - 10
    frame.loc[20, "known"] = "2024-02-01"
    with pytest.raises(CTError, match="'known' is before time_column 'ts' in 1 rows"):
        source_of(tmp_path, frame, label_time_column="known")


def test_repeated_entity_keys_stay_unique_per_event(tmp_path):
    src = source_of(tmp_path, table(), entity_column="customer")
    ids = src.frame["entity_id"]
    assert ids.is_unique and ids.str.contains("#").any()


def test_labels_are_checked_against_the_task():
    assert infer_task(pd.Series([0, 1, 1]), "y")[0] == "binary"
    assert infer_task(pd.Series([0.5, 1.5, 3.0]), "y")[0] == "regression"
    assert infer_task(pd.Series(range(11)), "y")[0] == "regression"
    with pytest.raises(CTError, match="3 distinct value"):
        infer_task(pd.Series(["a", "b", "c"]), "y")
    with pytest.raises(CTError, match="'y' has 3 classes .* but task is binary"):
        prepare_label(pd.Series([0, 1, 2]), "binary", "y", None)
    with pytest.raises(CTError, match="task regression needs numbers"):
        prepare_label(pd.Series(["x", "y", "z"]), "regression", "y", None)
    mapped, notes = prepare_label(pd.Series(["ok", "fraud", "ok", "ok", None]), "binary", "y",
                                  None)
    assert mapped.tolist()[:4] == [0, 1, 0, 0] and np.isnan(mapped.iloc[4])
    assert "'fraud' (the rarer" in notes[0]
    mapped, _ = prepare_label(pd.Series(["ok", "fraud", "ok"]), "binary", "y", "ok")
    assert mapped.tolist() == [1, 0, 1]


def test_feature_names_lightgbm_cannot_take_are_refused():
    with pytest.raises(CTError, match="'a:b'"):
        infer_features(pd.DataFrame({"a:b": [1.0]}), set(), None, None, [])


def test_parquet_folders_and_duckdb_tables_read_like_the_csv(tmp_path):
    frame = table(60)
    (tmp_path / "pq").mkdir()
    with duckdb.connect(str(tmp_path / "src.db")) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE events AS SELECT * FROM f")
        con.execute(f"COPY (SELECT * FROM f LIMIT 30) TO '{tmp_path}/pq/a.parquet'")
        con.execute(f"COPY (SELECT * FROM f OFFSET 30) TO '{tmp_path}/pq/b.parquet'")
    from_db = read_table(f"duckdb://{tmp_path}/src.db?table=events")
    from_pq = read_table(str(tmp_path / "pq"))
    assert len(from_db) == len(from_pq) == 60
    assert sorted(from_pq["amount"]) == pytest.approx(sorted(frame["amount"]))
    with pytest.raises(CTError, match="no table|does not exist|Catalog"):
        read_table(f"duckdb://{tmp_path}/src.db?table=nope")


@pytest.mark.parametrize("name, start, end, before", [
    ("1d", dt.date(2025, 1, 31), dt.date(2025, 2, 1), dt.date(2025, 1, 31)),
    ("7d", dt.date(2025, 1, 1), dt.date(2025, 1, 8), dt.date(2025, 1, 1)),
    ("30d", dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2024, 12, 1)),
])
def test_periods_step_and_find_the_period_a_tick_closes(name, start, end, before):
    period = Period(name)
    assert period.end(start) == end and period.ending_on(end) == before
    assert period.last_day(start) == end - dt.timedelta(days=1)
    starts = period.starts(start, days=70)
    assert starts[0] == start
    assert all(period.end(a) == b for a, b in zip(starts, starts[1:], strict=False))
    assert period.starts(start, last=start) == [start]


def test_a_csv_column_that_changes_type_after_the_sniffed_rows_is_read_whole(tmp_path):
    n = 30_000  # DuckDB sniffs types on the first 20,480 rows
    frame = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=n, freq="min").astype(str),
                          "code": ["1"] * (n - 1) + ["abc"], "y": [0, 1] * (n // 2)})
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    read = read_table(str(tmp_path / "mixed.csv"))
    assert len(read) == n and read["code"].iloc[-1] == "abc"
    assert str(read["ts"].dtype).startswith("datetime64")
