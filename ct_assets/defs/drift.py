"""Monitoring, part two: each day compared with the champion's reference profile."""

import base64

import dagster as dg
import pandas as pd

from ct_assets.defs.features import features
from ct_assets.defs.partitions import day_of, last_day_of, periodic
from ct_assets.defs.predictions import CHAMPION, predictions_log
from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource
from ct_assets.store.featurestore import scalar
from ct_assets.store.point_in_time import end_of

SCORES = "day = ? AND model_version = ? AND source = 'batch'"  # the champion's own batch scores


@dg.asset(partitions_def=periodic, deps=[features, predictions_log, CHAMPION],
          group_name="monitoring", kinds={"duckdb", "pandas"},
          check_specs=[dg.AssetCheckSpec("dataset_drift", asset="drift_report")])
def drift_report(context: dg.AssetExecutionContext, project: ProjectResource,
                 store: FeatureStoreResource, registry: RegistryResource) -> dg.MaterializeResult:
    """The day's features and scores compared with the champion's reference profile.

    The feature reference is the champion's holdout, or, once a contender has been rejected
    against it (`refresh_reference`), that contender's holdout: the champion was checked on
    that newer data and kept, so a slow shift the gates already judged does not ask for the
    same retrain again a cooldown later. The score reference stays the champion's own.

    Per feature: PSI, KL, Wasserstein (in reference standard deviations), missing shares;
    for the dataset, the importance-weighted share of drifted features. Computed inside DuckDB
    (only aggregates leave the database), so a day of any size fits in memory. The retrain
    sensor reads this report's numbers, including how many labels arrived since the cutoff.
    """
    day, until, settings = day_of(context), end_of(last_day_of(context)), project.settings
    with registry.open() as reg:
        champion = reg.champion()
        checked = reg.rejected_since_champion() if settings.refresh_reference else None
    reference = checked or champion
    with store.open() as fs:
        labels_known = fs.labels_known(None, until)
        if champion is None:
            return _no_champion_report(labels_known)
        new_labels = fs.labels_known(end_of(champion.cutoff), until)
        report = ReferenceProfile.from_dict(reference.profile["features"]).compare(
            fs.con, DriftThresholds(share=settings.drift_share), table="features",
            where="day = ?", params=[day])
        tables, scores = [report.features], [day, champion.version]
        if fs.has_table("predictions") and scalar(
                fs.con, f"SELECT count(*) FROM predictions WHERE {SCORES}", scores):
            tables.append(ReferenceProfile.from_dict(champion.profile["score"]).compare(
                fs.con, table="predictions", where=SCORES, params=scores).features)
        fs.replace_partition("drift", day, pd.concat(tables).reset_index(names="feature").assign(
            model_version=champion.version))
    plot = {}
    if settings.drift_plot:
        png = base64.b64encode(report.plot_png(top=3)).decode()
        plot["plot"] = dg.MetadataValue.md(
            f"![reference vs current, most drifted features](data:image/png;base64,{png})")
    return dg.MaterializeResult(
        metadata={
            "drift_share": float(report.share), "drifted": bool(report.drifted),
            "drifted_features": ", ".join(report.drifted_features) or "none",
            "score_psi": dg.FloatMetadataValue(
                float(tables[1].loc["score", "psi"]) if len(tables) > 1 else None),
            "champion_version": champion.version, "champion_cutoff": str(champion.cutoff),
            "reference_version": reference.version,
            "labels_known": labels_known, "new_labels_since_champion": new_labels,
            "report": dg.MetadataValue.md(report.to_markdown()), **plot,
        },
        check_results=[dg.AssetCheckResult(
            check_name="dataset_drift", passed=not report.drifted,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{report.n_drifted} drifted feature(s); weighted share "
                        f"{report.share:.2f} (threshold {settings.drift_share})",
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
