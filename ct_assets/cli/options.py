"""Options shared by every command."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
import duckdb

from ct_assets.errors import CTError
from ct_assets.home import Home, default_home

home_option = click.option(
    "--home", type=click.Path(file_okay=False), default=lambda: str(default_home()),
    show_default="$CT_HOME or ./.ct",
    help="Home folder: DuckDB file, Dagster instance, BentoML store and logs.")
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
