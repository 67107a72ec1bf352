"""`ct backtest` on a short horizon: real replays in separate processes, three output files."""

import json
import subprocess
import sys

import pytest

DAYS = 21


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bt")
    done = subprocess.run(
        [sys.executable, "-m", "ct_assets.cli.main", "backtest", "--days", str(DAYS),
         "--policies", "never,periodic", "--every", "3", "--out", str(out)],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text()), done.stdout


def test_writes_results_report_and_picture(results):
    out, data, stdout = results
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| never |" in report and "| periodic |" in report
    assert report in stdout


def test_each_policy_has_the_required_fields(results):
    _, data, _ = results
    assert set(data["policies"]) == {"never", "periodic"}
    for policy in data["policies"].values():
        assert {"metric", "mean", "retrains", "retrain_days", "daily", "compute_seconds"} <= set(
            policy)
        assert policy["metric"] == "roc_auc" and 0.5 < policy["mean"] < 1.0
        days = [d["day"] for d in policy["daily"]]
        assert days == sorted(days) and len(days) >= DAYS - 14  # served from the first model on


def test_policies_retrain_as_their_triggers_say(results):
    _, data, _ = results
    never, periodic = data["policies"]["never"], data["policies"]["periodic"]
    assert [r["trigger"] for r in never["retrain_days"]] == ["schedule"]  # the first model only
    assert never["retrain_days"][0]["reason"].startswith("first model")
    assert len(periodic["retrain_days"]) >= 3
    assert all(r["trigger"] == "schedule" for r in periodic["retrain_days"])


def test_the_same_days_are_scored_for_every_policy(results):
    _, data, _ = results
    days = [[d["day"] for d in p["daily"]] for p in data["policies"].values()]
    assert days[0] == days[1]
