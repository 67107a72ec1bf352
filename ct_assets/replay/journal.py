"""What a replay has finished, so that a replay killed at any instruction resumes to where a
clean one would be.

A period counts as done once its ingest, its sensor and its schedules have run; the sensor's
cursor is saved with it, in one atomic write, so a resumed period is judged exactly as before.
Runs a killed replay left unfinished are marked failed and interrupted, and what they recorded
in the registry (a contender that never served) is removed: redoing them numbers and records
the versions as a clean run would. Runs that did finish are not run again (their run key).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from ct_assets.graph import ModelGraph
from ct_assets.graph.launcher import dead_runs
from ct_assets.records import RunTags

STATE = "replay.json"


@dataclass
class Journal:
    path: Path
    done: dt.date | None = None  #: the last period whose runs all finished
    cursors: dict = field(default_factory=dict)

    @classmethod
    def load(cls, dagster_home: Path) -> Journal:
        path = dagster_home / STATE
        if not path.exists():
            return cls(path)
        state = json.loads(path.read_text())
        done = state.get("done")
        return cls(path, dt.date.fromisoformat(done) if done else None, state.get("cursors", {}))

    def finish(self, day: dt.date, cursors: dict) -> None:
        """Record `day` done with the sensor cursors as they stand (atomically)."""
        self.done, self.cursors = day, dict(cursors)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": day.isoformat(), "cursors": self.cursors}))
        os.replace(tmp, self.path)


def recover(instance: dg.DagsterInstance, m: ModelGraph) -> list[str]:
    """Fail the runs a killed replay left unfinished, and undo what they recorded; return
    their run ids. Only the home's writer calls this (its lock is held): no run is alive."""
    dead = dead_runs(instance)
    for run in dead:
        instance.add_run_tags(run.run_id, RunTags.interrupted_tag())
        instance.report_run_failed(run, "interrupted: its process ended before the run "
                                        "finished; the resumed replay redoes its work")
    ids = {run.run_id for run in dead}
    if ids:
        with m.registry() as reg:
            for record in reg.forget_runs(ids):
                shutil.rmtree(m.home.models / record.version, ignore_errors=True)
    return sorted(ids)


def used_run_key(instance: dg.DagsterInstance, job_name: str, run_key: str) -> bool:
    """Whether a finished run (not an interrupted one) already answered this request."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name,
                                                   tags={RUN_KEY: run_key}))
    return any(run.is_finished and not RunTags.from_tags(run.tags).interrupted for run in runs)


RUN_KEY = "dagster/run_key"  # the daemon's own tag: a request with a used key is not run again
