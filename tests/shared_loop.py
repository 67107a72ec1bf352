"""The loop the shared deployment's end-to-end test runs, as steps both deployments take:
ingest days, a manual retrain, more days, one newest day, the drift sensor's verdict.

`in_process` runs the steps on the embedded default the way `ct demo` does (the real
definitions, executed in process on the home's SQLite instance, one run at a time);
the shared deployment runs the same steps through the real daemon (tests/
test_shared_deployment.py). `history` is what the two must agree on."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from ct_assets.graph import ModelGraph, build_definitions
from ct_assets.graph.jobs import retrain_request
from ct_assets.home import Home
from ct_assets.settings import Settings

START = dt.date(2025, 1, 1)
FIRST, MORE, LAST = 14, 7, 1  # backfilled days, days backfilled after the first model, then one
DAYS = FIRST + MORE + LAST


def settings(**changes) -> Settings:
    return Settings(rows_per_day=700, warmup_days=8, min_train_rows=2000, min_holdout_rows=600,
                    min_holdout_positives=15, window="fixed", window_days=21,
                    drift_plot=False, bootstrap_resamples=50, package_champions=False,
                    end=START + dt.timedelta(days=DAYS - 1), **changes)


def day(i: int) -> dt.date:
    return START + dt.timedelta(days=i)


def first_retrain(m: ModelGraph) -> dg.RunRequest:
    return retrain_request(m, day(FIRST - 1), "manual", "first model after the backfill")


def in_process(root) -> ModelGraph:
    """The embedded default through the whole loop."""
    home = Home.create(root)
    settings().save(home.root)
    m = ModelGraph("demo", home, settings())
    defs = build_definitions(m)
    ingest, retrain = (defs.resolve_job_def(m.named(j)) for j in ("ingest_job", "retrain_job"))
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}

    def run(job, request=None, partition=None):
        config = {**(request.run_config if request else {}), **quiet}
        done = job.execute_in_process(instance=instance, partition_key=partition,
                                      run_config=config, tags=request.tags if request else {})
        assert done.success

    with dg.DagsterInstance.from_config(str(home.dagster)) as instance:
        for i in range(FIRST):
            run(ingest, partition=day(i).isoformat())
        run(retrain, first_retrain(m))
        for i in range(FIRST, DAYS):
            run(ingest, partition=day(i).isoformat())
        sensor = defs.resolve_sensor_def(m.named("drift_retrain_sensor"))
        request = sensor(dg.build_sensor_context(instance, definitions=defs))
        assert isinstance(request, dg.RunRequest), request
        run(retrain, request)
    return m


def history(m: ModelGraph) -> dict:
    """What the two deployments must agree on: every version's lineage and outcome, and the
    champion alias history."""
    with m.registry() as reg:
        versions = [(v.version, v.status, str(v.cutoff), v.window_days, str(v.window_start),
                     v.snapshot_id, v.feature_version, v.n_rows, v.sha256, v.trigger, v.reason,
                     {k: round(x, 9) for k, x in v.metrics.items()},
                     (v.gate or {}).get("passed")) for v in reg.versions()]
        aliases = [(h["version"], h["day"], h["reason"]) for h in reg.history()]
    return {"versions": versions, "champions": aliases}
