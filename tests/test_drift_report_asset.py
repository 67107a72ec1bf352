"""`drift_report` materialized for real: a DuckDB feature store, a registered champion with its
reference profiles, and the asset run by Dagster; the metadata a person opens in the UI is
checked for the table, the chartable share and the plot."""

from __future__ import annotations

import base64
import datetime as dt
import re

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import materialize, node

from ct_assets.registry import ModelVersion, Registry
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet, FeatureStore
from ct_assets.training import TrainedModel
from ct_assets.training.reference import reference_profiles

START = dt.date(2025, 1, 1)
TRAIN_DAYS = 8
QUIET, CHANGED, EMPTY = START + dt.timedelta(8), START + dt.timedelta(70), START + dt.timedelta(9)


def _features(sim: EventSimulator, fset: FeatureSet, day: dt.date) -> pd.DataFrame:
    return fset.transform(sim.events(day))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home with features for training days and two report days, and a promoted champion."""
    root = tmp_path_factory.mktemp("home")
    settings = Settings(rows_per_day=1500)
    settings.save(root)
    sim = EventSimulator(seed=3, start=START, rows_per_day=settings.rows_per_day)
    fset = FeatureSet(tuple(sim.numeric), tuple(sim.categorical))
    with duckdb.connect(str(root / "ct.duckdb")) as con:
        fs = FeatureStore(con)
        train = []
        for day in [START + dt.timedelta(i) for i in range(TRAIN_DAYS)] + [QUIET, CHANGED]:
            rows = _features(sim, fset, day)
            fs.replace_partition("features", day, rows)
            fs.replace_partition("labels", day, sim.labels(day))
            if day < QUIET:
                train.append(rows)
        rows = pd.concat(train, ignore_index=True).sort_values("event_ts", ignore_index=True)
        rng = np.random.default_rng(0)  # a learnable label: the model only has to exist
        score = rows[list(fset.numeric)].rank(pct=True).mean(axis=1)
        score += rng.normal(0, 0.05, len(rows))
        rows["label"] = (score > score.quantile(0.9)).astype(int)
        model = TrainedModel.fit(rows, fset.schema, rounds=40)
        path = root / "models" / "v1.txt"
        holdout = rows[rows["event_ts"] >= pd.Timestamp(START + dt.timedelta(TRAIN_DAYS - 3))]
        record = Registry(con).register(ModelVersion(
            version="", task="binary", metric="roc_auc", cutoff=QUIET - dt.timedelta(1),
            window_days=TRAIN_DAYS, window_start=START, snapshot_id="ts-test",
            feature_version=fset.version, n_rows=len(rows), feature_schema=model.schema,
            profile=reference_profiles(model, holdout, fset.monitored),
            artifact_path=str(path), sha256=model.save(path)))
        Registry(con).promote(record.version, QUIET, "test champion")
        for day in (QUIET, CHANGED):
            scored = fs.read_partition("features", day)
            fs.replace_partition("predictions", day, scored[["entity_id", "event_ts"]].assign(
                model_version=record.version, score=model.predict(scored), source="batch"))
    return root


def _materialize(root, day: dt.date, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return materialize(root, "drift_report", day.isoformat(), raise_on_error=raise_on_error)


@pytest.mark.parametrize("day", [QUIET, CHANGED])
def test_drift_report_metadata_has_table_number_and_plot(home, day):
    result = _materialize(home, day)
    meta = result.asset_materializations_for_node(node("drift_report"))[0].metadata
    share = meta["drift_share"]
    assert isinstance(share, dg.FloatMetadataValue) and 0.0 <= share.value <= 1.0  # charted
    assert meta["champion_version"].value == "v1"
    assert meta["score_psi"].value is not None and meta["score_psi"].value >= 0
    table = meta["report"].value
    rows = [line for line in table.splitlines() if line.startswith("| ") and "feature" not in line]
    assert len(rows) == len(FeatureSet(tuple(EventSimulator().numeric),
                                       tuple(EventSimulator().categorical)).monitored)
    drifted = [r.split("|")[-3].strip() for r in rows]
    assert drifted == sorted(drifted, key=lambda d: d != "yes")  # drifted rows first
    plot = meta["plot"].value
    match = re.fullmatch(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", plot)
    assert match and base64.b64decode(match.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    check = result.get_asset_check_evaluations()[0]
    assert check.check_name == "dataset_drift" and check.passed == (not meta["drifted"].value)
    if day == CHANGED:  # 70 days of covariate shift and a concept change later
        assert meta["drifted"].value and not check.passed
        assert meta["drifted_features"].value != "none"
    with duckdb.connect(str(home / "ct.duckdb"), read_only=True) as con:
        stored = FeatureStore(con).read_partition("drift", day)
    assert "score" in set(stored["feature"]) and set(stored["model_version"]) == {"v1"}


def test_a_rejected_contender_refreshes_the_feature_reference(home):
    """Once a contender is rejected against the champion, days are compared with that
    contender's reference (data the champion was just checked on); the setting turns it off."""
    with duckdb.connect(str(home / "ct.duckdb")) as con:
        reg = Registry(con)
        champion = reg.champion()
        model = TrainedModel.load(champion.artifact_path, champion.feature_schema)
        changed = FeatureStore(con).read_partition("features", CHANGED)
        fset = FeatureSet(tuple(EventSimulator().numeric), tuple(EventSimulator().categorical))
        rejected = reg.register(ModelVersion(**{
            **{f: getattr(champion, f) for f in ("task", "metric", "window_days",
                                                 "window_start", "snapshot_id",
                                                 "feature_version", "n_rows", "feature_schema",
                                                 "artifact_path", "sha256")},
            "version": "", "cutoff": CHANGED,
            "profile": reference_profiles(model, changed, fset.monitored)}))
        reg.update(rejected.version, status="rejected")
    try:
        meta = _materialize(home, CHANGED).asset_materializations_for_node(node("drift_report"))[0]
        assert meta.metadata["reference_version"].value == rejected.version
        assert meta.metadata["champion_version"].value == "v1"  # the champion still serves
        assert meta.metadata["drift_share"].value == 0.0  # the day is its own reference
        Settings(rows_per_day=1500, refresh_reference=False).save(home)
        meta = _materialize(home, CHANGED).asset_materializations_for_node(node("drift_report"))[0]
        assert meta.metadata["reference_version"].value == "v1"
        assert meta.metadata["drifted"].value
    finally:
        Settings(rows_per_day=1500).save(home)


def test_empty_day_fails_with_a_named_error(home):
    with duckdb.connect(str(home / "ct.duckdb")) as con:
        con.execute("DELETE FROM features WHERE day = ?", [EMPTY])  # a day that never arrived
    result = _materialize(home, EMPTY, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert f"current data has 0 rows: features WHERE day = ? with $1 = {EMPTY}" in message

