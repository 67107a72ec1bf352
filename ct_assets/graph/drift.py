"""Monitoring, part two: each period compared with the champion's reference profile."""

import base64

import dagster as dg
import pandas as pd

from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.graph.model import ModelGraph
from ct_assets.records import DriftSummary
from ct_assets.store.featurestore import scalar
from ct_assets.store.point_in_time import end_of

SCORES = "day = ? AND model_version = ? AND source = 'batch'"  # the champion's own batch scores


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("drift_report"), partitions_def=m.partitions,
              deps=[m.key("features"), m.key("predictions_log"), m.key("champion_model")],
              group_name=m.group("monitoring"), kinds={"duckdb", "pandas"},
              check_specs=[dg.AssetCheckSpec("dataset_drift", asset=m.key("drift_report"))])
    def drift_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """The period's features and scores compared with the champion's reference profile.

        The feature reference is the champion's holdout, or, once a contender has been
        rejected against it (`refresh_reference`), that contender's holdout: the champion was
        checked on that newer data and kept, so a slow shift the gates already judged does not
        ask for the same retrain again a cooldown later. The score reference stays the
        champion's own.

        Per feature: PSI, KL, Wasserstein (in reference standard deviations), missing shares;
        for the dataset, the importance-weighted share of drifted features. Computed inside
        DuckDB (only aggregates leave the database), so a period of any size fits in memory.
        The retrain sensor reads this report's numbers, including how many labels arrived
        since the cutoff.
        """
        day, until, settings = m.day_of(context), end_of(m.last_day_of(context)), m.settings
        with m.registry() as reg:
            champion = reg.champion()
            checked = reg.rejected_since_champion() if settings.refresh_reference else None
        reference = checked or champion
        with m.store() as fs:
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
            fs.replace_partition("drift", day, pd.concat(tables).reset_index(
                names="feature").assign(model_version=champion.version))
        summary = DriftSummary(
            champion_version=champion.version, drift_share=float(report.share),
            drifted=bool(report.drifted),
            drifted_features=", ".join(report.drifted_features) or "none",
            score_psi=float(tables[1].loc["score", "psi"]) if len(tables) > 1 else None,
            champion_cutoff=str(champion.cutoff), reference_version=reference.version,
            labels_known=labels_known, new_labels_since_champion=new_labels,
            champion_rows=champion.n_rows)
        return dg.MaterializeResult(
            metadata={**_chartable(summary.to_metadata()),
                      "report": dg.MetadataValue.md(report.to_markdown()),
                      **_plot(report, settings.drift_plot)},
            check_results=[dg.AssetCheckResult(
                check_name="dataset_drift", passed=not report.drifted,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{report.n_drifted} drifted feature(s); weighted share "
                            f"{report.share:.2f} (threshold {settings.drift_share})",
                metadata={"drift_share": float(report.share)})],
        )

    return [drift_report]


def _chartable(values: dict) -> dict:
    """Numbers Dagster charts per partition (a None float stays a float entry)."""
    return {k: dg.FloatMetadataValue(v) if k in ("drift_share", "score_psi") else v
            for k, v in values.items()}


def _plot(report, enabled: bool) -> dict:
    if not enabled:
        return {}
    png = base64.b64encode(report.plot_png(top=3)).decode()
    return {"plot": dg.MetadataValue.md(
        f"![reference vs current, most drifted features](data:image/png;base64,{png})")}


def _no_champion_report(labels_known: int) -> dg.MaterializeResult:
    summary = DriftSummary(labels_known=labels_known, new_labels_since_champion=labels_known)
    return dg.MaterializeResult(
        metadata={**_chartable(summary.to_metadata()),
                  "reason": "no champion yet: nothing to compare with"},
        check_results=[dg.AssetCheckResult(check_name="dataset_drift", passed=True,
                                           description="no champion yet")],
    )
