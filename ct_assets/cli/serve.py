"""`ct serve`: serve the champion's bento over HTTP on 127.0.0.1."""

from __future__ import annotations

import os

import click

from ct_assets.cli.options import home_option, read_only
from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.store import table_exists


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
@home_option
def serve(port: int, home: str) -> None:
    """Serve the current champion's bento (restart after a promotion to serve the new one)."""
    paths = Home.existing(home)
    with read_only(paths) as con:
        champion = Registry(con).champion() if table_exists(con, "aliases") else None
    if champion is None or not champion.bento_tag:
        raise CTError(f"home {paths.root} has no champion bento yet (run `ct demo` first)")
    click.echo(f"serving {champion.version} ({champion.bento_tag}) on http://127.0.0.1:{port}")
    from ct_assets.serving import serve_command

    cmd, env = serve_command(champion.bento_tag, paths.bentoml, port=port)
    os.execvpe(cmd[0], cmd, {**os.environ, **env})
