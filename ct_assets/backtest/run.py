"""Run every policy's replay (in parallel processes, one home each) and gather the results.

A policy is a retraining policy (`never`, `periodic`, `drift`, `drift+periodic`) under the base
settings or under a variant of them (`--set drift_share=0.2,0.3`, or a settings file of
overrides): each is one replay of the same history through the same graph, in its own home.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ct_assets.backtest.cores import share
from ct_assets.backtest.history import history_failed, write_history
from ct_assets.backtest.replay import replay_policy
from ct_assets.backtest.report import write_report
from ct_assets.backtest.results import summarise
from ct_assets.backtest.twins import leaders
from ct_assets.errors import CTError
from ct_assets.periods import Period
from ct_assets.settings import Settings

COST = {"periodic": 0, "drift+periodic": 1, "drift": 2, "never": 3}  # most retrains first
# Work that does not change what a policy would have served, skipped in every replay: the
# pictures in drift reports, and packaging each champion as a bento and serving it once.
SKIPPED = {"drift_plot": False, "package_champions": False}
SKIPPED_TEXT = ("drift plots, and packaging and infra validation of each champion's bento "
                "(a bento serves the champion's in-process scores, which are what is scored)")
SHARED_TEXT = ("events, labels and features were ingested once and copied to every policy, "
               "a model trained on the same rows with the same recipe was trained once and "
               "shared by the replays, and a policy with a periodic schedule was replayed with "
               "the same policy without it until the schedule first asked for a run")


def policy_settings(base: Settings, policy: str, every: int, window: str,
                    days: int | None = None, full: bool = False,
                    fits: Path | None = None) -> Settings:
    """The base settings under `policy`; the `periodic` policy retrains every `every` days;
    `fits`: the fit cache the replays share (none when `full`)."""
    changes = {"policy": policy, "window": window, "train_threads": 0,  # see `cores`
               **({} if full else {**SKIPPED, "fit_cache": str(fits) if fits else None})}
    if policy == "periodic":
        changes["periodic_every_days"] = every
    if base.simulated and days:  # the simulator never ends; the replay does
        changes["end"] = base.start + dt.timedelta(days=days - 1)
    return base.model_copy(update=changes)


def plan(base: Settings, policies: list[str], variants: dict[str, dict], every: int,
         window: str, days: int | None, full: bool,
         fits: Path | None = None) -> dict[str, Settings]:
    """One replay per policy and variant, named `policy` or `policy variant`, costliest first."""
    runs = {}
    for policy in sorted(policies, key=lambda p: COST[p]):
        for variant, overrides in (variants or {"": {}}).items():
            settings = Settings.model_validate({**base.model_dump(exclude_unset=True),
                                                **overrides})
            name = f"{policy} {variant}".strip()
            runs[name] = policy_settings(settings, policy, every, window, days, full,
                                         fits)
    return runs


def run_backtest(out: Path, base: Settings, days: int | None, policies: list[str], every: int,
                 window: str, workers: int | None = None, variants: dict[str, dict] | None = None,
                 full: bool = False) -> dict:
    """Replay `days` days (None: all of the source) under each policy and variant; write
    results.json, report.md and report.png. `full` replays everything production does."""
    homes = out / "homes"
    if homes.exists():
        if any(h.is_dir() and not (h / "settings.json").exists() and h.name != "fits"
               for h in homes.iterdir()):
            raise CTError(f"{homes} holds folders that are not ct homes; choose another --out")
        shutil.rmtree(homes)
    started = time.perf_counter()
    runs = plan(base, policies, variants or {}, every, window, days, full, homes / "fits")
    history = None if full else homes / "history.duckdb"
    followers = {} if full else leaders(runs)  # a follower -> the replay that carries it
    # A process per replay (up to twice the cores): the policies' work is uneven (periodic
    # retrains ten times as often as never), and the operating system keeps every core busy
    # until the last replays, which then train on the cores the others left (`cores`). A
    # follower's process waits until its leader lets it go: it takes no leader's place.
    cores = os.cpu_count() or 1
    workers = max(1, min(workers or 2 * cores, len(runs) - len(followers))) + len(followers)
    home_of = {name: str(homes / home_folder(name)) for name in runs}
    position = {name: i for i, name in enumerate(runs)}
    args = {name: (home_of[name], settings.model_dump_json(), days, position[name],
                   str(history) if history else None,
                   {f: (home_of[f], runs[f].model_dump_json(), position[f])
                    for f, leader in followers.items() if leader == name},
                   followers.get(name))
            for name, settings in runs.items()}
    context = multiprocessing.get_context("spawn")  # Dagster and DuckDB do not survive fork
    unfinished, done = context.Value("i", len(runs)), context.Array("i", len(runs))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=1,
                             initializer=share, initargs=(unfinished, done, workers)) as pool:
        futures = {name: pool.submit(replay_policy, name, *args[name])
                   for name in sorted(runs, key=lambda n: n in followers)}  # leaders first
        if history is not None:  # while the replays start; they wait for it
            try:
                write_history(history, next(iter(runs.values())), days)
            except BaseException:
                history_failed(history).touch()
                raise
        replayed = {name: _result(name, futures[name], homes) for name in runs}
    if history is not None:
        history.unlink(missing_ok=True)
        shutil.rmtree(homes / "fits", ignore_errors=True)
    starts = base.period_starts(days)
    results = {"days": (Period(base.period).end(starts[-1]) - starts[0]).days,
               "period": base.period, "periods": len(starts), "start": str(base.start),
               "source": base.source, "metric": base.metric, "window": window,
               "periodic_every_days": every, "wall_seconds": round(time.perf_counter() - started),
               "workers": workers, "variants": variants or {},
               "skipped": None if full else f"{SKIPPED_TEXT}; {SHARED_TEXT}",
               "policies": {name: summarise(run, base.metric) for name, run in replayed.items()}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    write_report(out, results)
    return results


def _result(name: str, future, homes: Path) -> dict:
    """A replay's results, or a clear error when its process died (killed, out of memory)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise CTError(f"the replay of {name!r} ended abruptly (its process was killed or ran "
                      f"out of memory); its home is {homes / home_folder(name)}. Run the "
                      "backtest again, with fewer --workers if memory is short") from exc


def home_folder(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
