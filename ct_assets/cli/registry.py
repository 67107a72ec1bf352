"""`ct registry`: the model versions, the champion and its history; promotion and rollback."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager

import click

from ct_assets.cli.options import home_option, json_option, read_only, read_write
from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.registry.view import VIEW, entry, read_view
from ct_assets.store import table_exists


@click.group()
def registry() -> None:
    """Model versions, their lineage, and who was champion when."""


def read_registry(paths: Home) -> tuple[list[dict], list[dict]]:
    """Every version (as `registry.view.entry`) and the champion history: from the database,
    or, while a run holds it, from the view the registry published at its last change."""
    try:
        with read_only(paths) as con:
            if not table_exists(con, "aliases"):
                return [], []
            reg = Registry(con)
            return [entry(v) for v in reg.versions()], reg.history()
    except CTError:  # a writer holds the database
        view = read_view(paths.root) or {"published_at": "never: no version yet",
                                         "versions": [], "champion_history": []}
        click.echo(f"ct: a run holds {paths.db}; the registry as published at "
                   f"{view['published_at']}", err=True)
        return view["versions"], view["champion_history"]


@registry.command("list")
@home_option
@json_option
def list_versions(home: str, as_json: bool) -> None:
    """Every model version with its status, metric, window, cutoff, trigger and bento."""
    versions, history = read_registry(Home.existing(home))
    versions = [{k: v for k, v in e.items() if k not in ("feature_schema", "profiled_features")}
                for e in versions]
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
    versions, history = read_registry(Home.existing(home))
    found = [v for v in versions if v["version"] == version]
    if not found:
        raise CTError(f"no model version {version!r} in the registry")
    data = {**found[0], "champion_periods": [h for h in history if h["version"] == version]}
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
@click.option("--force", is_flag=True,
              help="Promote a version the promotion gates rejected (its bento is still "
                   "validated before it becomes champion).")
@home_option
@json_option
def promote(version: str, force: bool, home: str, as_json: bool) -> None:
    """Make VERSION the champion (a manual override of the gates): its model file is checked,
    its bento built and validated first, and the alias moves only if it serves correctly.
    For the champion itself whose bento went bad, the bento is rebuilt and validated."""
    paths = Home.existing(home)
    with read_only(paths) as con:
        record = Registry(con).get(version)
    if record.status == "rejected" and not force:
        reason = (record.gate or {}).get("reason", "the promotion gates")
        raise CTError(f"{version} was rejected by the promotion gates ({reason}); "
                      "promote it anyway with --force")
    _change_champion(paths, version, "manual: ct registry promote"
                     + (" --force" if record.status == "rejected" else ""), as_json)


@registry.command()
@home_option
@json_option
def rollback(home: str, as_json: bool) -> None:
    """Restore the previous champion from the alias history (its bento validated again)."""
    paths = Home.existing(home)
    with read_only(paths) as con:
        reg = Registry(con)
        current, target = reg.champion(), reg.rollback_target()
    _change_champion(paths, target.version, f"rollback from {current.version}", as_json)


def _change_champion(paths: Home, version: str, reason: str, as_json: bool) -> None:
    with paths.writer(f"ct registry ({reason})"):
        _release(paths, version, reason, as_json)


def _release(paths: Home, version: str, reason: str, as_json: bool) -> None:
    from ct_assets.release import bento_whole, holdout_sample, release  # imports BentoML

    @contextmanager
    def open_registry():
        with read_write(paths) as con:
            yield Registry(con, view=paths.root / VIEW)

    with read_only(paths) as con:
        record = Registry(con).get(version)
        if record.status == "champion" and bento_whole(record, paths):
            raise CTError(f"{version} is already the champion, and its bento is whole")
        has_features = table_exists(con, "features")
        day = con.execute("SELECT max(day) FROM features").fetchall()[0][0] \
            if has_features else None
        sample = holdout_sample(con, day) if has_features else None
    if sample is None or len(sample) == 0:
        raise CTError(f"{paths.root} has no feature rows to validate {version}'s bento with")
    repair = record.status == "champion"
    reason = "repair: its bento rebuilt" if repair else reason
    done = release(open_registry, version, paths, sample, day or dt.date.today(), reason)
    if not done.ok:
        what = ("it cannot be packaged" if done.stage == "package" else
                "its bento failed infra validation")
        raise CTError(f"{version}'s bento was not rebuilt: {what} ({one_line(done.why)})"
                      if repair else f"{version} is not the champion: {what} "
                      f"({one_line(done.why)}); {done.previous or 'no version'} stays champion")
    result = {"champion": version, "previous": done.previous, "reason": reason,
              "bento_tag": done.record.bento_tag}
    click.echo(json.dumps(result) if as_json else
               f"{version} is the champion ({'still' if repair else f'was {done.previous}'}; "
               f"{reason}); bento {done.record.bento_tag} validated; restart `ct serve` to "
               "serve it")


def one_line(text: str, limit: int = 300) -> str:
    """A reason on one line (a server's log tail has many), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."
