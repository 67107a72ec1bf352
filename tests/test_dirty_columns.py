"""Messy columns are read as a careful analyst reads them, and each decision is said.

Every case writes a table the way a user has it (CSV or Parquet), loads it through the settings
file (`load_project`, what `ct demo/backtest --config` run first) and checks the one-line note or
error a user sees, the settings recorded for every later process, and the setting that
overrides the decision.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from ct_assets.cli.main import main
from ct_assets.config import load_project
from ct_assets.sources import TableSource
from ct_assets.store import FeatureStore
from ct_assets.training.model import model_frame

N = 12_000


def events(n: int = N, seed: int = 0) -> pd.DataFrame:
    """Sixty days of events: an amount that predicts the label, and a shop."""
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 60, n)), unit="D")
    amount = rng.gamma(2, 20, n).round(2)
    label = rng.random(n) < 1 / (1 + np.exp(-(amount - 40) / 10))
    return pd.DataFrame({"ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "amount": amount,
                         "shop": rng.choice(["a", "b", "c"], n), "y": label.astype(int)})


def write(tmp_path, frame: pd.DataFrame, fmt: str = "csv", **settings):
    source = tmp_path / f"events.{fmt}"
    if fmt == "csv":
        frame.to_csv(source, index=False)
    else:
        with duckdb.connect() as con:
            con.register("frame", frame)
            con.execute(f"COPY frame TO '{source}' (FORMAT parquet)")
    config = tmp_path / "ct.yaml"
    config.write_text(yaml.safe_dump({"source": source.name, "time_column": "ts",
                                      "label_column": "y", **settings}))
    return config


def with_markers(frame: pd.DataFrame, count: int = 11, marker: str = "N/A") -> pd.DataFrame:
    frame = frame.astype({"amount": object})
    rows = np.random.default_rng(3).choice(len(frame), count, replace=False)
    frame.loc[rows, "amount"] = marker
    return frame


def fails(tmp_path, config, capsys) -> str:
    """The one line a user sees when `ct backtest --config` refuses, after checking that it
    exits 2 and writes nothing."""
    home, out = tmp_path / "home", tmp_path / "out"
    code = main(["backtest", "--config", str(config), "--home", str(home), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ct: error: ") and err.count("\n") == 1, err
    assert not home.exists() and not out.exists()
    return err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_missing_value_markers_in_a_number_column_are_read_as_missing(tmp_path, fmt):
    project = load_project(write(tmp_path, with_markers(events()), fmt))
    assert "column 'amount': 11 of 12,000 values are 'N/A': read as missing, the rest as " \
           "numbers (the `missing_values` setting lists such markers)" in project.notes
    assert project.settings.numeric == ["amount"] and "N/A" in project.settings.missing_values
    table = TableSource.from_settings(project.settings)  # what every Dagster process reads
    assert table.frame["amount"].dtype == "float64"
    assert table.frame["amount"].isna().sum() == 11


def test_without_markers_a_number_column_with_text_is_left_out_as_text(tmp_path):
    project = load_project(write(tmp_path, with_markers(events()), missing_values=[]))
    assert "amount" not in project.settings.numeric
    assert "amount" in project.settings.exclude
    assert any(n.startswith("column 'amount' has ") and "identifier or free text" in n
               for n in project.notes)


def test_numbers_with_an_unknown_marker_get_a_hint_that_names_the_setting(tmp_path):
    frame = with_markers(events(), count=7, marker="n.a.")
    project = load_project(write(tmp_path, frame))
    assert "column 'amount': 7 of 12,000 values are neither numbers nor missing-value markers " \
           "('n.a.'): read as text; to read them as missing and the column as numbers, add " \
           "them to `missing_values`" in project.notes
    fixed = load_project(write(tmp_path, frame, missing_values=["n.a."]))
    assert fixed.settings.numeric == ["amount"]
    assert any("7 of 12,000 values are 'n.a.': read as missing" in n for n in fixed.notes)
    frame.loc[:4, "amount"] = "N/A"  # known markers and an unknown one: the hint still comes
    both = load_project(write(tmp_path, frame))
    assert any(n.startswith("column 'amount': 7 of 12,000 values are neither") for n in both.notes)


def test_markers_in_a_text_column_and_a_date_column_are_missing_too(tmp_path):
    frame = events()
    frame.loc[:39, "shop"] = " NA "
    frame["seen"] = (pd.to_datetime(frame["ts"]) - pd.Timedelta(days=2)).dt.strftime("%Y-%m-%d")
    frame.loc[5, "seen"] = "?"
    project = load_project(write(tmp_path, frame))
    assert "column 'shop': 40 of 12,000 values are 'NA': read as missing (the " \
           "`missing_values` setting lists such markers)" in project.notes
    assert any(n.startswith("column 'seen': 1 of 12,000 values are '?': read as missing, the "
                            "rest as times") for n in project.notes)
    assert project.settings.categorical == ["shop"] and "seen" in project.settings.exclude


def test_integers_rising_with_time_are_an_identifier_left_out_and_recorded(tmp_path):
    frame = events().assign(event_id=lambda f: np.arange(len(f)) * 3 + 10_000)
    project = load_project(write(tmp_path, frame))
    assert "column 'event_id' holds 12,000 distinct integers increasing with time: an " \
           "identifier; left out (list it under `numeric` to keep it)" in project.notes
    assert project.settings.exclude == ["event_id"]
    assert project.settings.numeric == ["amount"]
    kept = load_project(write(tmp_path, frame, numeric=["amount", "event_id"]))
    assert kept.settings.numeric == ["amount", "event_id"] and kept.settings.exclude == []
    assert not any("event_id" in n for n in kept.notes)


def test_a_shuffled_row_number_is_an_identifier_and_measurements_are_not(tmp_path):
    rng = np.random.default_rng(1)
    frame = events().assign(row=rng.permutation(N), cents=rng.choice(10**9, N, replace=False),
                            count=rng.integers(0, 40, N))
    project = load_project(write(tmp_path, frame))
    assert "column 'row' holds 12,000 distinct integers counting through 0..11,999: an " \
           "identifier; left out (list it under `numeric` to keep it)" in project.notes
    assert project.settings.numeric == ["amount", "cents", "count"]


def test_empty_and_constant_columns_are_no_feature(tmp_path):
    frame = events().assign(empty=None, blank=np.nan, version="v2", one=1)
    frame.loc[3, "blank"] = None
    project = load_project(write(tmp_path, frame))
    for note in ["column 'empty' is empty in all 12,000 rows: no feature; left out (list it "
                 "under `numeric` to keep it)",
                 "column 'version' holds one value ('v2') in all 12,000 rows: no feature; "
                 "left out (list it under `categorical` to keep it)",
                 "column 'one' holds one value (1) in all 12,000 rows: no feature; left out "
                 "(list it under `numeric` to keep it)"]:
        assert note in project.notes
    assert sorted(project.settings.exclude) == ["blank", "empty", "one", "version"]
    assert project.settings.numeric == ["amount"] and project.settings.categorical == ["shop"]


def test_a_label_of_a_few_whole_numbers_asks_for_the_task(tmp_path, capsys):
    frame = events().assign(y=lambda f: np.arange(len(f)) % 3)
    err = fails(tmp_path, write(tmp_path, frame), capsys)
    assert "label column 'y' has 3 distinct whole numbers (0, 1, 2): classes or a quantity? " \
           "Set `task: regression` to predict the number, or `task: binary` with " \
           "`positive_label: 2` to predict one class against the rest" in err
    regression = load_project(write(tmp_path, frame, task="regression"))
    assert regression.settings.metric == "rmse"
    binary = load_project(write(tmp_path, frame, task="binary", positive_label=2))
    assert "label column 'y': positive class '2' against the other 2 (0, 1)" in binary.notes
    table = TableSource.from_settings(binary.settings)
    assert table.frame["label"].mean() == pytest.approx(1 / 3)


def test_the_inferred_task_is_said_with_the_setting_that_overrides_it(tmp_path):
    project = load_project(write(tmp_path, events()))
    assert "label column 'y' has two values (0, 1): task binary (set `task` to override)" \
        in project.notes


def test_empty_labels_are_events_whose_label_never_arrives(tmp_path):
    frame = events()
    frame["y"] = frame["y"].astype(object)
    frame.loc[100:139, "y"] = "N/A"
    project = load_project(write(tmp_path, frame))
    assert "label column 'y' is empty in 40 of 12,000 rows: those events are scored and " \
           "monitored but never trained on (their label never arrives)" in project.notes
    table = TableSource.from_settings(project.settings)
    assert len(table.frame) == N  # every event is scored and monitored
    assert len(table.labels(pd.Timestamp("2023-01-01").date(), pd.Timestamp("2025-01-01").date())
               ) == N - 40


def test_exact_repeated_rows_are_dropped_with_their_count(tmp_path):
    frame = events()
    frame = pd.concat([frame, frame.iloc[[10, 20, 30] * 4]]).reset_index(drop=True)
    project = load_project(write(tmp_path, frame))
    assert "12 of 12,012 rows repeat an earlier row in every column (first: row 12,000): " \
           "dropped (set `drop_duplicates: false` to keep them)" in project.notes
    assert len(TableSource.from_settings(project.settings).frame) == N
    kept = load_project(write(tmp_path, frame, drop_duplicates=False))
    assert not any("repeat" in n for n in kept.notes)
    assert len(TableSource.from_settings(kept.settings).frame) == N + 12


def test_a_csv_that_is_not_utf8_keeps_duckdbs_reason_and_names_the_setting(tmp_path, capsys):
    frame = events(300).assign(shop=lambda f: f["shop"].map({"a": "café", "b": "Zürich",
                                                            "c": "Malmö"}))
    config = write(tmp_path, frame)
    (tmp_path / "events.csv").write_bytes(frame.to_csv(index=False).encode("latin-1"))
    err = fails(tmp_path, config, capsys)
    assert "This file is not utf-8 encoded; set `encoding: latin-1` (or utf-16) in the " \
           "settings, or re-encode the file as UTF-8" in err
    config.write_text(config.read_text() + "encoding: latin-1\n")
    table = TableSource.from_settings(load_project(config).settings)
    assert set(table.frame["shop"]) == {"café", "Zürich", "Malmö"}


def test_ct_demo_reads_a_dirty_wide_table_the_same_way_in_every_run_and_warns_nothing(tmp_path):
    """`ct demo` as a user runs it, on 200 numeric columns plus an amount with `N/A`s, an event
    id, an empty column, empty labels and repeated rows: the notes on stderr, the decisions in
    the home's settings.json, and the feature store that the Dagster runs filled from them."""
    rng = np.random.default_rng(4)
    frame = events(1_200).assign(event_id=lambda f: np.arange(len(f)) + 500, empty=None)
    frame["ts"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.sort(rng.uniform(0, 4, len(frame))), unit="D")).strftime("%Y-%m-%d %H:%M:%S")
    frame = with_markers(frame).astype({"y": object})
    frame.loc[[50, 60, 70], "y"] = "NA"
    wide = pd.DataFrame(rng.normal(size=(len(frame), 200)).round(3),
                        columns=[f"x{i}" for i in range(200)])
    frame = pd.concat([frame, wide], axis=1)
    frame = pd.concat([frame, frame.iloc[[5, 6]]], ignore_index=True)
    config = write(tmp_path, frame, warmup_days=2, min_train_rows=200, min_holdout_rows=50,
                   min_holdout_positives=5, holdout_days=1, candidate_windows=[0])
    home = tmp_path / "home"
    done = subprocess.run([sys.executable, "-m", "ct_assets.cli.main", "demo", "--config",
                           str(config), "--home", str(home), "--days", "3"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "retrain by schedule" in done.stdout and "promoted v1" in done.stdout
    notes = [line for line in done.stderr.splitlines() if line.startswith("ct: note: ")]
    assert "ct: note: 2 of 1,202 rows repeat an earlier row in every column (first: row 1,200)" \
           ": dropped (set `drop_duplicates: false` to keep them)" in notes
    assert "ct: note: label column 'y' is empty in 3 of 1,200 rows: those events are scored " \
           "and monitored but never trained on (their label never arrives)" in notes
    assert "ct: note: column 'event_id' holds 1,200 distinct integers increasing with time: " \
           "an identifier; left out (list it under `numeric` to keep it)" in notes
    assert "Warning" not in done.stderr  # 200 columns once warned 1,248 times in 12 days
    saved = json.loads((home / "settings.json").read_text())
    assert saved["exclude"] == ["event_id", "empty"] and saved["drop_duplicates"] is True
    assert saved["numeric"] == ["amount", *wide.columns] and "N/A" in saved["missing_values"]
    first = frame.drop_duplicates()
    first = first[pd.to_datetime(first["ts"]) < pd.Timestamp("2024-01-04")]
    with duckdb.connect(str(home / "ct.duckdb"), read_only=True) as con:
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns"
                                 " WHERE table_name = 'features'").fetchall())
        rows, amounts = con.execute("SELECT count(*), count(amount) FROM features").fetchone()
        labels = con.execute("SELECT count(*) FROM labels").fetchone()[0]
    assert types["amount"] == "DOUBLE" and "event_id" not in types and "empty" not in types
    assert rows == len(first) and amounts == (first["amount"] != "N/A").sum()
    assert labels == rows - 3


def test_a_200_column_table_is_read_and_featurized_without_a_warning(tmp_path):
    """The pure path of every day of a wide table (read, markers, features, store, model
    input), with warnings as errors: pandas warns once per column added to a frame one by one."""
    rng, n = np.random.default_rng(2), 2_000
    wide = pd.DataFrame(rng.normal(size=(n, 200)).round(3),
                        columns=[f"x{i}" for i in range(200)]).astype(object)
    wide.iloc[0] = "N/A"  # 200 columns each read anew
    config = write(tmp_path, pd.concat([events(n), wide], axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        project = load_project(config)
        table = TableSource.from_settings(project.settings)
        day = table.first_day
        features = table.feature_set.transform(table.events(day, day + dt.timedelta(days=1)))
        with duckdb.connect() as con:
            assert FeatureStore(con).replace_partition("features", day, features) == len(features)
        frame = model_frame(features, table.feature_set.schema)
    assert sum("values are 'N/A'" in n for n in project.notes) == 200
    assert frame.shape[1] == 203 and (frame.dtypes[:202] == "float64").all()
