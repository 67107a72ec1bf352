"""`ct registry`: the model versions, the champion and its history; promotion and rollback."""

from __future__ import annotations

import datetime as dt
import json

import click

from ct_assets.cli.options import home_option, json_option, read_only, read_write
from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.store import table_exists


@click.group()
def registry() -> None:
    """Model versions, their lineage, and who was champion when."""


@registry.command("list")
@home_option
@json_option
def list_versions(home: str, as_json: bool) -> None:
    """Every model version with its status, metric, window, cutoff, trigger and bento."""
    with read_only(Home.existing(home)) as con:
        versions, history = [], []
        if table_exists(con, "aliases"):
            reg = Registry(con)
            versions, history = [v.summary() for v in reg.versions()], reg.history()
    if as_json:
        click.echo(json.dumps({"versions": versions, "champion_history": history}, indent=2))
    elif not versions:
        click.echo("no model versions yet")
    else:
        click.echo(f"{'version':8} {'status':9} {'metric':>14} {'cutoff':10} {'window':>6} "
                   f"{'trigger':8} bento")
        for v in versions:
            value = (v["metrics"] or {}).get(v["metric"])
            shown = f"{v['metric']} {value:.3f}" if value is not None else "-"
            window = "all" if v["window_days"] == 0 else f"{v['window_days']}d"
            click.echo(f"{v['version']:8} {v['status']:9} {shown:>14} {v['cutoff']:10} "
                       f"{window:>6} {v['trigger'] or '-':8} {v['bento_tag'] or '-'}")


@registry.command()
@click.argument("version")
@home_option
@json_option
def show(version: str, home: str, as_json: bool) -> None:
    """One version's full record: lineage, metrics, gates and its time as champion."""
    with read_only(Home.existing(home)) as con:
        reg = Registry(con)
        record = reg.get(version)
        periods = [h for h in reg.history() if h["version"] == version]
    data = {**record.summary(), "feature_schema": record.feature_schema,
            "profiled_features": sorted(record.profile.get("features", {}).get("features", {})),
            "champion_periods": periods}
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for key in ("version", "status", "task", "metric", "metrics", "champion_metrics", "gate",
                "cutoff", "window_days", "window_start", "n_rows", "snapshot_id",
                "feature_version", "sha256", "run_id", "trigger", "reason", "model_tag",
                "bento_tag", "champion_periods"):
        click.echo(f"{key:16} {data[key]}")


@registry.command()
@click.argument("version")
@home_option
@json_option
def promote(version: str, home: str, as_json: bool) -> None:
    """Make VERSION the champion now (a manual override of the gates), and package it."""
    _change_champion(Home.existing(home), version, "manual: ct registry promote", as_json)


@registry.command()
@home_option
@json_option
def rollback(home: str, as_json: bool) -> None:
    """Restore the previous champion from the alias history, and package it."""
    paths = Home.existing(home)
    with read_write(paths) as con:
        reg = Registry(con)
        current, target = reg.champion(), reg.rollback_target()
    _change_champion(paths, target.version, f"rollback from {current.version}", as_json)


def _change_champion(paths: Home, version: str, reason: str, as_json: bool) -> None:
    from ct_assets.release import package  # imports BentoML: only when needed

    with read_write(paths) as con:
        reg = Registry(con)
        previous = reg.champion()
        days = con.execute("SELECT max(day) FROM features").fetchall() if table_exists(
            con, "features") else [(None,)]
        reg.promote(version, days[0][0] or dt.date.today(), reason)
        record = package(reg, reg.get(version), paths)
    result = {"champion": version, "previous": previous.version if previous else None,
              "reason": reason, "bento_tag": record.bento_tag}
    click.echo(json.dumps(result) if as_json else
               f"{version} is the champion (was {result['previous']}; {reason}); "
               f"bento {record.bento_tag}; restart `ct serve` to serve it")
