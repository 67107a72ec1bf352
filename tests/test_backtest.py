"""`ct backtest` on a short horizon: real replays in separate processes, three output files."""

import json
import statistics
import subprocess
import sys

import psutil
import pytest
from waiting import wait_for

DAYS = 21


def backtest(out, *extra: str):
    done = subprocess.run(
        [sys.executable, "-m", "ct_assets.cli.main", "backtest", "--days", str(DAYS),
         "--policies", "never,periodic", "--every", "3", "--out", str(out), *extra],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads((out / "results.json").read_text()), done.stdout


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return backtest(tmp_path_factory.mktemp("bt"))


def test_skipping_what_does_not_change_the_answer_changes_nothing(results, tmp_path):
    """The fast replay (history ingested once, no bentos, no plots) against `--full`."""
    _, fast, _ = results
    _, full, _ = backtest(tmp_path, "--full")
    assert fast["skipped"] and full["skipped"] is None
    shared = fast["policies"]["periodic"]["shared"]  # `never` carried it until it parted
    assert shared["with"] == "never" and shared["parted"] and shared["until"] < "2025-01-21"
    assert full["policies"]["periodic"]["shared"] is None
    for name, policy in full["policies"].items():
        same = fast["policies"][name]
        assert [d["value"] for d in same["daily"]] == [d["value"] for d in policy["daily"]]
        assert [_decision(r) for r in same["retrain_days"]] == [
            _decision(r) for r in policy["retrain_days"]]
        assert (same["mean"], same["promotions"]) == (policy["mean"], policy["promotions"])
    champions = [v for v in json.loads(subprocess.run(
        [sys.executable, "-m", "ct_assets.cli.main", "registry", "list", "--json", "--home",
         str(tmp_path / "homes" / "periodic")], capture_output=True, text=True,
        check=True).stdout)["versions"] if v["status"] in ("champion", "archived")]
    assert champions and all(v["bento_tag"] and v["deployable"] for v in champions)


def test_a_policy_carried_to_the_end_gets_the_answers_of_its_own_replay(tmp_path):
    """`drift+periodic` replayed inside `drift` (their triggers agree throughout here) against
    its own replay under `--full`."""
    both = ("--policies", "drift,drift+periodic")
    _, fast, stdout = backtest(tmp_path / "fast", *both, "--workers", "1")  # + the follower's
    _, full, _ = backtest(tmp_path / "full", *both, "--full")
    carried = fast["policies"]["drift+periodic"]
    assert carried["shared"] == {"with": "drift", "until": "2025-01-21", "parted": False}
    assert "replayed together with `drift` throughout" in stdout
    own = full["policies"]["drift+periodic"]
    assert [d["value"] for d in carried["daily"]] == [d["value"] for d in own["daily"]]
    assert [_decision(r) for r in carried["retrain_days"]] == [
        _decision(r) for r in own["retrain_days"]]
    assert carried["retrains"] >= 2 and carried["compute_seconds"] > 0
    listed = subprocess.run(  # the follower's home is a home of its own
        [sys.executable, "-m", "ct_assets.cli.main", "registry", "list", "--json", "--home",
         str(tmp_path / "fast" / "homes" / "drift_periodic")], capture_output=True, text=True,
        check=True).stdout
    assert len(json.loads(listed)["versions"]) == carried["attempts"] - sum(
        r["outcome"].startswith("no contender") for r in carried["retrain_days"])


def _decision(retrain: dict) -> tuple:
    return retrain["day"], retrain["trigger"], retrain["reason"], retrain["outcome"]


def test_writes_results_report_and_picture(results):
    out, data, stdout = results
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| never |" in report and "| periodic |" in report
    assert "CPU s a retrain" in report
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
        costs = [r["cpu_seconds"] for r in policy["retrain_days"]
                 if not r["outcome"].startswith("no contender")]
        assert costs and all(c > 0 for c in costs)  # what a retrain cost, run by run
        assert policy["retrain_cpu_seconds"] == round(statistics.median(costs), 2)


def test_policies_retrain_as_their_triggers_say(results):
    _, data, _ = results
    never, periodic = data["policies"]["never"], data["policies"]["periodic"]
    models = [r for r in never["retrain_days"] if not r["outcome"].startswith("no contender")]
    assert [r["trigger"] for r in models] == ["schedule"] and never["retrains"] == 1
    assert models[0]["reason"].startswith("first model")  # the first model only
    assert never["attempts"] == len(never["retrain_days"])
    assert len(periodic["retrain_days"]) >= 3
    assert all(r["trigger"] == "schedule" for r in periodic["retrain_days"])


def test_the_same_days_are_scored_for_every_policy(results):
    _, data, _ = results
    days = [[d["day"] for d in p["daily"]] for p in data["policies"].values()]
    assert days[0] == days[1]


def test_report_compares_drift_with_never_and_periodic():
    from ct_assets.backtest.report import markdown

    def policy(values, retrains):
        daily = [{"day": f"2025-01-{i + 1:02d}", "value": v} for i, v in enumerate(values)]
        return {"mean": sum(values) / len(values), "retrains": retrains, "promotions": 1,
                "compute_seconds": 1.0, "daily": daily}

    wiggle = ([0.02, -0.01, 0.0, -0.02, 0.01] * 6)[:28]  # weeks that do not sum to zero
    results = {"metric": "roc_auc", "days": 28, "start": "2025-01-01", "window": "fixed",
               "policies": {"never": policy([0.75] * 28, 1),
                            "periodic": policy([0.82 + w for w in wiggle], 24),
                            "drift": policy([0.82] * 28, 12)}}
    md = markdown(results)
    assert "`drift` vs `never`: +0.0700 mean daily roc_auc (95% interval +0.0700 to +0.0700 " \
           "over 28 days, a real difference) with 12 retrains instead of 1." in md
    assert "`drift` vs `periodic`: -0.0004 mean daily roc_auc (95% interval -0.0" in md
    assert "within the noise: a match) with 12 retrains instead of 24." in md
    del results["policies"]["periodic"]
    assert "vs `periodic`" not in markdown(results)


def test_a_replay_killed_midway_is_a_clear_error_naming_it(tmp_path):
    out = tmp_path / "killed"
    parent = subprocess.Popen(
        [sys.executable, "-m", "ct_assets.cli.main", "backtest", "--days", str(DAYS),
         "--policies", "never", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def replaying():  # the replay's process, once it has begun its periods
            if not (out / "homes" / "never" / "ct.duckdb").exists():
                return None
            return next((p for p in psutil.Process(parent.pid).children(recursive=True)
                         if "spawn_main" in " ".join(p.cmdline())), None)

        wait_for(replaying, 300, "the replay process").kill()
        _, stderr = parent.communicate(timeout=300)
    finally:
        parent.kill()
    assert parent.returncode == 2
    assert "the replay of 'never' ended abruptly" in stderr and "Traceback" not in stderr
    assert str(out / "homes" / "never") in stderr


def test_replays_do_not_outlive_a_backtest_killed_midway(tmp_path):
    """kill -9 of `ct backtest` (while it writes the shared history, replays waiting for it, or
    later, replaying): its replay processes end too, instead of writing the homes on and on."""
    parent = subprocess.Popen(
        [sys.executable, "-m", "ct_assets.cli.main", "backtest", "--days", "180",
         "--policies", "never,periodic", "--out", str(tmp_path / "orphans")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def replays():
            found = [p for p in psutil.Process(parent.pid).children(recursive=True)
                     if "spawn_main" in " ".join(p.cmdline())]
            return found if len(found) == 2 else None

        children = wait_for(replays, 300, "both replay processes")
    finally:
        parent.kill()
        parent.wait()
    _, alive = psutil.wait_procs(children, timeout=60)
    assert not alive, f"replays still running after their backtest was killed: {alive}"
