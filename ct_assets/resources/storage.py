"""DuckDB-backed resources. One database file; connections are opened per use and closed.

DuckDB allows one writer process at a time, so nothing keeps a connection open between steps,
and runs are serialised (in-process executor, one queued run at a time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_duckdb import DuckDBResource

from ct_assets.registry import Registry
from ct_assets.store import FeatureStore


class FeatureStoreResource(dg.ConfigurableResource):
    """The feature store: daily partitions of events, labels, features, predictions, reports."""

    duckdb: DuckDBResource

    @contextmanager
    def open(self) -> Iterator[FeatureStore]:
        with self.duckdb.get_connection() as con:
            yield FeatureStore(con)


class RegistryResource(dg.ConfigurableResource):
    """The model registry: versions, lineage and the champion alias."""

    duckdb: DuckDBResource

    @contextmanager
    def open(self) -> Iterator[Registry]:
        with self.duckdb.get_connection() as con:
            yield Registry(con)
