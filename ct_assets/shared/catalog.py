"""The partition catalog in Postgres: which object holds each table's partition of each day.

Writing a partition is two steps, and only the second one counts: the Parquet object is put
under a new key (nobody references it yet), then one transaction points the (table, day) row at
it. A reader takes the whole catalog in one query, so it sees every partition as one
consistent version: never half a partition, never a day from before and a day from after a
retry. The replaced object is not deleted at once (a reader that listed it may still be
reading); it is recorded as superseded and deleted by a later write after `GRACE`. An object a
killed writer put but never committed is referenced by nothing and is never read.
"""

from __future__ import annotations

import datetime as dt

from ct_assets.shared.pg import PgConnection

GRACE = dt.timedelta(hours=1)
DDL = """
CREATE TABLE IF NOT EXISTS partitions (
    tbl VARCHAR NOT NULL, day DATE NOT NULL, object VARCHAR, n_rows INTEGER NOT NULL,
    columns VARCHAR, written_at TIMESTAMP NOT NULL, run_id VARCHAR, PRIMARY KEY (tbl, day));
CREATE TABLE IF NOT EXISTS superseded (object VARCHAR PRIMARY KEY, since TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS training_sets (
    snapshot_id VARCHAR PRIMARY KEY, cutoff DATE, window_days INTEGER,
    feature_version VARCHAR, holdout_start TIMESTAMP, n_rows INTEGER);
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Catalog:
    """The catalog tables of one model's schema."""

    def __init__(self, pg: PgConnection):
        self.pg = pg
        pg.ensure(DDL)

    def objects(self) -> dict[str, list[tuple[dt.date, str, str]]]:
        """Every table's partitions that hold rows, (day, object key, column signature)
        oldest first: one consistent version of the store."""
        rows = self.pg.execute("SELECT tbl, day, object, columns FROM partitions "
                               "WHERE object IS NOT NULL ORDER BY tbl, day").fetchall()
        out: dict[str, list[tuple[dt.date, str, str]]] = {}
        for table, day, key, columns in rows:
            out.setdefault(table, []).append((day, key, columns))
        return out

    def commit(self, table: str, day: dt.date, key: str | None, rows: int,
               columns: str | None = None, run_id: str | None = None) -> None:
        """Point (table, day) at `key` (None: the day has no rows) in one transaction; the
        object it replaces is kept for readers until the grace period is over."""
        with self.pg.transaction():
            old = self.pg.execute("SELECT object FROM partitions WHERE tbl = ? AND day = ? "
                                  "FOR UPDATE", [table, day]).fetchall()
            self.pg.execute(
                "INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, day) DO "
                "UPDATE SET object = EXCLUDED.object, n_rows = EXCLUDED.n_rows, "
                "columns = EXCLUDED.columns, written_at = EXCLUDED.written_at, "
                "run_id = EXCLUDED.run_id",
                [table, day, key, rows, columns, _now(), run_id])
            if old and old[0][0] and old[0][0] != key:
                self.pg.execute("INSERT INTO superseded VALUES (?, ?) ON CONFLICT DO NOTHING",
                                [old[0][0], _now()])

    def expired(self, limit: int = 50) -> list[str]:
        """Superseded objects past the grace period (to delete, then `forget`)."""
        rows = self.pg.execute("SELECT object FROM superseded WHERE since < ? LIMIT ?",
                               [_now() - GRACE, limit]).fetchall()
        return [row[0] for row in rows]

    def forget(self, keys: list[str]) -> None:
        for key in keys:
            self.pg.execute("DELETE FROM superseded WHERE object = ?", [key])

    def record_snapshot(self, row: list) -> None:
        self.pg.execute(
            "INSERT INTO training_sets VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (snapshot_id) DO "
            "UPDATE SET cutoff = EXCLUDED.cutoff, window_days = EXCLUDED.window_days, "
            "feature_version = EXCLUDED.feature_version, "
            "holdout_start = EXCLUDED.holdout_start, n_rows = EXCLUDED.n_rows", row)

    def snapshot(self, snapshot_id: str) -> tuple | None:
        rows = self.pg.execute("SELECT cutoff, window_days, feature_version, holdout_start "
                               "FROM training_sets WHERE snapshot_id = ?",
                               [snapshot_id]).fetchall()
        return rows[0] if rows else None
