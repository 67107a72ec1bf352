"""Which alerts a finished run raises, from what the run recorded. Pure: no Dagster import.

The Dagster layer turns a run's event log into `RunFacts` (its checks and the metadata of what
it materialized, by name) once; the rules here read only those facts, so they are tested on
plain values and do not change when Dagster's event records do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ct_assets.alerts.model import Alert
from ct_assets.records import NONE, RunTags


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    description: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunFacts:
    """A finished run: why it ran, its checks and what it materialized (asset name -> metadata)."""

    run_id: str
    tags: RunTags
    partition: str | None = None
    checks: dict[str, CheckOutcome] = field(default_factory=dict)
    materialized: dict[str, dict] = field(default_factory=dict)
    error: str | None = None  #: the failure, innermost cause last; None when the run succeeded

    def failed(self, check: str) -> CheckOutcome | None:
        outcome = self.checks.get(check)
        return outcome if outcome is not None and not outcome.passed else None

    @property
    def fields(self) -> dict:
        return {"run_id": self.run_id, "trigger": self.tags.trigger, "reason": self.tags.reason,
                "cutoff": self.tags.cutoff.isoformat() if self.tags.cutoff else None}


def monitoring_alerts(run: RunFacts) -> list[Alert]:
    """Drift and realised-performance breaches: failed (warning) checks of an ingest run."""
    day, alerts = run.partition, []
    if drift := run.failed("dataset_drift"):
        report = run.materialized.get("drift_report", {})
        alerts.append(Alert(
            f"dataset_drift:{day}:{run.run_id}", "dataset_drift", f"Dataset drift on {day}",
            {"day": day, "description": drift.description, **drift.metadata,
             "drifted_features": report.get("drifted_features"),
             "champion_version": report.get("champion_version", NONE), "run_id": run.run_id}))
    if floor := run.failed("performance_floor"):
        alerts.append(Alert(
            f"performance_below_floor:{day}:{run.run_id}", "performance_below_floor",
            f"Realised performance below its floor on {day}",
            {"day": day, "description": floor.description, **floor.metadata,
             "run_id": run.run_id}))
    return alerts


def retrain_alerts(run: RunFacts) -> list[Alert]:
    """The outcome of a retrain: promoted, rejected (a success), refused bento or failed."""
    if gates := run.failed("promotion_gates"):
        evaluation = run.materialized.get("contender_evaluation", {})
        version = evaluation.get("contender_version")
        return [Alert(f"contender_rejected:{run.run_id}", "contender_rejected",
                      f"Contender {version} rejected by the promotion gates",
                      {"version": version, "champion": evaluation.get("champion_version"),
                       "gate_reason": gates.description, "gates": gates.metadata,
                       **run.fields})]
    champion = run.materialized.get("champion_model", {})
    if infra := run.failed("infra_validation"):
        return [Alert(f"bento_refused:{run.run_id}", "bento_refused",
                      f"Bento of {champion.get('version')} refused by infra validation; "
                      "the previous deployable bento stays served",
                      {"version": champion.get("version"), "why": infra.description,
                       **infra.metadata, **run.fields})]
    if run.error is not None:
        return [Alert(f"retrain_failed:{run.run_id}", "retrain_failed",
                      f"Retrain failed (run {run.run_id[:8]})",
                      {"error": run.error[:1500], **run.fields})]
    if champion:
        infra = run.checks.get("infra_validation")
        return [Alert(f"champion_promoted:{run.run_id}", "champion_promoted",
                      f"New champion {champion.get('version')} (was {champion.get('previous')})",
                      {**champion, "bento_validated": infra.passed if infra else None,
                       **run.fields, "reason": champion.get("reason")})]
    return []
