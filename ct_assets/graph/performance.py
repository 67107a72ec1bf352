"""Monitoring, part three: realised performance of the scores given, as labels arrive."""

import datetime as dt

import dagster as dg
import pandas as pd

from ct_assets.graph.model import ModelGraph
from ct_assets.records import NONE, PerformanceSummary
from ct_assets.store.point_in_time import end_of
from ct_assets.training import evaluate
from ct_assets.training.metrics import HIGHER_IS_BETTER


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    floor = dg.AssetCheckSpec(
        "performance_floor", asset=m.key("performance_report"),
        description="Realised metric of the served scores against the floor (`gate_floor`); "
                    "a breach sends an alert.")

    @dg.asset(key=m.key("performance_report"), partitions_def=m.partitions,
              deps=[m.key("predictions_log"), m.key("champion_model")],
              group_name=m.group("monitoring"), kinds={"duckdb", "sklearn"}, check_specs=[floor])
    def performance_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Realised performance: the scores actually given, against the labels known by the end
        of the period.

        Covers events of the last `perf_window_days` days (or the whole period, if longer)
        whose labels have arrived; with late labels the most recent days are thin, which the
        row count shows. The champion's own scores are also scored apart (`champion_*`), next
        to the metric it had on its holdout when it was promoted: a realised metric well below
        that is concept drift, which the drift sensor retrains on even when the features look
        unchanged. The `performance_floor` check compares the realised metric with
        `gate_floor`.
        """
        settings, day = m.settings, m.day_of(context)
        until = end_of(m.last_day_of(context))
        since = min(until - dt.timedelta(days=settings.perf_window_days),
                    dt.datetime.combine(day, dt.time()))  # at least the whole period
        with m.registry() as reg:
            champion = reg.champion()
        with m.store() as fs:
            scored = fs.scored_labels(since, until)
            try:
                metrics = evaluate(scored["label"], scored["score"], settings.task)
            except ValueError as exc:
                return dg.MaterializeResult(
                    metadata={"rows": len(scored), "reason": str(exc)},
                    check_results=[dg.AssetCheckResult(
                        check_name="performance_floor", passed=True,
                        description=f"no realised metric yet: {exc}")])
            versions = ",".join(sorted(scored["model_version"].unique()))
            fs.replace_partition("performance", day,
                                 pd.DataFrame([{**metrics, "models": versions}]))
        summary = PerformanceSummary(settings.metric, metrics, versions,
                                     **_champion_evidence(champion, scored, settings))
        return dg.MaterializeResult(metadata=summary.to_metadata(),
                                    check_results=[_floor_check(summary, settings.gate_floor)])

    return [performance_report]


def _champion_evidence(champion, scored: pd.DataFrame, settings) -> dict:
    """The champion's realised metric on its own scores, its evidence and its holdout metric."""
    if champion is None or settings.metric not in champion.metrics:
        return {"champion_version": NONE}
    own = scored[scored["model_version"] == champion.version]
    out = {"champion_version": champion.version, "champion_rows": len(own),
           "champion_positives": int(own["label"].sum()) if settings.task == "binary" else 0,
           "champion_holdout": float(champion.metrics[settings.metric])}
    try:
        out["champion_realised"] = evaluate(own["label"], own["score"],
                                            settings.task)[settings.metric]
    except ValueError:
        pass  # no labelled rows of both classes yet: no realised metric
    return out


def _floor_check(summary: PerformanceSummary, floor: float | None) -> dg.AssetCheckResult:
    value, metric = summary.value, summary.metric
    if value is None or floor is None:
        return dg.AssetCheckResult(check_name="performance_floor", passed=True,
                                   description="no floor set (gate_floor)")
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    passed = sign * (value - floor) >= 0
    word = "below the floor" if sign > 0 else "above the ceiling"
    return dg.AssetCheckResult(
        check_name="performance_floor", passed=passed, severity=dg.AssetCheckSeverity.WARN,
        description=f"realised {metric} {value:.4f} is {'within' if passed else word} {floor}",
        metadata={metric: value, "floor": floor})
