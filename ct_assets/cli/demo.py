"""`ct demo`: the main job. Simulated days through the real graph, then what happened."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click
from tqdm import tqdm

from ct_assets.cli.options import project_options
from ct_assets.config import Project
from ct_assets.home import Home
from ct_assets.project import check_same_stream
from ct_assets.settings import SETTINGS_FILE, Settings

DEMO_DAYS = 90


@click.command()
@click.option("--days", type=click.IntRange(1, 36500), default=None,
              help=f"Days to run [default: {DEMO_DAYS} simulated days; all of a --config table].")
@click.option("--seed", type=int, default=None, help="Simulator seed [default: 0].")
@project_options
def demo(days: int | None, seed: int | None, project: Project | None, home: str) -> None:
    """Run N days through the real Dagster graph on a real instance in HOME.

    Each day (or period) ingests and monitors the events, evaluates the drift sensor and the
    schedules, and runs the retrains they request. Without --config the events come from the
    built-in simulator. A home that already holds days resumes after them.
    """
    settings = _settings_for(Path(home).expanduser().resolve(), project, seed, days)
    for note in project.notes if project else []:
        click.echo(f"ct: note: {note}", err=True)
    paths = Home(Path(home).expanduser().resolve())
    with paths.writer("ct demo"):  # a second writer stops here, before it changes anything
        Home.create(paths.root)  # only now: a bad settings file or source wrote nothing
        settings.save(paths.root)
        _replay(paths, settings, days or (DEMO_DAYS if settings.simulated else None))


def _replay(paths: Home, settings: Settings, days: int | None) -> None:
    from ct_assets.replay import DayDriver  # imports Dagster and the definitions: keep --help fast
    from ct_assets.replay.report import describe, print_summary, status

    driver = DayDriver(paths)
    all_days = settings.period_starts(days)
    done = driver.done(all_days)
    todo = all_days[len(done):]
    what = f"seed {settings.seed}" if settings.simulated else f"source {settings.source}"
    click.echo(f"ct demo: {len(all_days)} x {settings.period} from {settings.start}, {what}, "
               f"home {paths.root}" + (f" ({len(done)} already done)" if done else ""))
    if driver.interrupted:
        click.echo(f"ct demo: {len(driver.interrupted)} run(s) a killed replay left unfinished "
                   "were marked failed; their work is done again")
    started, outcomes = time.perf_counter(), []
    with tqdm(todo, unit=settings.period, dynamic_ncols=True) as bar:
        for day in bar:
            for run in driver.run_day(day):
                outcomes.append(run)
                if run.job == "retrain_job" or not run.success:
                    bar.write(describe(driver, run))
            bar.set_postfix_str(status(driver))
    seconds = time.perf_counter() - started
    failed = print_summary(paths, settings, outcomes, seconds)
    _write_report(driver, paths, settings, seconds, days)
    if failed:
        click.get_current_context().exit(1)


def _write_report(driver, paths: Home, settings: Settings, seconds: float, days: int) -> None:
    """Hindsight scores of this demo, as a backtest report of its one policy."""
    from ct_assets.backtest.hindsight import daily_scores
    from ct_assets.backtest.results import write_single_report

    run = {"seconds": round(seconds, 1), "retrain_days": driver.retrain_history(),
           "daily": daily_scores(driver, paths, settings)}
    write_single_report(paths.root / "report", settings, run, days)
    click.echo(f"\nHindsight report (every label known): {paths.root / 'report' / 'report.md'}"
               f" and report.png")


def _settings_for(root: Path, project: Project | None, seed: int | None,
                  days: int | None) -> Settings:
    """The settings file's or model's (or the defaults), which must describe the stream an
    existing home holds (its thresholds may change); without either, an existing home's own (a
    resumed demo). A simulated stream ends where the longest demo of the home asks (its
    partitions end there)."""
    held = Settings.load(root) if (root / SETTINGS_FILE).exists() else None
    wanted = project.settings if project else held or Settings()
    if seed is not None:
        wanted = wanted.model_copy(update={"seed": seed})
    if held is not None:
        check_same_stream(wanted.model_dump(), held, Home(root))
    if wanted.simulated:
        end = wanted.start + dt.timedelta(days=(days or DEMO_DAYS) - 1)
        wanted = wanted.model_copy(update={"end": max(end, held.end or end) if held else end})
    return wanted
