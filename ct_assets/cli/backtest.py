"""`ct backtest`: what each retraining policy would have done on the same history."""

from __future__ import annotations

import itertools
from pathlib import Path

import click
import yaml

from ct_assets.backtest.replay import POLICIES
from ct_assets.cli.options import project_options
from ct_assets.errors import CTError
from ct_assets.settings import Settings

SIMULATED_DAYS = 180


def _grid(_ctx, _param, values: tuple[str, ...]) -> dict[str, list]:
    """`--set KEY=V1,V2`: each setting with the values to try (YAML scalars)."""
    grid = {}
    for item in values:
        key, sep, listed = item.partition("=")
        if not sep or not key.strip() or not listed.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE[,VALUE...]")
        grid[key.strip()] = [yaml.safe_load(v.strip()) for v in listed.split(",")]
    return grid


def variants(grid: dict[str, list], files: tuple[str, ...]) -> dict[str, dict]:
    """Named overrides: every combination of the grid, and each settings file (by its stem);
    a variant may change thresholds, windows and policy, never the stream itself."""
    from ct_assets.config import read_overrides
    from ct_assets.project import STREAM

    named = {" ".join(f"{k}={v}" for k, v in zip(grid, combo, strict=True)):
             dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())}
    named = {k: v for k, v in named.items() if v}
    for file in files:
        named[Path(file).stem] = read_overrides(Path(file))
    for name, overrides in named.items():
        stream = sorted(set(overrides) & {"source", "home", *STREAM})
        if stream:
            raise CTError(f"variant {name!r} changes {', '.join(stream)}: a backtest compares "
                          "policies on one stream")
    return named


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
@click.option("--set", "grid", multiple=True, callback=_grid, metavar="KEY=V1,V2",
              help="Also replay each policy with these settings (every combination).")
@click.option("--variant", "variant_files", multiple=True, type=click.Path(dir_okay=False),
              help="Also replay each policy with this settings file's overrides (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Replays at once, each in its own process [default: all, up to twice the "
                   "machine's cores]; a policy replayed inside another until they part (periodic "
                   "in never, drift+periodic in drift) waits in a process of its own on top.")
@click.option("--full", is_flag=True,
              help="Replay everything production does: per-policy ingest, bentos and their "
                   "infra validation, drift plots (slower; the same results).")
@click.option("--out", type=click.Path(file_okay=False), default="backtest", show_default=True)
@project_options
def backtest(days: int | None, policies: list[str], every: int, window: str | None,
             seed: int | None, grid: dict, variant_files: tuple[str, ...], workers: int | None,
             full: bool, out: str, project, home: str) -> None:
    """Replay history through the real graph once per policy (and variant) and compare them.

    The history is the built-in simulator's, or the table of a settings file (--config). Each
    replay runs in its own process and home under OUT/homes; HOME is not used.
    """
    from ct_assets.backtest.run import run_backtest

    base = project.settings if project else Settings(window="fixed")
    if seed is not None:
        base = base.model_copy(update={"seed": seed})
    named = variants(grid, variant_files)
    for note in project.notes if project else []:
        click.echo(f"ct: note: {note}", err=True)
    days = days or (SIMULATED_DAYS if base.simulated else None)
    results = run_backtest(Path(out).resolve(), base, days, policies, every,
                           window or base.window, workers, named, full)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(f"Wrote {out}/results.json, {out}/report.md, {out}/report.png "
               f"in {results['wall_seconds']} s.")
