"""Monitoring, part three: realised performance of the scores given, as labels arrive."""

import datetime as dt

import dagster as dg
import pandas as pd

from ct_assets.defs.partitions import day_of, last_day_of, periodic
from ct_assets.defs.predictions import CHAMPION, predictions_log
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource
from ct_assets.store.point_in_time import end_of
from ct_assets.training import evaluate


@dg.asset(partitions_def=periodic, deps=[predictions_log, CHAMPION], group_name="monitoring",
          kinds={"duckdb", "sklearn"})
def performance_report(context: dg.AssetExecutionContext, project: ProjectResource,
                       store: FeatureStoreResource,
                       registry: RegistryResource) -> dg.MaterializeResult:
    """Realised performance: the scores actually given, against the labels known by this day.

    Covers events of the last `perf_window_days` days (or the whole period, if longer) whose
    labels have arrived; with late labels the most recent days are thin, which the row count
    shows. The champion's own scores are also scored apart (`champion_*`), next to the metric
    it had on its holdout when it was promoted: a realised metric well below that is concept
    drift, which the drift sensor retrains on even when the features look unchanged.
    """
    settings, day = project.settings, day_of(context)
    until = end_of(last_day_of(context))
    since = min(until - dt.timedelta(days=settings.perf_window_days),
                dt.datetime.combine(day, dt.time()))  # at least the whole period
    with registry.open() as reg:
        champion = reg.champion()
    with store.open() as fs:
        scored = fs.scored_labels(since, until)
        try:
            metrics = evaluate(scored["label"], scored["score"], settings.task)
        except ValueError as exc:
            return dg.MaterializeResult(metadata={"rows": len(scored), "reason": str(exc)})
        versions = ",".join(sorted(scored["model_version"].unique()))
        fs.replace_partition("performance", day, pd.DataFrame([{**metrics, "models": versions}]))
    return dg.MaterializeResult(metadata={**metrics, "models": versions,
                                          **_champion_metrics(champion, scored, settings)})


def _champion_metrics(champion, scored: pd.DataFrame, settings) -> dict:
    """The champion's realised metric on its own scores, its evidence and its holdout metric."""
    if champion is None or settings.metric not in champion.metrics:
        return {}
    own = scored[scored["model_version"] == champion.version]
    out = {"champion_version": champion.version, "champion_rows": len(own),
           "champion_positives": int(own["label"].sum()) if settings.task == "binary" else 0,
           f"champion_holdout_{settings.metric}": float(champion.metrics[settings.metric])}
    try:
        out[f"champion_{settings.metric}"] = evaluate(own["label"], own["score"],
                                                      settings.task)[settings.metric]
    except ValueError:
        pass  # no labelled rows of both classes yet: no realised metric
    return out
