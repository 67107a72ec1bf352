"""Alerts from Dagster's own events: run status sensors read a finished run once into
`RunFacts`, and the pure rules of `ct_assets.alerts` decide what to tell.

- on a successful ingest run: dataset drift and realised performance below its floor (the
  `dataset_drift` and `performance_floor` warning checks);
- on a successful retrain run: a new champion, or a contender the gates rejected;
- on a failed retrain run: a bento refused by infra validation, or a failure;
- every few minutes: alerts the webhook did not take, delivered again.

Sensors read only the Dagster instance (never the DuckDB file a run may be writing). Every
alert goes to the home's `alerts.jsonl` first; delivery never raises, so a webhook that is down
never fails a run or a tick.
"""

import dagster as dg

from ct_assets.alerts import Alert, Budget, redeliver, send, webhook_url
from ct_assets.alerts.rules import CheckOutcome, RunFacts, monitoring_alerts, retrain_alerts
from ct_assets.graph.model import ModelGraph
from ct_assets.records import RunTags

READ = {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION}


def run_facts(instance: dg.DagsterInstance, run: dg.DagsterRun,
              error: str | None = None) -> RunFacts:
    """What a finished run recorded: its checks and what it materialized, by name."""
    checks, materialized = {}, {}
    for entry in instance.all_logs(run.run_id, of_type=READ):
        if entry.asset_materialization is not None:
            mat = entry.asset_materialization
            materialized[mat.asset_key.path[-1]] = {k: v.value for k, v in mat.metadata.items()}
        else:
            check = entry.dagster_event.asset_check_evaluation_data
            checks[check.check_name] = CheckOutcome(
                check.passed, check.description or "",
                {k: v.value for k, v in check.metadata.items()})
    return RunFacts(run.run_id, RunTags.from_tags(run.tags), run.tags.get("dagster/partition"),
                    checks, materialized, error)


def build(m: ModelGraph, ingest_job, retrain_job) -> list[dg.SensorDefinition]:
    def deliver(alerts: list[Alert]) -> dg.SkipReason:
        """New alerts first (they are logged before any attempt), then the pending ones, all
        within one tick's time budget for the webhook."""
        url, home, budget = webhook_url(m.settings.alert_webhook), m.home.root, Budget()
        sent = ", ".join(
            f"{a.kind}: {getattr(send(a, home, url, budget=budget), 'status', 'already logged')}"
            for a in alerts)
        retried = redeliver(home, url, budget=budget)
        return dg.SkipReason(f"{sent or 'no alert'}; redelivered {retried['delivered']}, "
                             f"pending {retried['pending']}")

    def on_success(name: str, job, rules, description: str) -> dg.SensorDefinition:
        @dg.run_status_sensor(name=m.named(name), run_status=dg.DagsterRunStatus.SUCCESS,
                              monitored_jobs=[job], minimum_interval_seconds=30,
                              description=description,
                              default_status=dg.DefaultSensorStatus.RUNNING)
        def sensor(context: dg.RunStatusSensorContext):
            return deliver(rules(run_facts(context.instance, context.dagster_run)))
        return sensor

    @dg.run_failure_sensor(name=m.named("retrain_failure_alert_sensor"),
                           monitored_jobs=[retrain_job], minimum_interval_seconds=30,
                           default_status=dg.DefaultSensorStatus.RUNNING)
    def retrain_failure_alert_sensor(context: dg.RunFailureSensorContext):
        """Alert on a refused bento or a failed retrain: something broke."""
        steps = context.get_step_failure_events()
        error = "; ".join(_error_text(e) for e in steps) or context.failure_event.message
        return deliver(retrain_alerts(run_facts(context.instance, context.dagster_run,
                                                error=error or "failed")))

    @dg.sensor(name=m.named("alert_redelivery_sensor"), minimum_interval_seconds=300,
               default_status=dg.DefaultSensorStatus.RUNNING)
    def alert_redelivery_sensor(context: dg.SensorEvaluationContext):
        """Retry alerts that the webhook did not take; they wait in the home's alerts.jsonl."""
        return deliver([])

    return [on_success("monitoring_alert_sensor", ingest_job, monitoring_alerts,
                       "Alert on dataset drift and on realised performance below its floor."),
            on_success("retrain_success_alert_sensor", retrain_job, retrain_alerts,
                       "Alert on a new champion or a contender the promotion gates rejected."),
            retrain_failure_alert_sensor, alert_redelivery_sensor]


def _error_text(event) -> str:
    """The step's error and its causes, innermost last (what actually went wrong)."""
    error = event.step_failure_data.error if event.step_failure_data else None
    parts = []
    while error is not None and len(parts) < 4:
        parts.append(error.message.strip())
        error = error.cause
    return " <- ".join(parts) or event.message or ""
