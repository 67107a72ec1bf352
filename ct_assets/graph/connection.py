"""Connections to a home's DuckDB file: one writer process at a time.

By default a connection is opened per use and closed, so nothing holds the file between runs
(a run worker, `ct registry`, the webserver never block each other for long); dagster-duckdb
retries while another process holds the lock. A long-lived replay process (the demo, the
backtest) keeps one open instead: it owns the file anyway, and opening and closing DuckDB (a
checkpoint each time) costs more than the work of a small day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

from ct_assets.home import DUCKDB_CONFIG

_KEPT: dict[str, duckdb.DuckDBPyConnection] = {}


@contextmanager
def connection(db: Path, keep_open: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `db`: fresh and closed after use, or a cursor on one kept open for the
    life of the process (configured as dagster-duckdb configures its own)."""
    if not keep_open:
        with DuckDBResource(database=str(db), connection_config=DUCKDB_CONFIG
                            ).get_connection() as con:
            yield con
        return
    if str(db) not in _KEPT:
        _KEPT[str(db)] = duckdb.connect(str(db), config={"custom_user_agent": "dagster",
                                                         **DUCKDB_CONFIG})
    cursor = _KEPT[str(db)].cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def share_cores(db: Path, threads: int) -> None:
    """Run the queries of the connection kept open to `db` on `threads` threads: a replay's
    share of the cores (DuckDB's default, every core, makes replays that outnumber the cores
    spend about 7% of a day's work on threads waiting for each other)."""
    with connection(db, keep_open=True) as con:
        con.execute(f"SET threads = {max(1, int(threads))}")
