"""The learning rules, each pinned by behaviour that breaks if the rule is removed.

- Refit after selection: the version that serves learnt from the holdout's labels too, with
  the selected model's boosting rounds and nothing held back; the selected model and its
  holdout scores stay in the lineage.
- Volume-aware defaults: a table of 30 rows a month gets its first model within 12 months,
  with nothing but its columns configured.
- Non-inferiority by default: a contender the holdout cannot tell from the champion replaces it
  (gate-level tests are in test_gates.py); the registry records which rule decided.

Real pieces: `ct demo` and `ct backtest` as subprocesses on real homes, the registry they
leave, the model files.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import lightgbm as lgb
import pandas as pd
import pytest

from ct_assets.checksum import sha256_file
from ct_assets.registry import Registry
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.sizing import sized_defaults

CT = [sys.executable, "-m", "ct_assets.cli.main"]


def ct(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([*CT, *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"ct {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("learning")
    Settings(rows_per_day=800, window="fixed", window_days=21, policy="periodic",
             periodic_every_days=5, drift_plot=False, bootstrap_resamples=100).save(root)
    ct("demo", "--days", "26", "--home", str(root))
    with duckdb.connect(str(root / "ct.duckdb"), read_only=True) as con:
        return root, Registry(con).versions()


def test_the_served_model_is_refit_on_the_holdout_too(home):
    root, versions = home
    served = [v for v in versions if v.status in ("champion", "archived")]
    assert len(served) >= 2
    for record in served:
        assert record.refit and record.artifact_path.endswith("refit.txt")
        assert record.refit["rows"] > record.refit["selection_rows"]  # the holdout's rows too
        assert record.n_rows == record.refit["rows"]
        assert sha256_file(record.artifact(root)) == record.sha256  # the file that serves
        selection = root / record.refit["selection_artifact"]
        assert sha256_file(selection) == record.refit["selection_sha256"] != record.sha256
        assert record.metrics["roc_auc"] > 0.5  # the selected model's holdout scores stay
        # the recipe's rounds (early stopping chose them on the selected model), on every row:
        # no newest slice held back again for early stopping
        trees = [lgb.Booster(model_file=str(path)).current_iteration()
                 for path in (selection, record.artifact(root))]
        assert trees[0] == trees[1] > 1


def test_every_decision_names_its_rule_and_non_inferiority_is_the_default(home):
    _, versions = home
    judged = [v for v in versions if v.gate and v.champion_metrics]
    assert judged
    for record in judged:
        assert record.gate["rule"] == "non_inferior"
        assert record.gate["reason"].startswith("non_inferior:")
        assert record.gate["compared_rows"] > 0 and record.gate["upper_bound"] is not None
        # promoted unless the bootstrap's upper bound says it is worse than the champion
        assert (record.status != "rejected") == (record.gate["upper_bound"] >= 0)


def test_sizes_follow_the_streams_volume_and_explicit_settings_win():
    small = sized_defaults(rows_per_day=1.0, period="30d", positive_rate=0.4, task="binary")
    busy = sized_defaults(rows_per_day=20_000, period="1d", positive_rate=0.03, task="binary")
    assert small["min_train_rows"] + small["min_holdout_rows"] <= 6 * 30  # half a year
    assert (busy["min_train_rows"], busy["min_holdout_rows"]) == (5000, 2000)
    assert Settings(min_train_rows=7, rows_per_day=10).min_train_rows == 7
    assert Settings(rows_per_day=10).min_train_rows < Settings(rows_per_day=5000).min_train_rows


def test_a_table_of_30_rows_a_month_gets_a_model_within_12_months(tmp_path):
    sim = EventSimulator(seed=3, rows_per_day=1)  # ~30 events a month for two years
    days = [sim.labeled_events(sim.start + dt.timedelta(days=i)) for i in range(730)]
    frame = pd.concat(days).drop(columns=["entity_id", "label_ts"])
    frame["y"] = (frame.pop("label") + (frame["amount"] > frame["amount"].median())).clip(0, 1)
    frame.rename(columns={"event_ts": "ts"}).to_csv(tmp_path / "small.csv", index=False)
    (tmp_path / "ct.yaml").write_text("source: small.csv\ntime_column: ts\nlabel_column: y\n"
                                      "period: 30d\nlabel_delay: 1d\n")
    ct("backtest", "--config", str(tmp_path / "ct.yaml"), "--policies", "drift",
       "--out", str(tmp_path / "out"))
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    run = results["policies"]["drift"]
    first = min(dt.date.fromisoformat(r["day"]) for r in run["retrain_days"]
                if r["outcome"].startswith("promoted"))
    assert first < dt.date(2026, 1, 1)  # the 12th month of the stream ends 2025-12-31
    assert len(run["daily"]) >= 12  # and it scored the year after
