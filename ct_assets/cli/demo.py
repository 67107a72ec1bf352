"""`ct demo`: the main job. Simulated days through the real graph, then what happened."""

from __future__ import annotations

import datetime as dt
import time

import click
from tqdm import tqdm

from ct_assets.cli.options import home_option
from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.settings import Settings


@click.command()
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="Simulated days to run.")
@click.option("--seed", type=int, default=0, show_default=True, help="Simulator seed.")
@home_option
def demo(days: int, seed: int, home: str) -> None:
    """Run N simulated days through the real Dagster graph on a real instance in HOME.

    Each day ingests and monitors the day, evaluates the drift sensor and the schedules, and
    runs the retrains they request. A home that already holds days resumes after them.
    """
    paths = Home.create(home)
    settings = _settings_for(paths, seed)
    from ct_assets.replay import DayDriver  # imports Dagster and the definitions: keep --help fast
    from ct_assets.replay.report import print_summary

    driver = DayDriver(paths)
    all_days = [settings.start + dt.timedelta(days=i) for i in range(days)]
    done = set(driver.ingested_days())
    todo = [day for day in all_days if day not in done]
    click.echo(f"ct demo: {days} days from {settings.start}, seed {settings.seed}, "
               f"home {paths.root}"
               + (f" ({len(done)} already done)" if done else ""))
    started, outcomes = time.perf_counter(), []
    with tqdm(todo, unit="day", dynamic_ncols=True) as bar:
        for day in bar:
            for run in driver.run_day(day):
                outcomes.append(run)
                if run.job == "retrain_job" or not run.success:
                    bar.write(driver.describe(run))
            bar.set_postfix_str(driver.status())
    seconds = time.perf_counter() - started
    print_summary(paths, settings, outcomes, seconds)
    _write_report(driver, paths, settings, seconds, days)


def _write_report(driver, paths: Home, settings: Settings, seconds: float, days: int) -> None:
    """Hindsight scores of this demo, as a backtest report of its one policy."""
    from ct_assets.backtest.hindsight import daily_scores
    from ct_assets.backtest.run import write_single_report

    run = {"seconds": round(seconds, 1), "retrain_days": driver.retrain_history(),
           "daily": daily_scores(driver, paths, settings)}
    write_single_report(paths.root / "report", settings, run, days)
    click.echo(f"\nHindsight report (every label known): {paths.root / 'report' / 'report.md'}"
               f" and report.png")


def _settings_for(paths: Home, seed: int) -> Settings:
    """The home's settings; a new home gets the defaults with this seed."""
    if (paths.root / "settings.json").exists():
        settings = Settings.load(paths.root)
        if settings.seed != seed:
            raise CTError(f"home {paths.root} holds a demo with seed {settings.seed}, not {seed}; "
                          "choose another --home")
        return settings
    settings = Settings(seed=seed)
    settings.save(paths.root)
    return settings
