"""The feature store of the shared deployment: Parquet partitions on an object store, one
object per (table, day), read by DuckDB through views named like the embedded tables.

The graph's SQL (`SELECT ... FROM features JOIN labels ...`, the drift profile's queries, the
point-in-time training set) runs unchanged on an in-memory DuckDB connection whose `features`,
`labels`, ... are views over the objects the catalog lists at open time. DuckDB stays the
compute engine; the objects are read with Hive-style `day=` keys, so a query on one day opens
only that day's object. Many processes write different days at once: each write is one new
object plus one catalog transaction (see `ct_assets.shared.catalog`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from ct_assets.shared.catalog import Catalog
from ct_assets.shared.objects import ObjectStore
from ct_assets.store.featurestore import TABLES, FeatureStore


class SharedFeatureStore(FeatureStore):
    """`FeatureStore`'s interface over the catalog and the object store of one model."""

    def __init__(self, con: duckdb.DuckDBPyConnection, catalog: Catalog, objects: ObjectStore,
                 model: str):
        super().__init__(con)
        self.catalog, self.objects, self.model = catalog, objects, model
        objects.register(con)
        self._parts = catalog.objects()
        for table in self._parts:
            self._view(table)

    def _view(self, table: str) -> None:
        """(Re)define `table` as the union of its partitions: files of one column signature
        are read as one list (bound from its first file), signatures joined by name."""
        groups: dict[str, list[str]] = {}
        for _, key, columns in self._parts.get(table, []):
            groups.setdefault(columns, []).append(self.objects.url(key))
        if not groups:
            self.con.execute(f"DROP VIEW IF EXISTS {table}")
            return
        scans = [f"SELECT * FROM read_parquet({files!r}, hive_partitioning = true, "
                 "hive_types = {'day': DATE})" for files in groups.values()]
        self.con.execute(f"CREATE OR REPLACE VIEW {table} AS "
                         + " UNION ALL BY NAME ".join(scans))

    def replace_partition(self, table: str, day: dt.date, frame: pd.DataFrame,
                          run_id: str | None = None) -> int:
        """Replace `table`'s rows for `day` with `frame`: a new object, then one catalog
        transaction; a failure before the commit leaves the previous partition in place."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
        day = pd.Timestamp(day).date()
        data = frame.drop(columns=["day"], errors="ignore")
        key, columns = None, None
        if not data.empty:
            key = f"{self.model}/{table}/day={day.isoformat()}/{uuid.uuid4().hex}.parquet"
            columns = self._write(data, key)
        self.catalog.commit(table, day, key, len(data), columns, run_id)
        parts = [p for p in self._parts.get(table, []) if p[0] != day]
        if key is not None:
            parts = sorted([*parts, (day, key, columns)])
        self._parts[table] = parts
        self._view(table)
        self._collect()
        return len(data)

    def _write(self, data: pd.DataFrame, key: str) -> str:
        """Put `data` as one Parquet object; its column signature (names and DuckDB types)."""
        self.con.register("_partition", data)
        try:
            described = self.con.execute("DESCRIBE _partition").fetchall()
            with tempfile.TemporaryDirectory(prefix="ct-part-") as folder:
                local = Path(folder) / "part.parquet"
                self.con.execute(f"COPY (SELECT * FROM _partition) TO '{local}' "
                                 "(FORMAT parquet, COMPRESSION zstd)")
                self.objects.put_file(local, key)
        finally:
            self.con.unregister("_partition")
        return ",".join(f"{name}:{kind}" for name, kind, *_ in described)

    def _collect(self) -> None:
        """Delete objects superseded longer than the grace period ago (best effort)."""
        expired = self.catalog.expired()
        for key in expired:
            self.objects.delete(key)
        self.catalog.forget(expired)

    def days(self, table: str) -> list[dt.date]:
        return [day for day, _, _ in self._parts.get(table, [])]

    def record_snapshot(self, snapshot, holdout_start) -> None:
        self.catalog.record_snapshot(
            [snapshot.snapshot_id, snapshot.cutoff, snapshot.window_days,
             snapshot.feature_version, pd.Timestamp(holdout_start).to_pydatetime(),
             len(snapshot.frame)])

    def snapshot_recipe(self, snapshot_id: str) -> dict:
        row = self.catalog.snapshot(snapshot_id)
        if row is None:
            raise KeyError(f"no training snapshot {snapshot_id!r} in the feature store")
        cutoff, window_days, feature_version, holdout_start = row
        return {"snapshot_id": snapshot_id, "cutoff": str(cutoff),
                "window_days": int(window_days), "feature_version": feature_version,
                "holdout_start": str(holdout_start)}
