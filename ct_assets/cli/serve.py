"""`ct serve`: serve the champion's bento over HTTP on 127.0.0.1.

The champion is looked up once, at start: a bento pins one model, so a new champion goes live
by restarting (in production, a rolling restart onto the new bento). The service logs what it
serves to the home's ``predictions/`` folder, which the next ingest loads; it never opens the
DuckDB file (this command reads it once, read-only, and then execs ``bentoml serve``).
"""

from __future__ import annotations

import os
import socket

import click

from ct_assets.cli.options import home_option, read_only
from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.release import deployable
from ct_assets.store import table_exists

HOST = "127.0.0.1"
PORT = 8000  # the Dagster UI and a bare `bentoml serve` take 3000


def champion_bento(paths: Home) -> tuple[str, str]:
    """(version, bento tag) of the champion to serve, or one clear CTError about why not.

    That is the champion, unless its bento failed infra validation: then the newest earlier
    champion whose bento did not (a refused bento never goes live)."""
    with read_only(paths) as con:
        if table_exists(con, "aliases"):
            reg = Registry(con)
            current, champion = reg.champion(), deployable(reg)
        else:
            current = champion = None
    if champion is None or not champion.bento_tag:
        if current is not None and current.deployable is False:
            raise CTError(f"champion {current.version}'s bento failed infra validation and no "
                          "earlier champion has a deployable bento")
        raise CTError(f"home {paths.root} has no champion bento yet (run `ct demo` first)")
    if current is not None and current.version != champion.version:
        click.echo(f"champion {current.version}'s bento failed infra validation; serving the "
                   f"previous deployable champion {champion.version}", err=True)
    from ct_assets.serving.build import bento_exists

    if not bento_exists(champion.bento_tag, paths.bentoml):
        raise CTError(f"champion {champion.version}'s bento {champion.bento_tag} is not in "
                      f"{paths.bentoml}; re-materialize champion_bento")
    return champion.version, champion.bento_tag


def _check_address(host: str, port: int) -> None:
    """One line now rather than a traceback from the server: the address must be free and ours."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError):
        raise CTError(f"--host {host!r} is not an address or a name this machine "
                      "resolves") from None
    with socket.socket(family) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise CTError(f"cannot listen on {host} port {port}: {exc.strerror} (choose another "
                          "with --port or --host)") from None


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=PORT, show_default=True)
@click.option("--host", default=HOST, show_default=True,
              help="Address to listen on (0.0.0.0 for every interface, e.g. in a container).")
@home_option
def serve(port: int, host: str, home: str) -> None:
    """Serve the current champion's bento (restart after a promotion to serve the new one)."""
    _check_address(host, port)
    paths = Home.existing(home)
    version, bento_tag = champion_bento(paths)
    from ct_assets.serving import prediction_log_dir, serve_command

    log_dir = prediction_log_dir(paths.root)
    log_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"serving {version} ({bento_tag}) on http://{host}:{port}; "
               f"prediction log: {log_dir}")
    cmd, env = serve_command(bento_tag, paths.bentoml, port=port, host=host, log_dir=log_dir)
    os.execvpe(cmd[0], cmd, {**os.environ, **env})
