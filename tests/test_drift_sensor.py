"""The real drift sensor on an ephemeral instance: it retrains on covariate drift in the newest
drift report, and on the champion's realised metric in the same day's performance report.

The ingest run materializes stand-ins with the real asset keys (no model is trained here); the
sensor reads them back from the instance exactly as the daemon would.
"""

from __future__ import annotations

import dagster as dg
import pytest
from conftest import model_graph

from ct_assets.graph import build_definitions
from ct_assets.settings import Settings

DAY = "2025-03-10"


def ingest(m, instance, day: str, drift: dict, performance: dict | None) -> None:
    """Stand-ins under the model's real keys, with metadata as the real reports write it."""
    @dg.asset(key=m.key("drift_report"), partitions_def=m.partitions)
    def drift_report():
        return dg.MaterializeResult(metadata={
            "champion_version": "v3", "new_labels_since_champion": 9000,
            "drifted_features": "none", **drift})

    assets = [drift_report]
    if performance is not None:
        @dg.asset(key=m.key("performance_report"), partitions_def=m.partitions)
        def performance_report():
            return dg.MaterializeResult(metadata={"metric": "roc_auc", "roc_auc": 0.8,
                                                  "models": "v3", **performance})

        assets.append(performance_report)
    dg.materialize(assets, instance=instance, partition_key=day)


@pytest.fixture
def sense(tmp_path):
    m = model_graph(tmp_path, Settings(policy="drift", perf_drop=0.03))
    sensor = build_definitions(m).resolve_sensor_def(m.named("drift_retrain_sensor"))
    instance = dg.DagsterInstance.ephemeral()

    def evaluate():
        return sensor(dg.build_sensor_context(instance))

    return lambda *args: ingest(m, instance, *args), evaluate


DEGRADED = {"champion_version": "v3", "champion_roc_auc": 0.79, "champion_holdout_roc_auc": 0.86,
            "champion_rows": 12000, "champion_positives": 300}
QUIET = {"drift_share": 0.1, "drifted": False}


def test_degraded_champion_retrains_without_covariate_drift(sense):
    ingest, evaluate = sense
    ingest(DAY, QUIET, DEGRADED)
    request = evaluate()
    assert isinstance(request, dg.RunRequest)
    assert request.tags["ct/trigger"] == "drift" and request.tags["ct/cutoff"] == DAY
    assert request.tags["ct/reason"].startswith(
        f"performance on {DAY}: realised roc_auc 0.790 is 0.070 worse than the champion's "
        "holdout 0.860")


def test_healthy_champion_and_no_drift_skips_with_both_numbers(sense):
    ingest, evaluate = sense
    ingest(DAY, QUIET, {**DEGRADED, "champion_roc_auc": 0.85})
    skip = evaluate()
    assert isinstance(skip, dg.SkipReason)
    assert "drift share 0.10 below 0.3" in skip.skip_message
    assert "realised roc_auc 0.850 vs holdout 0.860" in skip.skip_message


def test_only_the_same_days_performance_report_counts(sense):
    ingest, evaluate = sense
    ingest("2025-03-09", QUIET, DEGRADED)  # yesterday's report degraded...
    ingest(DAY, QUIET, None)  # ...today's has no performance report yet
    skip = evaluate()
    assert isinstance(skip, dg.SkipReason) and "drift share 0.10" in skip.skip_message
