"""The shared deployment behind `ModelGraph.store()` and `.registry()`: the same interfaces
as the embedded ones, so no asset knows which deployment it runs in.

Every use opens what it needs and closes it (a Postgres connection, an in-memory DuckDB
connection with its views): a run worker holds nothing between steps, and any number of
workers on any number of machines use the store at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ct_assets.home import DUCKDB_CONFIG
from ct_assets.shared.catalog import Catalog
from ct_assets.shared.featurestore import SharedFeatureStore
from ct_assets.shared.objects import ObjectStore
from ct_assets.shared.pg import connect
from ct_assets.shared.registry import SharedRegistry
from ct_assets.shared.settings import StorageSettings


def object_store(storage: StorageSettings) -> ObjectStore:
    return ObjectStore(storage.objects, storage.s3_endpoint)


@contextmanager
def shared_store(storage: StorageSettings, model: str) -> Iterator[SharedFeatureStore]:
    with connect(storage.postgres, model) as pg, duckdb.connect(config=DUCKDB_CONFIG) as con:
        yield SharedFeatureStore(con, Catalog(pg), object_store(storage), model)


@contextmanager
def shared_registry(storage: StorageSettings, model: str,
                    home_root: Path) -> Iterator[SharedRegistry]:
    with connect(storage.postgres, model) as pg:
        yield SharedRegistry(pg, object_store(storage), home_root, model)
