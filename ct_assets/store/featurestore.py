"""Partitioned tables in one DuckDB database, written one whole partition at a time.

Every write replaces a day's partition inside a transaction, so a re-materialized day never
duplicates rows and a failed write leaves the previous partition intact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

TABLES = ("events", "labels", "features", "predictions", "drift", "performance")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value a query returns. Fetches all rows: DuckDB refuses further work on a
    connection whose last result was only partly fetched."""
    return con.execute(sql, params or []).fetchall()[0][0]


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                  [table]) > 0


class FeatureStore:
    """Thin, typed access to the store's tables over an open DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._in_batch = False
        self._columns: dict[str, set[str]] = {}  # tables' columns, as this store's writes left them

    @contextmanager
    def batch(self) -> Iterator[FeatureStore]:
        """Many partition writes as one transaction: all of them or none. For a file written
        whole before anyone reads it (a backtest's shared history), where a commit per
        partition only costs time (a third of it, at 540 partitions)."""
        self.con.execute("BEGIN TRANSACTION")
        self._in_batch = True
        try:
            yield self
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            self._columns.clear()
            raise
        finally:
            self._in_batch = False

    def has_table(self, table: str) -> bool:
        return table_exists(self.con, table)

    def replace_partition(self, table: str, day: dt.date, frame: pd.DataFrame) -> int:
        """Replace `table`'s rows for `day` with `frame` (which gets a `day` column)."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
        day = pd.Timestamp(day).date()
        data = frame.assign(day=day)
        if data.empty and not self.has_table(table):
            return 0  # an empty first partition would fix the table's column types wrongly
        own = not self._in_batch  # else the batch commits or rolls back
        self.con.register("_partition", data)
        try:
            if own:
                self.con.execute("BEGIN TRANSACTION")
            self._add_new_columns(table, data)
            self.con.execute(f"DELETE FROM {table} WHERE day = ?", [day])
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _partition")
            if own:
                self.con.execute("COMMIT")
        except Exception:
            self._columns.clear()  # what a rolled-back write added is gone again
            if own:
                self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("_partition")
        return len(data)

    def _add_new_columns(self, table: str, data: pd.DataFrame) -> None:
        """Create `table` from the partition `_partition`, or widen it with columns the
        partition has and it lacks (a new feature version; older rows read them as NULL)."""
        have = self._columns.get(table)
        if have is None:
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM _partition LIMIT 0")
            have = self._columns[table] = {
                row[0] for row in self.con.execute(f"DESCRIBE {table}").fetchall()}
        if have.issuperset(data.columns):
            return  # the same columns as the last partition: nothing to ask DuckDB
        for name, kind, *_ in self.con.execute("DESCRIBE _partition").fetchall():
            if name not in have:
                self.con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
                have.add(name)

    def record_snapshot(self, snapshot, holdout_start) -> None:
        """Remember a training snapshot's recipe under its id, so it can be rebuilt from the id."""
        self.con.execute("""CREATE TABLE IF NOT EXISTS training_sets (
            snapshot_id VARCHAR PRIMARY KEY, cutoff DATE, window_days INTEGER,
            feature_version VARCHAR, holdout_start TIMESTAMP, n_rows INTEGER)""")
        self.con.execute(
            "INSERT OR REPLACE INTO training_sets VALUES (?, ?, ?, ?, ?, ?)",
            [snapshot.snapshot_id, snapshot.cutoff, snapshot.window_days,
             snapshot.feature_version, pd.Timestamp(holdout_start).to_pydatetime(),
             len(snapshot.frame)])

    def snapshot_recipe(self, snapshot_id: str) -> dict:
        """The recipe recorded for `snapshot_id` (KeyError naming it when there is none)."""
        rows = (self.con.execute("SELECT * FROM training_sets WHERE snapshot_id = ?",
                                 [snapshot_id]).df() if self.has_table("training_sets") else [])
        if len(rows) == 0:
            raise KeyError(f"no training snapshot {snapshot_id!r} in the feature store")
        row = rows.iloc[0]
        return {"snapshot_id": snapshot_id, "cutoff": str(row["cutoff"].date()),
                "window_days": int(row["window_days"]),
                "feature_version": row["feature_version"],
                "holdout_start": str(row["holdout_start"])}

    def read_partition(self, table: str, day: dt.date) -> pd.DataFrame:
        if not self.has_table(table):
            return pd.DataFrame()
        frame = self.con.execute(f"SELECT * FROM {table} WHERE day = ?", [day]).df()
        return frame.drop(columns="day")

    def days(self, table: str) -> list[dt.date]:
        if not self.has_table(table):
            return []
        rows = self.con.execute(f"SELECT DISTINCT day FROM {table} ORDER BY day").fetchall()
        return [row[0] for row in rows]

    def labels_known(self, after: dt.datetime | None, until: dt.datetime) -> int:
        """Labels that became known in [after, until): the fresh evidence a retrain would use.

        Half-open like a training set's cutoff: a label known at `end_of(cutoff)` is not in that
        cutoff's set, so it counts as new after it."""
        if not self.has_table("labels"):
            return 0
        lower = after or dt.datetime.min
        return int(scalar(self.con, "SELECT count(*) FROM labels WHERE label_ts >= ? "
                                    "AND label_ts < ?", [lower, until]))

    def scored_labels(self, since: dt.datetime, until: dt.datetime) -> pd.DataFrame:
        """Logged predictions joined with the labels known by `until`, for events since `since`:
        one per entity, the pipeline's own batch score wherever there is one (a served score
        counts only for an entity the pipeline did not score)."""
        if not (self.has_table("predictions") and self.has_table("labels")):
            return pd.DataFrame(columns=["entity_id", "model_version", "score", "label"])
        return self.con.execute(
            """
            SELECT p.entity_id, p.model_version, p.score, l.label
            FROM predictions p JOIN labels l USING (entity_id)
            WHERE p.event_ts >= ? AND p.event_ts < ? AND l.label_ts < ?
            QUALIFY row_number() OVER (PARTITION BY p.entity_id
                                       ORDER BY l.label_ts DESC, p.source = 'batch' DESC) = 1
            """,
            [since, until, until],
        ).df()
