"""Alerts from Dagster's own events: asset check results and run status / failure sensors.

- `performance_floor` (asset check on `performance_report`, WARN): the realised metric against
  `gate_floor`, so the UI shows it next to `dataset_drift`.
- `monitoring_alert_sensor` (run status SUCCESS of `ingest_job`): a failed `dataset_drift` or
  `performance_floor` check in that run becomes an alert.
- `retrain_success_alert_sensor` (run status SUCCESS of `retrain_job`): the newly promoted
  champion, or a contender rejected by `promotion_gates` (with its gates; a rejection is a
  successful run).
- `retrain_failure_alert_sensor` (run failure of `retrain_job`): a bento refused by
  `infra_validation`, or a failed retrain.
- `alert_redelivery_sensor`: retries alerts the webhook did not take (it was down).

Sensors read only the Dagster instance (never the DuckDB file a run may be writing). Every
alert goes to `HOME/alerts.jsonl` first; delivery never raises, so a webhook that is down never
fails a run or a tick. Each run status sensor also retries undelivered alerts first.
"""

import warnings

import dagster as dg

from ct_assets.alerts import Alert, redeliver, send, webhook_url
from ct_assets.defs.jobs import ingest_job, retrain_job
from ct_assets.defs.partitions import periodic
from ct_assets.defs.performance import performance_report
from ct_assets.resources import ProjectResource
from ct_assets.training.metrics import HIGHER_IS_BETTER

CHECK_EVAL = dg.DagsterEventType.ASSET_CHECK_EVALUATION
MATERIALIZATION = dg.DagsterEventType.ASSET_MATERIALIZATION


def _performance_floor(context: dg.AssetCheckExecutionContext,
                       project: ProjectResource) -> dg.AssetCheckResult:
    settings = project.settings
    metric, floor = settings.metric, settings.gate_floor
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=performance_report.key,
                              asset_partitions=[context.partition_key]), limit=1).records
    meta = records[0].asset_materialization.metadata if records else {}
    value = meta.get(metric).value if metric in meta else None
    if value is None or floor is None:
        why = "no floor set (gate_floor)" if floor is None else "no realised metric yet (labels)"
        return dg.AssetCheckResult(passed=True, description=why,
                                   metadata={"floor": dg.FloatMetadataValue(floor)})
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    passed = sign * (float(value) - floor) >= 0
    word = "below the floor" if sign > 0 else "above the ceiling"
    return dg.AssetCheckResult(
        passed=passed, severity=dg.AssetCheckSeverity.WARN,
        description=f"realised {metric} {float(value):.4f} is "
                    f"{'within' if passed else word} {floor}",
        metadata={metric: float(value), "floor": floor})


with warnings.catch_warnings():  # partitioned checks are a preview feature in Dagster 1.13
    warnings.simplefilter("ignore", dg.PreviewWarning)
    performance_floor = dg.asset_check(
        asset=performance_report, name="performance_floor", partitions_def=periodic,
        description="Realised metric of the served scores against the floor (`gate_floor`); "
                    "a breach sends an alert.")(_performance_floor)


def _url(project: ProjectResource) -> str | None:
    return webhook_url(project.settings.alert_webhook)


def _checks(instance: dg.DagsterInstance, run_id: str) -> dict[str, object]:
    """check name -> its evaluation (the last one) in the run."""
    out = {}
    for entry in instance.all_logs(run_id, of_type=CHECK_EVAL):
        evaluation = entry.dagster_event.event_specific_data
        out[evaluation.check_name] = evaluation
    return out


def _materialized(instance: dg.DagsterInstance, run_id: str, asset: str) -> dict:
    for entry in instance.all_logs(run_id, of_type=MATERIALIZATION):
        mat = entry.dagster_event.event_specific_data.materialization
        if mat.asset_key == dg.AssetKey(asset):
            return {k: v.value for k, v in mat.metadata.items()}
    return {}


def _meta(evaluation) -> dict:
    return {k: v.value for k, v in evaluation.metadata.items()}


def _run_fields(run: dg.DagsterRun) -> dict:
    tags = run.tags
    return {"run_id": run.run_id, "trigger": tags.get("ct/trigger"),
            "reason": tags.get("ct/reason"), "cutoff": tags.get("ct/cutoff")}


def _send_all(alerts: list[Alert], project: ProjectResource) -> str:
    url, home = _url(project), project.paths.root
    retried = redeliver(home, url)
    sent = [(a.kind, send(a, home, url)) for a in alerts]
    done = ", ".join(f"{k}: {r.status if r else 'already logged'}" for k, r in sent)
    return f"{done or 'no alert'}; redelivered {retried['delivered']}, pending {retried['pending']}"


