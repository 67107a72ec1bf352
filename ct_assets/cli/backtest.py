"""`ct backtest`: what each retraining policy would have done on the same history."""

from __future__ import annotations

from pathlib import Path

import click

from ct_assets.backtest.replay import POLICIES
from ct_assets.settings import Settings


def _policies(_ctx, _param, value: str) -> list[str]:
    chosen = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in POLICIES]
    if unknown or not chosen:
        raise click.BadParameter(f"unknown policy {', '.join(unknown) or '(none)'}; "
                                 f"choose from {', '.join(POLICIES)}")
    return chosen


@click.command()
@click.option("--days", type=click.IntRange(20, 3650), default=180, show_default=True)
@click.option("--policies", default=",".join(POLICIES), show_default=True, callback=_policies,
              help="Comma-separated retraining policies.")
@click.option("--every", type=click.IntRange(1, 365), default=7, show_default=True,
              help="Days between retrains of the `periodic` policy.")
@click.option("--window", type=click.Choice(["fixed", "dynamic"]), default="fixed",
              show_default=True, help="Training window of every policy.")
@click.option("--seed", type=int, default=0, show_default=True, help="Simulator seed.")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Policies replayed at once, each in its own process.")
@click.option("--out", type=click.Path(file_okay=False), default="backtest", show_default=True)
def backtest(days: int, policies: list[str], every: int, window: str, seed: int, workers: int,
             out: str) -> None:
    """Replay DAYS simulated days through the real graph once per policy and compare them."""
    from ct_assets.backtest.run import run_backtest

    results = run_backtest(Path(out).resolve(), Settings(seed=seed), days, policies, every,
                           window, workers)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(f"Wrote {out}/results.json, {out}/report.md, {out}/report.png "
               f"in {results['wall_seconds']} s.")
