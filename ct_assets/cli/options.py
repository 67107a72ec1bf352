"""Options shared by every command: where the project lives and what it is."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import duckdb
from click.core import ParameterSource

from ct_assets.errors import CTError
from ct_assets.home import DEFAULT_HOME, Home

_config = click.option(
    "--config", type=click.Path(dir_okay=False), envvar="CT_CONFIG", default=None,
    help="Settings file (YAML) of a project on its own data; also $CT_CONFIG.")
_model = click.option(
    "--model", default=None, metavar="NAME",
    help="A model of the Dagster project in the current directory (its defs/NAME/defs.yaml): "
         "its settings and home.")
_home = click.option(
    "--home", type=click.Path(file_okay=False), envvar="CT_HOME", default=DEFAULT_HOME,
    show_default="the settings file's or model's `home`, $CT_HOME or ./.ct",
    help="Home folder: DuckDB file, Dagster instance, BentoML store and logs.")


def _chosen_home(home: str, declared: Path | None) -> str:
    """--home (or $CT_HOME) when given, else the settings file's or model's home, else ./.ct."""
    source = click.get_current_context().get_parameter_source("home")
    explicit = source not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    return home if explicit or declared is None else str(declared)


def _one_of(config: str | None, model: str | None) -> None:
    if config and model:
        raise CTError("give --config or --model, not both")


def _embedded_only(home: str, settings=None) -> None:
    """`ct` replays, backtests, lists and serves a home's own files; a home on shared storage
    is run by the Dagster daemon instead (README, Past one machine): one line, before
    anything is written."""
    from ct_assets.settings import SETTINGS_FILE, Settings

    if settings is None and (Path(home) / SETTINGS_FILE).exists():
        settings = Settings.load(Path(home))
    if settings is not None and settings.storage.shared:
        raise CTError("setting 'storage': `ct` commands work on the embedded storage; a shared "
                      "deployment runs through the Dagster daemon and UI (README, Past one "
                      "machine)")


def home_option(command):
    """--config, --model and --home, resolved to the home folder (commands on an existing home
    read the rest of the project from it)."""
    @_config
    @_model
    @_home
    @functools.wraps(command)
    def wrapper(*args, config: str | None, model: str | None, home: str, **kwargs):
        from ct_assets.cli.models import declared_model
        from ct_assets.config import config_home

        _one_of(config, model)
        declared = declared_model(model).home if model else config_home(config)
        _embedded_only(_chosen_home(home, declared))
        return command(*args, home=_chosen_home(home, declared), **kwargs)
    return wrapper


def project_options(command):
    """--config, --model and --home for commands that start a project: the settings are read
    and checked against their data (nothing is written before), then passed on as `project`."""
    @_config
    @_model
    @_home
    @functools.wraps(command)
    def wrapper(*args, config: str | None, model: str | None, home: str, **kwargs):
        from ct_assets.cli.models import declared_model
        from ct_assets.config import load_project
        from ct_assets.project import model_project

        _one_of(config, model)
        project = None
        if model:
            found = declared_model(model)
            project = model_project(found.given, found.home)
        elif config:
            project = load_project(Path(config))
        chosen = _chosen_home(home, project.home if project else None)
        _embedded_only(chosen, project.settings if project else None)
        return command(*args, project=project, home=chosen, **kwargs)
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
