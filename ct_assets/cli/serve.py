"""`ct serve`: serve the champion's bento over HTTP on 127.0.0.1.

The champion is looked up once, at start: a bento pins one model, so a new champion goes live
by restarting (in production, a rolling restart onto the new bento). Before a server starts,
its bento and the model it pins are checked against the registry's sha256 and the prediction
log folder is checked for writing: either fails as one line, never as a server that restarts
forever. The service logs what trusted clients (a token from `serving.tokens`) are served to
the home's ``predictions/`` folder, which the next ingest loads; it never opens the DuckDB
file (this command reads it once, read-only, and then execs ``bentoml serve``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import SimpleNamespace

import click

from ct_assets.cli.options import home_option, read_only
from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.registry.view import read_view
from ct_assets.release import deployable, deployable_of
from ct_assets.store import table_exists

HOST = "127.0.0.1"
PORT = 8000  # the Dagster UI and a bare `bentoml serve` take 3000


def champion_bento(paths: Home) -> tuple[str, str]:
    """(version, bento tag) of the champion to serve, or one clear CTError about why not.

    That is the champion, unless its bento failed infra validation (or a home made before
    releases were one step has none): then the newest earlier champion whose bento did not.
    The bento and the model it pins are verified against the registry's sha256."""
    current, champion = _registry(paths)
    if champion is None or not champion.bento_tag:
        if current is not None and current.deployable is False:
            raise CTError(f"champion {current.version}'s bento failed infra validation and no "
                          "earlier champion has a deployable bento")
        raise CTError(f"home {paths.root} has no champion bento yet (run `ct demo` first)")
    if current is not None and current.version != champion.version:
        why = ("its bento failed infra validation" if current.deployable is False else
               "it has no bento")
        click.echo(f"champion {current.version} is not served: {why}; serving the previous "
                   f"deployable champion {champion.version}", err=True)
    from ct_assets.serving.verify import verify_bento

    try:
        verify_bento(champion.bento_tag, paths.bentoml, champion.sha256)
    except CTError as exc:
        raise CTError(f"{exc}; nothing served: `ct registry promote {champion.version}` "
                      "rebuilds it from the registry's model file, or `ct registry rollback`"
                      ) from None
    return champion.version, champion.bento_tag


def _registry(paths: Home) -> tuple:
    """(champion, the version to serve) from the registry, or, while a run holds the database,
    from the view it published at its last change (`ct_assets.registry.view`)."""
    try:
        with read_only(paths) as con:
            if not table_exists(con, "aliases"):
                return None, None
            reg = Registry(con)
            return reg.champion(), deployable(reg)
    except CTError:  # a writer holds the database
        view = read_view(paths.root)
        if view is None:
            raise
    click.echo(f"ct: a run holds {paths.db}; serving the registry as published at "
               f"{view['published_at']}", err=True)
    records = {v["version"]: SimpleNamespace(**v) for v in view["versions"]}
    champion = next((r for r in records.values() if r.status == "champion"), None)
    return champion, deployable_of([h["version"] for h in view["champion_history"]],
                                   records.__getitem__)


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


def _writable(log_dir: Path) -> None:
    """The prediction log folder exists and takes a file, or one line about why not."""
    probe = log_dir / f".ct-serve-{os.getpid()}"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise CTError(f"cannot write the prediction log in {log_dir} ({exc.strerror}); make the "
                      "home writable, or serve without the log: ct serve --no-log") from None


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=PORT, show_default=True)
@click.option("--host", default=HOST, show_default=True,
              help="Address to listen on (0.0.0.0 for every interface, e.g. in a container).")
@click.option("--no-log", is_flag=True,
              help="Do not log served predictions (a read-only home); nothing reaches monitoring.")
@home_option
def serve(port: int, host: str, no_log: bool, home: str) -> None:
    """Serve the current champion's bento (restart after a promotion to serve the new one)."""
    _check_address(host, port)
    paths = Home.existing(home)
    version, bento_tag = champion_bento(paths)
    from ct_assets.serving import prediction_log_dir, serve_command
    from ct_assets.serving.tokens import log_tokens

    log_dir, tokens, note = None, [], "prediction log: off (--no-log)"
    if not no_log:
        log_dir = prediction_log_dir(paths.root)
        _writable(log_dir)
        tokens, source = log_tokens(paths.root, os.environ)
        note = (f"prediction log: {log_dir}, for requests with a token from {source} "
                f"({len(tokens)}) as `Authorization: Bearer <token>`")
    click.echo(f"serving {version} ({bento_tag}) on http://{host}:{port}; {note}")
    cmd, env = serve_command(bento_tag, paths.bentoml, port=port, host=host, log_dir=log_dir,
                             tokens=tokens)
    os.execvpe(cmd[0], cmd, env)  # env: this environment, with the server's settings
