"""The triggers: a daily ingest schedule, a drift sensor and a periodic retrain schedule.

All start stopped: the demo and the backtest evaluate them for simulated days; in production
turn them on in the UI (or set `default_status`) and the daemon runs them on the wall clock.
"""


import dagster as dg

from ct_assets.defs.jobs import ingest_job, retrain_job, retrain_request
from ct_assets.defs.partitions import PERIOD, START, cron
from ct_assets.defs.run_state import (
    last_retrain_cutoff,
    latest_drift_report,
    performance_report_of,
)
from ct_assets.policy import drift_decision, periodic_decision
from ct_assets.resources import ProjectResource


@dg.schedule(cron_schedule=cron(0), job=ingest_job, execution_timezone="UTC")
def daily_ingest_schedule(context: dg.ScheduleEvaluationContext):
    """At midnight after each period (each day by default), ingest and monitor the period that
    just ended."""
    day = PERIOD.ending_on(context.scheduled_execution_time.date())
    if day < START:
        return dg.SkipReason(f"{day} is before the stream starts ({START})")
    return dg.RunRequest(run_key=f"ingest-{day}", partition_key=day.isoformat(),
                         tags={"ct/trigger": "schedule", "ct/reason": f"daily ingest of {day}"})


@dg.sensor(job=retrain_job, minimum_interval_seconds=300)
def drift_retrain_sensor(context: dg.SensorEvaluationContext, project: ProjectResource):
    """Retrain when the newest drift report breaches its threshold, or the same day's
    performance report shows the champion's realised metric well below its holdout metric,
    with fresh labels, after a cooldown. Reads only the Dagster instance; each new drift report
    is judged once."""
    reading = latest_drift_report(context.instance)
    if reading is None:
        return dg.SkipReason("no drift report yet")
    if context.cursor and int(context.cursor) >= reading.storage_id:
        return dg.SkipReason(f"no drift report newer than {reading.day}")
    context.update_cursor(str(reading.storage_id))
    cutoff = PERIOD.last_day(reading.day)
    decision = drift_decision(cutoff, reading.values, last_retrain_cutoff(context.instance),
                              project.settings, performance_report_of(context.instance,
                                                                      reading.day))
    if not decision.retrain:
        return dg.SkipReason(decision.reason)
    return retrain_request(cutoff.isoformat(), "drift", decision.reason)


@dg.schedule(cron_schedule=cron(1), job=retrain_job, execution_timezone="UTC")
def periodic_retrain_schedule(context: dg.ScheduleEvaluationContext, project: ProjectResource):
    """After each period, retrain if the last retrain is `periodic_every_days` old (or train the
    first model once enough labels exist). The cutoff is the last day of the newest period with
    a drift report."""
    reading = latest_drift_report(context.instance)
    if reading is None:
        return dg.SkipReason("no ingested day yet")
    cutoff = PERIOD.last_day(reading.day)
    champion = reading.values.get("champion_version", "none") != "none"
    decision = periodic_decision(cutoff, int(reading.values.get("labels_known", 0)),
                                 last_retrain_cutoff(context.instance) if champion else None,
                                 project.settings)
    if not decision.retrain:
        return dg.SkipReason(decision.reason)
    return retrain_request(cutoff.isoformat(), "schedule", decision.reason)