def monitoring_alerts(run: dg.DagsterRun, instance: dg.DagsterInstance) -> list[Alert]:
    """Drift and realised-performance breaches recorded as failed checks of an ingest run."""
    checks, day, alerts = _checks(instance, run.run_id), run.tags.get("dagster/partition"), []
    drift = checks.get("dataset_drift")
    if drift is not None and not drift.passed:
        report = _materialized(instance, run.run_id, "drift_report")
        alerts.append(Alert(
            f"dataset_drift:{day}:{run.run_id}", "dataset_drift", f"Dataset drift on {day}",
            {"day": day, "description": drift.description, **_meta(drift),
             "drifted_features": report.get("drifted_features"),
             "champion_version": report.get("champion_version"), "run_id": run.run_id}))
    perf = checks.get("performance_floor")
    if perf is not None and not perf.passed:
        alerts.append(Alert(
            f"performance_below_floor:{day}:{run.run_id}", "performance_below_floor",
            f"Realised performance below its floor on {day}",
            {"day": day, "description": perf.description, **_meta(perf), "run_id": run.run_id}))
    return alerts


def retrain_alerts(run: dg.DagsterRun, instance: dg.DagsterInstance,
                   error: str | None = None) -> list[Alert]:
    """The outcome of a retrain run: promoted, rejected, refused bento, or failed."""
    checks, fields = _checks(instance, run.run_id), _run_fields(run)
    gates, infra = checks.get("promotion_gates"), checks.get("infra_validation")
    evaluation = _materialized(instance, run.run_id, "contender_evaluation")
    alerts = []
    if gates is not None and not gates.passed:
        version = evaluation.get("contender_version")
        alerts.append(Alert(
            f"contender_rejected:{run.run_id}", "contender_rejected",
            f"Contender {version} rejected by the promotion gates",
            {"version": version, "champion": evaluation.get("champion_version"),
             "gate_reason": gates.description, "gates": _meta(gates), **fields}))
        return alerts
    champion = _materialized(instance, run.run_id, "champion_model")
    if infra is not None and not infra.passed:
        alerts.append(Alert(
            f"bento_refused:{run.run_id}", "bento_refused",
            f"Bento of {champion.get('version')} refused by infra validation; "
            "the previous deployable bento stays served",
            {"version": champion.get("version"), "why": infra.description,
             **_meta(infra), **fields}))
        return alerts
    if error is None and champion:
        alerts.append(Alert(
            f"champion_promoted:{run.run_id}", "champion_promoted",
            f"New champion {champion.get('version')} (was {champion.get('previous')})",
            {**champion, "bento_validated": infra.passed if infra is not None else None,
             **fields, "reason": champion.get("reason")}))
    elif error is not None:
        alerts.append(Alert(f"retrain_failed:{run.run_id}", "retrain_failed",
                            f"Retrain failed (run {run.run_id[:8]})",
                            {"error": error[:1500], **fields}))
    return alerts


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[ingest_job],
                      name="monitoring_alert_sensor", minimum_interval_seconds=30,
                      default_status=dg.DefaultSensorStatus.RUNNING)
def monitoring_alert_sensor(context: dg.RunStatusSensorContext, project: ProjectResource):
    """Alert on dataset drift and on realised performance below its floor (failed checks)."""
    return dg.SkipReason(_send_all(monitoring_alerts(context.dagster_run, context.instance),
                                   project))


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[retrain_job],
                      name="retrain_success_alert_sensor", minimum_interval_seconds=30,
                      default_status=dg.DefaultSensorStatus.RUNNING)
def retrain_success_alert_sensor(context: dg.RunStatusSensorContext, project: ProjectResource):
    """Alert on a newly promoted champion (its bento passed infra validation) or a contender
    the promotion gates rejected."""
    return dg.SkipReason(_send_all(retrain_alerts(context.dagster_run, context.instance),
                                   project))


@dg.run_failure_sensor(monitored_jobs=[retrain_job], name="retrain_failure_alert_sensor",
                       minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def retrain_failure_alert_sensor(context: dg.RunFailureSensorContext, project: ProjectResource):
    """Alert on a refused bento or a failed retrain: something broke."""
    steps = context.get_step_failure_events()
    error = "; ".join(_error_text(e) for e in steps) or context.failure_event.message or "failed"
    return dg.SkipReason(_send_all(
        retrain_alerts(context.dagster_run, context.instance, error=error), project))


def _error_text(event) -> str:
    """The step's error and its causes, innermost last (what actually went wrong)."""
    error = event.step_failure_data.error if event.step_failure_data else None
    parts = []
    while error is not None and len(parts) < 4:
        parts.append(error.message.strip())
        error = error.cause
    return " <- ".join(parts) or event.message or ""


@dg.sensor(name="alert_redelivery_sensor", minimum_interval_seconds=300,
           default_status=dg.DefaultSensorStatus.RUNNING)
def alert_redelivery_sensor(context: dg.SensorEvaluationContext, project: ProjectResource):
    """Retry alerts that the webhook did not take; they wait in HOME/alerts.jsonl."""
    done = redeliver(project.paths.root, _url(project))
    return dg.SkipReason(f"redelivered {done['delivered']}, pending {done['pending']}")


sensors = [monitoring_alert_sensor, retrain_success_alert_sensor, retrain_failure_alert_sensor,
           alert_redelivery_sensor]
