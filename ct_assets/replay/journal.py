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
from ct_assets.serving import stop_orphan_probes

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
    """Fail the runs a killed replay left unfinished and undo what they recorded, so their
    work is done again; return their run ids. A retrain killed after its release committed
    (its version became champion) keeps its outcome: the run is failed, not redone. Only the
    home's writer calls this (its lock is held): no run is alive."""
    stop_orphan_probes(m.home.bentoml)  # a killed release's infra validation server
    dead = {run.run_id: run for run in dead_runs(instance)}
    if not dead:
        return []
    with m.registry() as reg:
        released = {v.run_id for v in reg.versions()
                    if v.run_id in dead and v.status in ("champion", "archived")}
        for record in reg.forget_runs(set(dead) - released):
            shutil.rmtree(m.home.models / record.version, ignore_errors=True)
    for run_id, run in dead.items():
        if run_id in released:
            instance.report_run_failed(run, "killed after its release committed: the "
                                            "champion it made stands")
            continue
        instance.add_run_tags(run_id, RunTags.interrupted_tag())
        instance.report_run_failed(run, "interrupted: its process ended before the run "
                                        "finished; the resumed replay redoes its work")
    return sorted(set(dead) - released)


def used_run_key(instance: dg.DagsterInstance, job_name: str, run_key: str) -> bool:
    """Whether a finished run (not an interrupted one) already answered this request."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name,
                                                   tags={RUN_KEY: run_key}))
    return any(run.is_finished and not RunTags.from_tags(run.tags).interrupted for run in runs)


RUN_KEY = "dagster/run_key"  # the daemon's own tag: a request with a used key is not run again
