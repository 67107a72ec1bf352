"""The triggers: an ingest schedule after each period, a drift sensor and a periodic retrain
schedule.

All start stopped: the demo and the backtest evaluate them for simulated periods; in production
turn them on in the UI (or set `default_status`) and the daemon runs them on the wall clock.
"""

import dagster as dg

from ct_assets.graph.jobs import retrain_request
from ct_assets.graph.model import ModelGraph
from ct_assets.graph.run_state import (
    last_retrain_cutoff,
    latest_drift_report,
    performance_report_of,
)
from ct_assets.policy import drift_decision, periodic_decision
from ct_assets.records import RunTags


def build(m: ModelGraph) -> dict[str, list]:
    settings = m.settings

    @dg.schedule(name=m.named("daily_ingest_schedule"), cron_schedule=m.cron(0),
                 job_name=m.named("ingest_job"), execution_timezone="UTC")
    def daily_ingest_schedule(context: dg.ScheduleEvaluationContext):
        """At midnight after each period (each day by default), ingest and monitor the period
        that just ended."""
        day = m.period.ending_on(context.scheduled_execution_time.date())
        if day < settings.start:
            return dg.SkipReason(f"{day} is before the stream starts ({settings.start})")
        return dg.RunRequest(run_key=f"ingest-{day}", partition_key=day.isoformat(),
                             tags=RunTags("schedule", f"daily ingest of {day}").to_tags())

    @dg.sensor(name=m.named("drift_retrain_sensor"), job_name=m.named("retrain_job"),
               minimum_interval_seconds=300)
    def drift_retrain_sensor(context: dg.SensorEvaluationContext):
        """Retrain when the newest drift report breaches its threshold, or the same period's
        performance report shows the champion's realised metric well below its holdout metric,
        with fresh labels, after a cooldown. Reads only the Dagster instance; each new drift
        report is judged once."""
        reading = latest_drift_report(context.instance, m)
        if reading is None:
            return dg.SkipReason("no drift report yet")
        if context.cursor and int(context.cursor) >= reading.storage_id:
            return dg.SkipReason(f"no drift report newer than {reading.day}")
        context.update_cursor(str(reading.storage_id))
        cutoff = m.period.last_day(reading.day)
        decision = drift_decision(cutoff, reading.summary,
                                  last_retrain_cutoff(context.instance, m), settings,
                                  performance_report_of(context.instance, m, reading.day))
        if not decision.retrain:
            return dg.SkipReason(decision.reason)
        return retrain_request(m, cutoff, "drift", decision.reason)

    @dg.schedule(name=m.named("periodic_retrain_schedule"), cron_schedule=m.cron(1),
                 job_name=m.named("retrain_job"), execution_timezone="UTC")
    def periodic_retrain_schedule(context: dg.ScheduleEvaluationContext):
        """After each period, retrain if the last retrain is `periodic_every_days` old (or
        train the first model once enough labels exist). The cutoff is the last day of the
        newest period with a drift report."""
        reading = latest_drift_report(context.instance, m)
        if reading is None:
            return dg.SkipReason("no ingested period yet")
        cutoff = m.period.last_day(reading.day)
        last = last_retrain_cutoff(context.instance, m) if reading.summary.has_champion else None
        decision = periodic_decision(cutoff, reading.summary.labels_known, last, settings)
        if not decision.retrain:
            return dg.SkipReason(decision.reason)
        return retrain_request(m, cutoff, "schedule", decision.reason)

    return {"schedules": [daily_ingest_schedule, periodic_retrain_schedule],
            "sensors": [drift_retrain_sensor]}
