"""The README's main command as a user runs it: `ct demo` with every default (90 days), then
what the Dagster UI shows of it, read from the home's own instance and code location.

- No red run: every run succeeded, and every retrain whose contender the gates rejected is a
  green run whose `ct/outcome` tag and failed `promotion_gates` check say why.
- The drift share and the realised metric are numbers on every partition's materialization
  (the UI charts them per partition), and the partitions end at the stream's last day.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import dagster as dg
import pytest

from ct_assets.graph import definitions_for_home

CT = [sys.executable, "-m", "ct_assets.cli.main"]
LAST_DAY = dt.date(2025, 3, 31)  # 90 days from the simulator's 2025-01-01


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("default") / ".ct"  # a dot-prefixed home, like ./.ct
    done = subprocess.run([*CT, "demo", "--home", str(root)], capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    listed = subprocess.run([*CT, "registry", "list", "--home", str(root), "--json"],
                            capture_output=True, text=True, check=True)
    with dg.DagsterInstance.from_config(str(root / "dagster")) as instance:
        yield root, done.stdout, json.loads(listed.stdout), instance


def test_no_run_is_red_and_a_rejection_is_green_with_its_reason(demo):
    root, out, registry, instance = demo
    runs = instance.get_runs()
    assert len(runs) >= 90 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert "no failed runs" in out
    retrains = [r for r in runs if r.job_name == "demo__retrain_job"]
    by_run = {v["run_id"]: v for v in registry["versions"]}
    assert retrains and all(r.tags.get("ct/outcome") for r in retrains)
    for run in retrains:
        version = by_run.get(run.run_id)
        if version is None or version["status"] != "rejected":
            continue
        assert run.tags["ct/outcome"].startswith(f"{version['version']} rejected")
        checks = [e.dagster_event.event_specific_data for e in instance.all_logs(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)]
        assert [(c.check_name, c.passed) for c in checks] == [("promotion_gates", False)]
        assert checks[0].description == version["gate"]["reason"]
    promoted = [v for v in registry["versions"] if v["status"] in ("champion", "archived")]
    for version in promoted:
        run = instance.get_run_by_id(version["run_id"])
        assert run.tags["ct/outcome"].startswith(f"{version['version']} promoted")


def test_drift_share_and_realised_metric_are_charted_per_partition(demo):
    root, _, _, instance = demo
    charted = {"drift_report": "drift_share", "performance_report": "roc_auc"}
    for asset, number in charted.items():
        records = instance.fetch_materializations(dg.AssetKey(["demo", asset]),
                                                  limit=1000).records
        by_partition = {r.asset_materialization.partition: r.asset_materialization.metadata
                        for r in records}
        assert len(by_partition) == len(records) == 90  # one per partition, each keyed by it
        served = [m for m in by_partition.values()
                  if getattr(m.get("champion_version"), "value", "none") != "none"]
        assert len(served) >= 30, asset  # a champion for most of the demo
        assert all(isinstance(m[number].value, float) for m in served), asset
    partitions = definitions_for_home(root).get_assets_def(
        dg.AssetKey(["demo", "drift_report"])).partitions_def
    keys = partitions.get_partition_keys()
    assert keys[0] == "2025-01-01" and keys[-1] == LAST_DAY.isoformat() and len(keys) == 90
