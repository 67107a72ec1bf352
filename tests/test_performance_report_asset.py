"""`performance_report` materialized for real on a DuckDB home: the realised metric of all
scores given, and apart from it the champion's own realised metric next to its holdout metric
(what the drift sensor compares)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import materialize, node

from ct_assets.records import PerformanceSummary
from ct_assets.registry import ModelVersion, Registry
from ct_assets.settings import Settings
from ct_assets.store import FeatureStore
from ct_assets.training import evaluate

DAY = dt.date(2025, 3, 10)
N = 4000


def _record(holdout_auc: float) -> ModelVersion:
    return ModelVersion(
        version="", task="binary", metric="roc_auc", cutoff=DAY - dt.timedelta(days=3),
        window_days=28, window_start=DAY - dt.timedelta(days=31), snapshot_id="ts-test",
        feature_version="fv-test", n_rows=1, feature_schema={}, profile={},
        artifact_path="none", sha256="none", metrics={"roc_auc": holdout_auc})


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One day of scores: the first half by the old model v1 (noise), the second half by the
    champion v2 (informative); every label known within the day."""
    root = tmp_path_factory.mktemp("home")
    Settings(perf_window_days=14).save(root)
    rng = np.random.default_rng(0)
    label = (rng.random(N) < 0.05).astype(int)
    ts = pd.Timestamp(DAY) + pd.to_timedelta(np.sort(rng.uniform(0, 20, N)), unit="h")
    version = np.where(np.arange(N) < N // 2, "v1", "v2")
    informative = 1 / (1 + np.exp(-(3 * label + rng.normal(-2, 1.5, N))))  # a probability
    score = np.where(version == "v2", informative, rng.random(N))
    ids = [f"e{i}" for i in range(N)]
    with duckdb.connect(str(root / "ct.duckdb")) as con:
        fs, reg = FeatureStore(con), Registry(con)
        fs.replace_partition("predictions", DAY, pd.DataFrame({
            "entity_id": ids, "event_ts": ts, "model_version": version, "score": score,
            "source": "batch"}))
        fs.replace_partition("labels", DAY, pd.DataFrame({
            "entity_id": ids, "label": label, "label_ts": ts + pd.Timedelta(hours=1)}))
        for auc in (0.80, 0.90):
            reg.promote(reg.register(_record(auc)).version, DAY - dt.timedelta(days=3), "test")
    return root, pd.DataFrame({"label": label, "score": score, "version": version})


def test_champion_scored_apart_with_its_holdout_metric(home):
    root, truth = home
    result = materialize(root, "performance_report", DAY.isoformat())
    metadata = result.asset_materializations_for_node(node("performance_report"))[0].metadata
    meta = {k: v.value for k, v in metadata.items()}
    own = truth[truth["version"] == "v2"]
    assert meta.get("models") == "v1,v2", meta
    assert meta["roc_auc"] == pytest.approx(evaluate(truth["label"], truth["score"])["roc_auc"])
    assert meta["champion_version"] == "v2"
    assert meta["champion_roc_auc"] == pytest.approx(
        evaluate(own["label"], own["score"])["roc_auc"])
    assert meta["champion_roc_auc"] > meta["roc_auc"] + 0.1  # v1's noise is not the champion's
    assert meta["champion_rows"] == len(own)
    assert meta["champion_positives"] == int(own["label"].sum())
    assert meta["champion_holdout_roc_auc"] == pytest.approx(0.90)
    summary = PerformanceSummary.from_metadata(metadata)  # what the drift sensor reads back
    assert summary.champion_realised == meta["champion_roc_auc"]
    assert summary.champion_holdout == pytest.approx(0.90) and summary.value == meta["roc_auc"]
    floor = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in floor] == [("performance_floor", True)]
