"""DuckDB-backed resources. One database file, one writer process at a time.

By default a connection is opened per use and closed, so nothing holds the file between runs
(a run worker, `ct registry`, the webserver never block each other for long). A long-lived
replay process (the demo, the backtest) sets `keep_open`: it owns the file anyway, and
opening and closing DuckDB (a checkpoint each time) costs more than the work of a small day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from ct_assets.registry import Registry
from ct_assets.store import FeatureStore

_KEPT: dict[tuple, duckdb.DuckDBPyConnection] = {}


@contextmanager
def connection(duck: DuckDBResource, keep_open: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `duck`'s database: fresh and closed after use, or a cursor on one kept
    open for the life of the process (configured as dagster-duckdb configures its own)."""
    if not keep_open:
        with duck.get_connection() as con:
            yield con
        return
    key = (duck.database, tuple(sorted(duck.connection_config.items())))
    if key not in _KEPT:
        config = {"custom_user_agent": "dagster", **duck.connection_config}
        _KEPT[key] = duckdb.connect(duck.database, config=config)
    cursor = _KEPT[key].cursor()
    try:
        yield cursor
    finally:
        cursor.close()


class _DuckDBBacked(dg.ConfigurableResource):
    duckdb: DuckDBResource
    keep_open: bool = False


class FeatureStoreResource(_DuckDBBacked):
    """The feature store: daily partitions of events, labels, features, predictions, reports."""

    @contextmanager
    def open(self) -> Iterator[FeatureStore]:
        with connection(self.duckdb, self.keep_open) as con:
            yield FeatureStore(con)


class RegistryResource(_DuckDBBacked):
    """The model registry: versions, lineage and the champion alias."""

    @contextmanager
    def open(self) -> Iterator[Registry]:
        with connection(self.duckdb, self.keep_open) as con:
            yield Registry(con)
