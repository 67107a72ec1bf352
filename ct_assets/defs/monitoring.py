"""Monitoring: what the champion scored each day, how far the day drifted, how well it did."""

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pandas as pd

from ct_assets.defs.features import features
from ct_assets.defs.partitions import daily, day_of
from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource
from ct_assets.store.point_in_time import end_of
from ct_assets.training import TrainedModel, evaluate

CHAMPION = dg.AssetKey("champion_model")


@dg.asset(partitions_def=daily, deps=[features, CHAMPION], group_name="monitoring",
          kinds={"duckdb", "lightgbm"})
def predictions_log(context: dg.AssetExecutionContext, store: FeatureStoreResource,
                    registry: RegistryResource) -> dg.MaterializeResult:
    """The champion's scores for every event of the day, with the model version that made them.

    This is the record of what production saw and answered; monitoring joins it with labels as
    they arrive, so realised performance is measured on the scores actually given.
    """
    day = day_of(context)
    with registry.open() as reg:
        champion = reg.champion()
    if champion is None:
        return dg.MaterializeResult(metadata={"rows": 0, "reason": "no champion yet"})
    model = TrainedModel.load(Path(champion.artifact_path), champion.feature_schema)
    with store.open() as fs:
        rows = fs.read_partition("features", day)
        log = rows[["entity_id", "event_ts"]].assign(
            model_version=champion.version, score=model.predict(rows), source="batch")
        written = fs.replace_partition("predictions", day, log)
    return dg.MaterializeResult(metadata={
        "rows": written, "model_version": champion.version,
        "mean_score": float(log["score"].mean()),
    })


@dg.asset(partitions_def=daily, deps=[features, predictions_log, CHAMPION],
          group_name="monitoring", kinds={"duckdb", "pandas"},
          check_specs=[dg.AssetCheckSpec("dataset_drift", asset="drift_report")])
def drift_report(context: dg.AssetExecutionContext, project: ProjectResource,
                 store: FeatureStoreResource, registry: RegistryResource) -> dg.MaterializeResult:
    """The day's features and scores compared with the champion's reference profile.

    Per feature: PSI, KL, Wasserstein (in reference standard deviations), missing shares;
    for the dataset, the importance-weighted share of drifted features. The retrain sensor reads
    this report's numbers, including how many labels arrived since the champion's cutoff.
    """
    day, settings = day_of(context), project.settings
    with registry.open() as reg:
        champion = reg.champion()
    with store.open() as fs:
        labels_known = fs.labels_known(None, end_of(day))
        if champion is None:
            return _no_champion_report(labels_known)
        current = fs.read_partition("features", day)
        scores = fs.read_partition("predictions", day)
        new_labels = fs.labels_known(end_of(champion.cutoff), end_of(day))
        profile = ReferenceProfile.from_json(json.dumps(champion.profile["features"]))
        report = profile.compare(current, DriftThresholds(share=settings.drift_share))
        score_report = ReferenceProfile.from_json(json.dumps(champion.profile["score"])).compare(
            scores[["score"]])
        table = pd.concat([report.features, score_report.features])
        fs.replace_partition("drift", day, table.reset_index(names="feature").assign(
            model_version=champion.version))
    drifted = report.features.index[report.features["drifted"]].tolist()
    return dg.MaterializeResult(
        metadata={
            "drift_share": float(report.share), "drifted": bool(report.drifted),
            "drifted_features": ", ".join(drifted) or "none",
            "score_psi": float(score_report.features.loc["score", "psi"]),
            "champion_version": champion.version, "champion_cutoff": str(champion.cutoff),
            "labels_known": labels_known, "new_labels_since_champion": new_labels,
            "report": dg.MetadataValue.md(report.to_markdown()),
        },
        check_results=[dg.AssetCheckResult(
            check_name="dataset_drift", passed=not report.drifted,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(drifted)} drifted feature(s); weighted share {report.share:.2f} "
                        f"(threshold {settings.drift_share})",
            metadata={"drift_share": float(report.share)})],
    )


def _no_champion_report(labels_known: int) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"champion_version": "none", "labels_known": labels_known,
                  "new_labels_since_champion": labels_known,
                  "reason": "no champion yet: nothing to compare with"},
        check_results=[dg.AssetCheckResult(check_name="dataset_drift", passed=True,
                                           description="no champion yet")],
    )


@dg.asset(partitions_def=daily, deps=[predictions_log], group_name="monitoring",
          kinds={"duckdb", "sklearn"})
def performance_report(context: dg.AssetExecutionContext, project: ProjectResource,
                       store: FeatureStoreResource) -> dg.MaterializeResult:
    """Realised performance: the scores actually given, against the labels known by this day.

    Covers events of the last `perf_window_days` days whose labels have arrived; with late labels
    the most recent days are thin, which the row count shows.
    """
    day, settings = day_of(context), project.settings
    until = end_of(day)
    with store.open() as fs:
        scored = fs.scored_labels(until - dt.timedelta(days=settings.perf_window_days), until)
        try:
            metrics = evaluate(scored["label"], scored["score"], settings.task)
        except ValueError as exc:
            return dg.MaterializeResult(metadata={"rows": len(scored), "reason": str(exc)})
        versions = ",".join(sorted(scored["model_version"].unique()))
        fs.replace_partition("performance", day, pd.DataFrame([{**metrics, "models": versions}]))
    return dg.MaterializeResult(metadata={**metrics, "models": versions})
