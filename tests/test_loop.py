"""The loop end to end: `ct demo` on a real Dagster instance and a real DuckDB file.

One short demo (small days, short warm-up, a touchy drift threshold so both triggers fire within
the horizon) is run once as a subprocess, exactly as a user runs it; the tests then read what it
left behind through the public surfaces: `ct registry list --json`, the Dagster instance, the
BentoML store.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from ct_assets.settings import Settings

DAYS = 26
CT = [sys.executable, "-m", "ct_assets.cli.main"]


def KEY(asset: str) -> dg.AssetKey:  # noqa: N802 - the demo model's asset keys
    return dg.AssetKey(["demo", asset])


def ct(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*CT, *args], capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"ct {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("home")
    Settings(rows_per_day=1200, warmup_days=8, min_train_rows=3000, min_new_labels=1500,
             drift_share=0.2, cooldown_days=4, periodic_every_days=10, window="fixed",
             gate_floor=0.55, promotion="superior", staleness=None).save(root)
    run = ct("demo", "--days", str(DAYS), "--home", str(root))
    return root, run.stdout


@pytest.fixture(scope="module")
def registry(home):
    return json.loads(ct("registry", "list", "--home", str(home[0]), "--json").stdout)


@pytest.fixture(scope="module")
def instance(home):
    with dg.DagsterInstance.from_config(str(home[0] / "dagster")) as inst:
        yield inst


def test_registry_has_versions_from_both_triggers_and_one_champion(registry):
    versions = registry["versions"]
    assert len(versions) >= 2
    assert {v["trigger"] for v in versions} >= {"drift", "schedule"}
    assert [v["status"] for v in versions].count("champion") == 1
    for v in versions:
        assert v["run_id"] and v["snapshot_id"].startswith("ts-") and len(v["sha256"]) == 64
        floor_ok = v["metrics"]["roc_auc"] >= Settings().gate_floor
        assert floor_ok or v["status"] == "rejected"  # no model below the floor ever served
        assert v["cutoff"] >= v["window_start"]


def test_champion_bento_pins_the_champions_exact_model_tag(home, registry):
    import yaml

    champion = next(v for v in registry["versions"] if v["status"] == "champion")
    assert champion["model_tag"].startswith("ct_champion:")
    assert not champion["model_tag"].endswith(":latest")
    name, version = champion["bento_tag"].split(":")
    bento = yaml.safe_load((home[0] / "bentoml" / "bentos" / name / version / "bento.yaml")
                           .read_text())
    assert [m["tag"] for m in bento["services"][0]["models"]] == [champion["model_tag"]]


def test_alias_history_matches_promotions(registry):
    history = registry["champion_history"]
    promoted = [v["version"] for v in registry["versions"]
                if v["status"] in ("champion", "archived")]
    assert [h["version"] for h in history] == promoted
    assert all(h["until"] for h in history[:-1]) and history[-1]["until"] is None


def test_a_rejected_contender_is_a_green_run_that_says_why_and_no_run_is_red(instance,
                                                                            registry):
    assert {run.status for run in instance.get_runs()} == {dg.DagsterRunStatus.SUCCESS}
    rejected = [v for v in registry["versions"] if v["status"] == "rejected"]
    assert rejected, "the demo's settings are meant to make the gates reject some contenders"
    for version in rejected:
        run = instance.get_run_by_id(version["run_id"])
        assert run.tags["ct/outcome"].startswith(f"{version['version']} rejected, keeps v")
        gates = [e.dagster_event.event_specific_data for e in instance.all_logs(
            run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)]
        assert [(g.check_name, g.passed) for g in gates] == [("promotion_gates", False)]
        assert gates[0].description == version["gate"]["reason"]
        promoted = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        assert "champion_model" not in {e.dagster_event.asset_key.path[-1] for e in promoted}


def test_every_run_says_why_it_started(instance):
    runs = instance.get_runs()
    assert len(runs) >= DAYS
    for run in runs:
        assert run.tags.get("ct/trigger") in {"schedule", "drift", "manual", "backtest"}
        assert run.tags.get("ct/reason")
    ingest = [r for r in runs if r.job_name == "demo__ingest_job"]
    assert sorted(r.tags["dagster/partition"] for r in ingest)[0] == "2025-01-01"
    assert len({r.tags["dagster/partition"] for r in ingest}) == DAYS


def test_drift_reports_are_materialized_with_chartable_share(instance):
    records = instance.fetch_materializations(KEY("drift_report"), limit=100).records
    assert len(records) == DAYS
    with_champion = [r for r in records
                     if r.asset_materialization.metadata["champion_version"].value != "none"]
    assert with_champion
    share = with_champion[0].asset_materialization.metadata["drift_share"].value
    assert 0.0 <= share <= 1.0


def test_summary_names_retrains_champions_and_the_ui(home):
    out = home[1]
    assert "Retrains (" in out and "Champions" in out and "dg dev -f" in out
    assert f"DAGSTER_HOME={home[0] / 'dagster'}" in out


def test_rerun_resumes_instead_of_repeating(home, instance):
    before = len(instance.get_runs())
    out = ct("demo", "--days", str(DAYS), "--home", str(home[0])).stdout
    assert f"({DAYS} already done)" in out
    assert len(instance.get_runs()) == before


def test_a_retrain_with_too_few_labels_makes_no_contender(home, instance, tmp_path):
    before = json.loads(ct("registry", "list", "--home", str(home[0]), "--json").stdout)
    config = tmp_path / "run.yaml"
    config.write_text('ops:\n  demo__training_set:\n    config:\n      cutoff: "2025-01-02"\n')
    env = {**os.environ, "DAGSTER_HOME": str(home[0] / "dagster")}
    dg_cli = Path(sys.executable).parent / "dg"  # the home's own code location, as its UI loads it
    done = subprocess.run(
        [str(dg_cli), "launch", "--job", "demo__retrain_job", "--config", str(config),
         "-f", str(home[0] / "definitions.py")], capture_output=True, text=True, env=env,
        timeout=300, cwd=home[0])
    assert done.returncode == 0, done.stderr[-2000:]
    after = json.loads(ct("registry", "list", "--home", str(home[0]), "--json").stdout)
    assert after == before  # no contender, champion unchanged
    latest = instance.fetch_materializations(KEY("training_set"), limit=1).records[0]
    status = latest.asset_materialization.metadata["status"].value
    assert status.startswith("only ") and "labelled rows" in status and "2025-01-02" in status


def test_rollback_restores_the_previous_champion_and_history_shows_both(home, registry):
    promoted = [h["version"] for h in registry["champion_history"]]
    assert len(promoted) >= 2
    out = json.loads(ct("registry", "rollback", "--home", str(home[0]), "--json").stdout)
    assert out == {**out, "champion": promoted[-2], "previous": promoted[-1]}
    after = json.loads(ct("registry", "list", "--home", str(home[0]), "--json").stdout)
    history = after["champion_history"]
    assert [h["version"] for h in history] == [*promoted, promoted[-2]]
    assert history[-1]["reason"] == f"rollback from {promoted[-1]}"
    champion = [v for v in after["versions"] if v["status"] == "champion"]
    assert [v["version"] for v in champion] == [promoted[-2]] and champion[0]["bento_tag"]
