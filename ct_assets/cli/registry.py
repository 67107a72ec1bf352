"""`ct registry`: the model versions, the champion and its history."""

from __future__ import annotations

import json

import click

from ct_assets.cli.options import home_option, json_option, read_only
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
    paths = Home.existing(home)
    with read_only(paths) as con:
        versions, history = [], []
        if table_exists(con, "aliases"):
            reg = Registry(con)
            versions, history = [v.summary() for v in reg.versions()], reg.history()
    if as_json:
        click.echo(json.dumps({"versions": versions, "champion_history": history}, indent=2))
        return
    if not versions:
        click.echo("no model versions yet")
        return
    click.echo(f"{'version':8} {'status':9} {'metric':>14} {'cutoff':10} {'window':>6} "
               f"{'trigger':8} bento")
    for v in versions:
        value = v["metrics"].get(v["metric"]) if v["metrics"] else None
        shown = f"{v['metric']} {value:.3f}" if value is not None else "-"
        click.echo(f"{v['version']:8} {v['status']:9} {shown:>14} {v['cutoff']:10} "
                   f"{v['window_days']:>5}d {v['trigger'] or '-':8} {v['bento_tag'] or '-'}")
