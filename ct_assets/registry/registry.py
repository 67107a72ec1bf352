"""Registry records in DuckDB, next to the feature store they were trained from.

A record is written once with everything needed to trace the model (window, cutoff, snapshot id,
feature version, reference profile, artifact checksum, Dagster run) and later only changes
status. The champion is an alias with a history, changed in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, fields
from pathlib import Path

import duckdb

from ct_assets.errors import CTError
from ct_assets.registry.record import ModelVersion
from ct_assets.store.featurestore import scalar, table_exists

SCHEMA = (Path(__file__).parent / "schema.sql").read_text()
JSON_FIELDS = ("metrics", "champion_metrics", "feature_schema", "profile", "gate", "refit")
#: columns added since the first schema: a home made before them gets them when first written
ADDED = {"deployable": "BOOLEAN", "refit": "JSON"}
_PROFILES: dict[tuple, dict] = {}  # decoded profiles: written once per record, read very often


class Registry:
    """Model versions and aliases over an open DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, view: Path | None = None):
        self.con, self.view = con, view  # `view`: where every committed change is published
        if not table_exists(con, "aliases"):
            self.con.execute(SCHEMA)  # on a read-only connection: a clear duckdb error
        self._columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'model_versions'").fetchall()}
        for column, kind in ADDED.items():
            if column in self._columns:
                continue
            try:
                con.execute(f"ALTER TABLE model_versions ADD COLUMN {column} {kind}")
                self._columns.add(column)
            except duckdb.Error:
                pass  # read-only: such records load with the default

    def next_version(self) -> tuple[str, int]:
        seq = scalar(self.con, "SELECT coalesce(max(seq), 0) + 1 FROM model_versions")
        return f"v{seq}", seq

    def register(self, record: ModelVersion) -> ModelVersion:
        record.version, record.seq = self.next_version()
        record.created_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row = asdict(record)
        for name in JSON_FIELDS:
            row[name] = None if row[name] is None else json.dumps(row[name])
        cols = ", ".join(row)
        self.con.execute(
            f"INSERT INTO model_versions ({cols}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        self._publish()
        return record

    def update(self, version: str, **changes) -> None:
        self._set(version, changes)
        self._publish()

    def _set(self, version: str, changes: dict) -> None:
        self.get(version)  # an unknown version is an error, not a silent no-op
        if not changes:
            return
        for name in JSON_FIELDS:
            if name in changes and changes[name] is not None:
                changes[name] = json.dumps(changes[name])
        sets = ", ".join(f"{k} = ?" for k in changes)
        self.con.execute(f"UPDATE model_versions SET {sets} WHERE version = ?",
                         [*changes.values(), version])

    def get(self, version: str) -> ModelVersion:
        found = self._select("WHERE version = ?", [version])
        if not found:
            raise CTError(f"no model version {version!r} in the registry")
        return found[0]

    def versions(self) -> list[ModelVersion]:
        return self._select("ORDER BY seq", [])

    def champion(self) -> ModelVersion | None:
        found = self._select("WHERE status = 'champion'", [])
        return found[0] if found else None

    def rejected_since_champion(self) -> ModelVersion | None:
        """The newest contender rejected since the current champion was promoted (so judged
        against it), or None."""
        found = self._select(
            "WHERE status = 'rejected' AND created_at > (SELECT max(since) FROM aliases "
            "WHERE alias = 'champion' AND until IS NULL) ORDER BY seq DESC LIMIT 1", [])
        return found[0] if found else None

    def promote(self, version: str, day: dt.date, reason: str, run_id: str | None = None,
                **changes) -> None:
        """Make `version` the champion from `day` on, with `changes` to its record (its bento),
        in one transaction: the old champion archived, the alias moved, or nothing at all."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if self.get(version).status == "champion":
            raise CTError(f"{version} is already the champion")
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._set(version, changes)
            self.con.execute(
                "UPDATE aliases SET until = ? WHERE alias = 'champion' AND until IS NULL", [now])
            self.con.execute(
                "UPDATE model_versions SET status = 'archived' WHERE status = 'champion'")
            self.con.execute("UPDATE model_versions SET status = 'champion' WHERE version = ?",
                             [version])
            self.con.execute("INSERT INTO aliases VALUES ('champion', ?, ?, ?, NULL, ?, ?)",
                             [version, day, now, reason, run_id])
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        self._publish()

    def forget_runs(self, run_ids: set[str]) -> list[ModelVersion]:
        """Remove the records that unfinished runs (killed mid-way) left, so that redoing the
        work numbers and records it as a clean run would. Only versions that never served are
        removed: a promotion is one transaction, so an unfinished run never moved the alias."""
        gone = [v for v in self.versions() if v.run_id in run_ids
                and v.status not in ("champion", "archived")]
        for record in gone:
            self.con.execute("DELETE FROM model_versions WHERE version = ?", [record.version])
        self._publish()
        return gone

    def _publish(self) -> None:
        if self.view is not None:
            from ct_assets.registry.view import write_view

            write_view(self, self.view)

    def rollback_target(self) -> ModelVersion:
        """The champion before the current one, per the alias history."""
        history = self.history()
        if len(history) < 2:
            raise CTError("no previous champion to roll back to "
                          f"({len(history)} champion(s) in the history)")
        current = history[-1]["version"]
        earlier = [h["version"] for h in history[:-1] if h["version"] != current]
        if not earlier:
            raise CTError(f"every earlier champion was {current}; nothing to roll back to")
        return self.get(earlier[-1])

    def history(self) -> list[dict]:
        rows = self.con.execute(
            "SELECT alias, version, CAST(day AS VARCHAR) AS day, CAST(since AS VARCHAR) AS since,"
            " CAST(until AS VARCHAR) AS until, reason, run_id FROM aliases ORDER BY since"
        ).fetchall()
        names = ("alias", "version", "day", "since", "until", "reason", "run_id")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _select(self, where: str, params: list) -> list[ModelVersion]:
        names = [f.name for f in fields(ModelVersion) if f.name in self._columns]
        rows = self.con.execute(
            f"SELECT {', '.join(names)} FROM model_versions {where}", params
        ).fetchall()
        records = []
        for row in rows:
            data = dict(zip(names, row, strict=True))
            for name in JSON_FIELDS:
                if name not in data:
                    continue  # an older home's record: the field's default
                if name == "profile":
                    data[name] = _profile(data)
                else:
                    data[name] = None if data[name] is None else json.loads(data[name])
            records.append(ModelVersion(**data))
        return records


def _profile(data: dict) -> dict | None:
    """The record's decoded reference profile (the bulk of a record), decoded once per process:
    a record's profile never changes after it is registered."""
    if data["profile"] is None:
        return None
    key = (data["version"], data["sha256"], data.get("created_at"), len(data["profile"]))
    if key not in _PROFILES:
        if len(_PROFILES) > 512:
            _PROFILES.clear()
        _PROFILES[key] = json.loads(data["profile"])
    return _PROFILES[key]
