"""Options shared by every command: where the project lives and what it is."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import duckdb
from click.core import ParameterSource

from ct_assets.errors import CTError
from ct_assets.home import Home, default_home

_config = click.option(
    "--config", type=click.Path(dir_okay=False), envvar="CT_CONFIG", default=None,
    help="Settings file (YAML) of a project on its own data; also $CT_CONFIG.")
_home = click.option(
    "--home", type=click.Path(file_okay=False), default=lambda: str(default_home()),
    show_default="the settings file's `home`, $CT_HOME or ./.ct",
    help="Home folder: DuckDB file, Dagster instance, BentoML store and logs.")


def _chosen_home(home: str, config_home: Path | None) -> str:
    """--home when given, else the settings file's `home`, else $CT_HOME or ./.ct."""
    source = click.get_current_context().get_parameter_source("home")
    explicit = source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return home if explicit or config_home is None else str(config_home)


def home_option(command):
    """--config and --home, resolved to the home folder (the settings file gives only its home:
    commands on an existing home read the rest from it)."""
    @_config
    @_home
    @functools.wraps(command)
    def wrapper(*args, config: str | None, home: str, **kwargs):
        from ct_assets.config import config_home

        return command(*args, home=_chosen_home(home, config_home(config)), **kwargs)
    return wrapper


def project_options(command):
    """--config and --home for commands that start a project: the settings file is read and
    checked against its data (nothing is written before), then passed on as `project`."""
    @_config
    @_home
    @functools.wraps(command)
    def wrapper(*args, config: str | None, home: str, **kwargs):
        from ct_assets.config import load_project

        project = load_project(Path(config)) if config else None
        return command(*args, project=project,
                       home=_chosen_home(home, project.home if project else None), **kwargs)
    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Print data as JSON.")


@contextmanager
def read_only(paths: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the home's database, or one clear line about why not."""
    with _connect(paths, read_only=True) as con:
        yield con


@contextmanager
def read_write(paths: Home) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writing connection; DuckDB has one writer, so a running demo makes this fail clearly."""
    with _connect(paths, read_only=False) as con:
        yield con


@contextmanager
def _connect(paths: Home, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        con = duckdb.connect(str(paths.db), read_only=read_only)
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0]
        raise CTError(f"cannot open {paths.db} ({first}); is a demo still running?") from None
    try:
        yield con
    finally:
        con.close()
