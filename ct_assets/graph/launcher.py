"""Whether a run's process is still alive, so that a run killed with its machine never blocks
the queue.

Dagster's run monitoring fails a started run whose worker died, if the run launcher can tell;
the default launcher (a local subprocess) cannot, so with one run at a time a run killed by
`kill -9` stayed STARTED and the daemon's queue never moved again. Every Dagster event records
the pid of the process that emitted it, so the run's own event log names its worker; the worker
is alive when a process with that pid exists and started before the run did (not a reused pid).
`ct demo` uses the same test when it resumes a home a killed demo left.
"""

from __future__ import annotations

import socket

import dagster as dg
import psutil

from ct_assets.dagster_private import CheckRunHealthResult, WorkerStatus

UNFINISHED = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
              dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED,
              dg.DagsterRunStatus.CANCELING]


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executes the run (its RUN_START event's), or None before
    the run started."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_START,
                                           limit=1).records
    event = records[0].event_log_entry.dagster_event if records else None
    return event.pid if event is not None else None


def worker_alive(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool | None:
    """True or False for a run whose worker is known; None before its first event."""
    pid = worker_pid(instance, run.run_id)
    if pid is None:
        return None
    record = instance.get_run_record_by_id(run.run_id)
    started = (record.start_time or record.create_timestamp.timestamp()) if record else 0.0
    try:
        return psutil.Process(pid).create_time() <= started + 1.0
    except psutil.Error:  # no such process (or not ours to see): it is gone
        return False


def dead_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Unfinished runs whose process is gone (or that never started one)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED))
    return [run for run in runs if not worker_alive(instance, run)]


class MonitoredRunLauncher(dg.DefaultRunLauncher):
    """The default launcher (each run in a local subprocess), able to say when a run's
    process died, so run monitoring fails the run and the queue moves on."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        alive = worker_alive(self._instance, run)
        if alive is False:
            pid = worker_pid(self._instance, run.run_id)
            return CheckRunHealthResult(
                WorkerStatus.FAILED, f"the run's process (pid {pid} on {socket.gethostname()}) "
                "is gone: killed, or its machine restarted")
        return CheckRunHealthResult(WorkerStatus.RUNNING)
