"""The real drift sensor on an ephemeral instance: it retrains on covariate drift in the newest
drift report, and on the champion's realised metric in the same day's performance report.

The ingest run materializes stand-ins with the real asset keys (no model is trained here); the
sensor reads them back from the instance exactly as the daemon would.
"""

from __future__ import annotations

import dagster as dg
import pytest

from ct_assets.defs.automation import drift_retrain_sensor
from ct_assets.defs.partitions import periodic
from ct_assets.resources import ProjectResource
from ct_assets.settings import Settings

DAY = "2025-03-10"


def ingest(instance, day: str, drift: dict, performance: dict | None) -> None:
    @dg.asset(name="drift_report", partitions_def=periodic)
    def drift_report():
        return dg.MaterializeResult(metadata={
            "champion_version": "v3", "new_labels_since_champion": 9000,
            "drifted_features": "none", **drift})

    assets = [drift_report]
    if performance is not None:
        @dg.asset(name="performance_report", partitions_def=periodic)
        def performance_report():
            return dg.MaterializeResult(metadata={"roc_auc": 0.8, "models": "v3", **performance})

        assets.append(performance_report)
    dg.materialize(assets, instance=instance, partition_key=day)


@pytest.fixture
def sense(tmp_path):
    Settings(policy="drift", perf_drop=0.03).save(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    project = ProjectResource(home=str(tmp_path))

    def evaluate():
        context = dg.build_sensor_context(instance, resources={"project": project})
        return drift_retrain_sensor(context)

    return instance, evaluate


DEGRADED = {"champion_version": "v3", "champion_roc_auc": 0.79, "champion_holdout_roc_auc": 0.86,
            "champion_rows": 12000, "champion_positives": 300}
QUIET = {"drift_share": 0.1, "drifted": False}


def test_degraded_champion_retrains_without_covariate_drift(sense):
    instance, evaluate = sense
    ingest(instance, DAY, QUIET, DEGRADED)
    request = evaluate()
    assert isinstance(request, dg.RunRequest)
    assert request.tags["ct/trigger"] == "drift" and request.tags["ct/cutoff"] == DAY
    assert request.tags["ct/reason"].startswith(
        f"performance on {DAY}: realised roc_auc 0.790 is 0.070 worse than the champion's "
        "holdout 0.860")


def test_healthy_champion_and_no_drift_skips_with_both_numbers(sense):
    instance, evaluate = sense
    ingest(instance, DAY, QUIET, {**DEGRADED, "champion_roc_auc": 0.85})
    skip = evaluate()
    assert isinstance(skip, dg.SkipReason)
    assert "drift share 0.10 below 0.3" in skip.skip_message
    assert "realised roc_auc 0.850 vs holdout 0.860" in skip.skip_message


def test_only_the_same_days_performance_report_counts(sense):
    instance, evaluate = sense
    ingest(instance, "2025-03-09", QUIET, DEGRADED)  # yesterday's report degraded...
    ingest(instance, DAY, QUIET, None)  # ...today's has no performance report yet
    skip = evaluate()
    assert isinstance(skip, dg.SkipReason) and "drift share 0.10" in skip.skip_message
