"""Drive simulated days through the real Dagster definitions on a real instance.

For each day the driver ticks the real schedules at that day's times, evaluates the real
sensor with its persisted cursor, and executes the runs they request on the home's instance,
so every run, materialization and check shows up in `dagster dev` afterwards. Runs execute
one at a time, in process: DuckDB has a single writer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from ct_assets.graph import ModelGraph, build_definitions
from ct_assets.home import Home
from ct_assets.replay.instance import replay_instance, schedule_context
from ct_assets.replay.journal import RUN_KEY, Journal, recover, used_run_key
from ct_assets.replay.outcome import retrain_history
from ct_assets.replay.shadow import Shadow, asked
from ct_assets.settings import Settings

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# run status sensors the daemon would evaluate after each run: (job, succeeded) -> sensor
ALERT_SENSORS = {("ingest_job", True): "monitoring_alert_sensor",
                 ("retrain_job", True): "retrain_success_alert_sensor",
                 ("retrain_job", False): "retrain_failure_alert_sensor"}


@dataclass(frozen=True)
class RunOutcome:
    day: dt.date
    job: str
    run_id: str
    success: bool
    tags: dict


class DayDriver:
    """Ticks schedules, evaluates the sensor and launches the requested runs for one period."""

    def __init__(self, home: Home, ingest_assets: tuple[str, ...] | None = None):
        """`ingest_assets`: the assets each ingest run materializes, when the home already
        holds the others' partitions (a backtest wrote them once for every policy)."""
        settings = Settings.load(home.root)
        self.home, self.settings = home, settings
        self.model = ModelGraph(settings.name, home, settings, keep_open=True)  # owns the file
        self.defs = build_definitions(self.model)
        self.instance = replay_instance(home)
        self.journal = Journal.load(home.dagster)
        self.cursors = dict(self.journal.cursors)
        self.interrupted = recover(self.instance, self.model)  # what a killed replay left
        self.costs: dict[str, tuple[float, float]] = {}  # run id -> (wall s, CPU s) of this process
        self.shadows: list[Shadow] = []  # policies replayed here while they ask for the same runs
        self.on_part: Callable[[Shadow], None] | None = None  # gives a parting one its own home
        self.ingest_subset = None if ingest_assets is None else [
            self.model.key(asset) for asset in ingest_assets]

    def done(self, starts: list[dt.date]) -> list[dt.date]:
        """The periods of `starts` a previous replay of this home finished."""
        last = self.journal.done
        return [day for day in starts if last is not None and day <= last]

    def retrain_history(self) -> list[dict]:
        """Every retrain this home ran, oldest first (`retrain_history`)."""
        return retrain_history(self.instance, self.model, self.costs)

    def run_day(self, day: dt.date) -> list[RunOutcome]:
        """Ingest the period starting on `day` (a day by default) at the midnight after it, then
        the sensor, then the 01:00 schedule."""
        midnight = dt.datetime.combine(self.model.period.end(day), dt.time(), dt.UTC)
        outcomes = self._tick("daily_ingest_schedule", midnight, day)
        outcomes += self._sense("drift_retrain_sensor", day)
        outcomes += self._tick("periodic_retrain_schedule", midnight + dt.timedelta(hours=1), day)
        self.journal.finish(day, self.cursors)
        for shadow in self.shadows:
            shadow.settle()
        return outcomes

    def _tick(self, name: str, at: dt.datetime, day: dt.date) -> list[RunOutcome]:
        """Evaluate schedule `name` at `at` on this driver's instance.

        The context is given the driver's own instance (see `schedule_context`).
        """
        schedule = self.defs.resolve_schedule_def(self.model.named(name))
        result = schedule(schedule_context(self.instance, at))
        self._part(result, lambda shadow: shadow.asks("schedule", name, self.instance, at))
        return self._launch(schedule.job_name, result, day)

    def _sense(self, name: str, day: dt.date) -> list[RunOutcome]:
        sensor = self.defs.resolve_sensor_def(self.model.named(name))
        context = dg.build_sensor_context(self.instance, cursor=self.cursors.get(name),
                                          definitions=self.defs)
        result = sensor(context)
        self.cursors[name] = context.cursor  # saved when the period is done
        self._part(result, lambda shadow: shadow.asks("sensor", name, self.instance))
        return self._launch(sensor.job_name, result, day)

    def _part(self, result, asks: Callable[[Shadow], list]) -> None:
        """Before a tick's runs: let go of the shadows that would ask for other runs."""
        mine = asked(result)
        for shadow in [s for s in self.shadows if asks(s) != mine]:
            self.shadows.remove(shadow)
            self.on_part(shadow)

    def _launch(self, job_name: str, result, day: dt.date) -> list[RunOutcome]:
        requests = result if isinstance(result, list) else [result]
        outcomes = []
        for request in requests:
            if not isinstance(request, dg.RunRequest):
                continue  # a SkipReason: the tick said why
            if used_run_key(self.instance, job_name, request.run_key):
                continue  # answered before this replay was killed, as the daemon would skip it
            job = self.defs.resolve_job_def(job_name)
            subset = self.ingest_subset if job_name == self.model.named("ingest_job") else None
            wall, cpu = time.perf_counter(), time.process_time()
            run = job.execute_in_process(
                instance=self.instance, partition_key=request.partition_key,
                asset_selection=subset,
                run_config={**request.run_config, **QUIET},
                tags={**request.tags, RUN_KEY: request.run_key}, raise_on_error=False)
            self.costs[run.run_id] = (round(time.perf_counter() - wall, 3),
                                      round(time.process_time() - cpu, 3))
            job = job_name.removeprefix(f"{self.model.name}__")
            tags = self.instance.get_run_by_id(run.run_id).tags  # with what the run decided
            outcomes.append(RunOutcome(day, job, run.run_id, run.success, dict(tags)))
            self._alert(job, run)
        return outcomes

    def _alert(self, job_name: str, run) -> None:
        """Evaluate the alert sensor that watches this job's outcome, as the daemon would."""
        name = ALERT_SENSORS.get((job_name, run.success))
        if name is None:
            return
        event = run.get_run_success_event() if run.success else run.get_run_failure_event()
        name = self.model.named(name)
        context = dg.build_run_status_sensor_context(
            sensor_name=name, dagster_event=event, dagster_instance=self.instance,
            dagster_run=run.dagster_run)
        self.defs.resolve_sensor_def(name)(context if run.success
                                           else context.for_run_failure())
