"""Monitoring, part two: each day compared with the champion's reference profile."""

import json

import dagster as dg
import pandas as pd

from ct_assets.defs.features import features
from ct_assets.defs.partitions import daily, day_of
from ct_assets.defs.predictions import CHAMPION, predictions_log
from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource
from ct_assets.store.point_in_time import end_of


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
