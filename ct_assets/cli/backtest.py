"""`ct backtest`: what each retraining policy would have done on the same history."""

from __future__ import annotations

from pathlib import Path

import click

from ct_assets.backtest.replay import POLICIES
from ct_assets.cli.options import project_options
from ct_assets.settings import Settings

SIMULATED_DAYS = 180


def _policies(_ctx, _param, value: str) -> list[str]:
    chosen = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in POLICIES]
    if unknown or not chosen:
        raise click.BadParameter(f"unknown policy {', '.join(unknown) or '(none)'}; "
                                 f"choose from {', '.join(POLICIES)}")
    return chosen


@click.command()
@click.option("--days", type=click.IntRange(7, 36500), default=None,
              help=f"Days to replay [default: {SIMULATED_DAYS} simulated; a --config table's all].")
@click.option("--policies", default=",".join(POLICIES), show_default=True, callback=_policies,
              help="Comma-separated retraining policies.")
@click.option("--every", type=click.IntRange(1, 365), default=7, show_default=True,
              help="Days between retrains of the `periodic` policy.")
@click.option("--window", type=click.Choice(["fixed", "dynamic"]), default=None,
              help="Training window of every policy [default: fixed; the settings file's].")
@click.option("--seed", type=int, default=None, help="Simulator seed [default: 0].")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Policies replayed at once, each in its own process.")
@click.option("--out", type=click.Path(file_okay=False), default="backtest", show_default=True)
@project_options
def backtest(days: int | None, policies: list[str], every: int, window: str | None,
             seed: int | None, workers: int, out: str, project, home: str) -> None:
    """Replay history through the real graph once per policy and compare them.

    The history is the built-in simulator's, or the table of a settings file (--config). Each
    policy runs in its own process and home under OUT/homes; HOME is not used.
    """
    from ct_assets.backtest.run import run_backtest

    base = project.settings if project else Settings(window="fixed")
    if seed is not None:
        base = base.model_copy(update={"seed": seed})
    for note in project.notes if project else []:
        click.echo(f"ct: note: {note}", err=True)
    days = days or (SIMULATED_DAYS if base.simulated else None)
    results = run_backtest(Path(out).resolve(), base, days, policies, every,
                           window or base.window, workers)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(f"Wrote {out}/results.json, {out}/report.md, {out}/report.png "
               f"in {results['wall_seconds']} s.")
