"""A running home's Dagster instance, read from its SQLite files in read-only mode.

Tests that watch a demo or daemon while it runs must not open a second `DagsterInstance` on the
same folder: opening one writes the schema (alembic) and races the process being watched
("more than one head present"). These helpers only read.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path


def query(path: Path, sql: str, *args) -> list:
    """Rows of `sql` on the SQLite file `path`, or [] while it does not exist or is being made."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                timeout=5)) as con:
            return con.execute(sql, args).fetchall()
    except sqlite3.Error:
        return []


def runs(dagster_home: Path, job: str | None = None, status: str | None = None) -> list[tuple]:
    """(run id, job, status) of the instance's runs, oldest first."""
    where = " AND ".join(c for c, v in (("pipeline_name = ?", job), ("status = ?", status)) if v)
    args = [v for v in (job, status) if v]
    return query(dagster_home / "history" / "runs.db",
                 "SELECT run_id, pipeline_name, status FROM runs"
                 + (f" WHERE {where}" if where else "") + " ORDER BY id", *args)


def events(dagster_home: Path, run_id: str, kind: str) -> list[dict]:
    """The run's events of one type (`STEP_START`, `PIPELINE_START`, ...), decoded."""
    rows = query(dagster_home / "history" / "runs" / f"{run_id}.db",
                 "SELECT event FROM event_logs WHERE dagster_event_type = ?", kind)
    return [json.loads(row[0]) for row in rows]


def started_steps(dagster_home: Path, job: str) -> set[str]:
    """Step keys started by the job's unfinished runs."""
    return {e["step_key"] for run_id, _, _ in runs(dagster_home, job, "STARTED")
            for e in events(dagster_home, run_id, "STEP_START")}


def run_pids(dagster_home: Path) -> set[int]:
    """The process ids that executed the instance's runs (their start events say)."""
    return {e["dagster_event"]["pid"] for run_id, _, _ in runs(dagster_home)
            for e in events(dagster_home, run_id, "PIPELINE_START")}
