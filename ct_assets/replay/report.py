"""What the demo tells as it goes (a line per retrain, the progress bar's status) and its
closing summary: retrains, champions, realised metric, and how to look closer."""

from __future__ import annotations

import json
from collections import Counter

import click

from ct_assets.graph.run_state import latest_drift_report
from ct_assets.home import Home
from ct_assets.records import RunTags
from ct_assets.replay.driver import DayDriver, RunOutcome
from ct_assets.replay.outcome import retrain_outcome
from ct_assets.replay.summary import champion_table, realised_by_week, retrain_table
from ct_assets.settings import Settings


def status(driver: DayDriver) -> str:
    """A few words for the progress bar: the champion and the newest drift share."""
    reading = latest_drift_report(driver.instance, driver.model)
    if reading is None:
        return "no drift report yet"
    share = reading.summary.drift_share
    return (f"champion {reading.summary.champion_version}"
            + (f", drift {share:.2f}" if share is not None else ""))


def describe(driver: DayDriver, run: RunOutcome) -> str:
    """One line for a run worth telling about: a retrain and its outcome, or a failure."""
    if run.job != "retrain_job":
        return f"{run.day}: {run.job} failed (run {run.run_id[:8]}; see the Dagster UI)"
    tags = RunTags.from_tags(run.tags)
    return (f"{run.day}: retrain by {tags.trigger} ({tags.reason}) -> "
            f"{retrain_outcome(driver.home, run.run_id, run.tags)}")


def print_summary(home: Home, settings: Settings, outcomes: list[RunOutcome],
                  seconds: float) -> list[RunOutcome]:
    """Print what the replay did; return the runs that broke (a rejection is not one)."""
    retrains = retrain_table(home, outcomes)
    failed = [o for o in outcomes if not o.success]
    click.echo(f"\nDone in {seconds:.0f} s: {len(outcomes)} runs, {len(retrains)} retrains, "
               f"{len(failed) or 'no'} failed run{'' if len(failed) == 1 else 's'}.")
    if not retrains.empty:
        counts = retrains["trigger"].value_counts().to_dict()
        click.echo("\nRetrains (" + ", ".join(f"{n} by {t}" for t, n in counts.items()) + "):")
        for row in retrains.itertuples():
            click.echo(f"  {row.day:%Y-%m-%d}  {row.trigger:8}  {row.outcome}")
            click.echo(f"  {'':10}  {'':8}  why: {row.reason}")
    champions = champion_table(home)
    if not champions.empty:
        click.echo("\nChampions (holdout metric at promotion):")
        for row in champions.itertuples():
            click.echo(f"  {row.version:5} from {row.from_day:%Y-%m-%d}  "
                       f"{row.metric} {row.holdout_value:.3f}")
    weekly = realised_by_week(home, settings.metric)
    if not weekly.empty:
        click.echo(f"\nRealised {settings.metric} of the served scores (labels known by week end):")
        values = weekly[settings.metric]
        low, high = (0.5, 1.0) if settings.metric == "roc_auc" else (0.0, values.max() or 1.0)
        for row in weekly.itertuples():
            value = getattr(row, settings.metric)
            bar = "#" * min(30, max(0, int(round((value - low) / (high - low) * 30)))) \
                if value == value else ""
            click.echo(f"  week of {row.week:%Y-%m-%d}  {value:.3f}  {bar:30} "
                       f"{row.models} ({row.rows} rows)")
    log = home.root / "alerts.jsonl"
    if log.exists():
        kinds = [json.loads(line).get("kind") for line in log.read_text().splitlines()
                 if '"event": "alert"' in line]
        counts = ", ".join(f"{n} {k}" for k, n in sorted(Counter(kinds).items()))
        click.echo(f"\nAlerts ({counts or 'none'}): {log}")
    click.echo(
        "\nOpen the Dagster UI on this instance (runs, materializations, checks, schedules):"
        f"\n  DAGSTER_HOME={home.dagster} dg dev -f {home.code_location}"
        f"\nList the registry:  ct registry list --home {home.root}"
        f"\nServe the champion: ct serve --home {home.root}")
    if failed:
        click.echo(f"\n{len(failed)} run(s) failed: something broke (see each run in the UI):",
                   err=True)
        for run in failed:
            click.echo(f"  {run.day}  {run.job}  run {run.run_id}", err=True)
    return failed
