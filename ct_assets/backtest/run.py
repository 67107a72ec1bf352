"""Run every policy's replay (in parallel processes, one home each) and gather the results."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ct_assets.backtest.replay import replay_policy
from ct_assets.backtest.report import write_report
from ct_assets.errors import CTError
from ct_assets.periods import Period
from ct_assets.settings import Settings

COST = {"periodic": 0, "drift+periodic": 1, "drift": 2, "never": 3}  # most retrains first


def policy_settings(base: Settings, policy: str, every: int, window: str,
                    threads: int = 0, days: int | None = None) -> Settings:
    """The base settings under `policy`; the `periodic` policy retrains every `every` days."""
    changes = {"policy": policy, "window": window, "train_threads": threads,
               "drift_plot": False}  # pictures of single days are not what a backtest compares
    if policy == "periodic":
        changes["periodic_every_days"] = every
    if base.simulated and days:  # the simulator never ends; the replay does
        changes["end"] = base.start + dt.timedelta(days=days - 1)
    return base.model_copy(update=changes)


def run_backtest(out: Path, base: Settings, days: int | None, policies: list[str], every: int,
                 window: str, workers: int = 2) -> dict:
    """Replay `days` days (None: all of the source) under each policy; write results.json,
    report.md and report.png."""
    homes = out / "homes"
    for policy in policies:
        home = homes / policy.replace("+", "_")
        if home.exists():
            if not (home / "settings.json").exists():
                raise CTError(f"{home} exists and is not a ct home; choose another --out")
            shutil.rmtree(home)
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # Dagster and DuckDB do not survive fork
    workers = max(1, min(workers, len(policies)))
    threads = 1 if workers > 1 else 0  # parallel replays share the cores, not oversubscribe
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             max_tasks_per_child=1) as pool:  # one home per process
        futures = {  # the policies that retrain most start first, so the workers end together
            policy: pool.submit(replay_policy, policy, str(homes / policy.replace("+", "_")),
                                policy_settings(base, policy, every, window, threads,
                                                days).model_dump_json(), days, i)
            for i, policy in sorted(enumerate(policies), key=lambda ip: COST[ip[1]])}
        runs = {policy: futures[policy].result() for policy in policies}
    starts = base.period_starts(days)
    results = {"days": (Period(base.period).end(starts[-1]) - starts[0]).days,
               "period": base.period, "periods": len(starts), "start": str(base.start),
               "source": base.source, "metric": base.metric, "window": window,
               "periodic_every_days": every, "wall_seconds": round(time.perf_counter() - started),
               "policies": {p: summarise(run, base.metric) for p, run in runs.items()}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    write_report(out, results)
    return results


def summarise(run: dict, metric: str) -> dict:
    values = [d["value"] for d in run["daily"]]
    promoted = [r for r in run["retrain_days"] if r["outcome"].startswith("promoted")]
    return {"metric": metric, "mean": round(sum(values) / len(values), 4) if values else None,
            "retrains": len(run["retrain_days"]), "promotions": len(promoted),
            "retrain_days": run["retrain_days"], "daily": run["daily"],
            "compute_seconds": run["seconds"]}


def write_single_report(out: Path, settings: Settings, run: dict, days: int | None) -> dict:
    """The same report for one replay (the demo's own policy), so the demo ends with a picture."""
    starts = settings.period_starts(days)
    results = {"days": (Period(settings.period).end(starts[-1]) - starts[0]).days,
               "period": settings.period, "periods": len(starts),
               "start": str(settings.start), "metric": settings.metric,
               "window": settings.window, "periodic_every_days": settings.periodic_every_days,
               "wall_seconds": run["seconds"],
               "policies": {settings.policy: summarise(run, settings.metric)}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    write_report(out, results)
    return results
