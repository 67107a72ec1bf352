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
    try:
        con = duckdb.connect(str(paths.db), read_only=True)
    except duckdb.IOException as exc:
        raise CTError(f"cannot open {paths.db} ({exc}); is a demo still running?") from None
    try:
        yield con
    finally:
        con.close()
