"""Retraining policy: when the drift sensor and the periodic schedule ask for a retrain.

Pure decisions on plain values, so the rules are tested without Dagster and the backtest can
replay them. Every answer carries a one-line reason: the run's tag when it retrains, the skip
reason shown in the Dagster UI when it does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ct_assets.records import DriftSummary, PerformanceSummary
from ct_assets.settings import Settings
from ct_assets.training.gates import TOLERANCE
from ct_assets.training.metrics import HIGHER_IS_BETTER

BOUNDED = ("roc_auc", "pr_auc")  # perf_drop is absolute for these, relative for errors


@dataclass(frozen=True)
class Decision:
    retrain: bool
    reason: str


def degradation(performance: PerformanceSummary | None, champion: str,
                settings: Settings) -> str | None:
    """Why the champion's realised metric counts as degraded, or None when it does not.

    Covariate drift alone misses concept drift: after the concept change the features may move
    little while the champion's scores lose their meaning. The realised metric of the
    champion's own scores on the labels that have arrived is compared with the metric it had on
    its holdout when it was promoted; a drop of `perf_drop` or more is degradation. Both numbers
    see the same label latency (recent fraud is labelled late in either), and the realised one
    is only trusted with as many labelled rows and positives as a holdout needs.
    """
    metric = settings.metric
    if settings.perf_drop is None or performance is None or performance.metric != metric:
        return None
    realised, holdout = performance.champion_realised, performance.champion_holdout
    if realised is None or holdout is None or performance.champion_version != champion:
        return None
    if performance.champion_rows < settings.min_holdout_rows:
        return None
    if (settings.task == "binary"
            and performance.champion_positives < settings.min_holdout_positives):
        return None
    drop = (float(holdout) - float(realised)) * (1.0 if HIGHER_IS_BETTER[metric] else -1.0)
    allowed = settings.perf_drop * (1.0 if metric in BOUNDED else abs(float(holdout)))
    if drop < allowed - TOLERANCE:  # 0.86 - 0.81 is 0.04999999999999993
        return None
    return (f"realised {metric} {float(realised):.3f} is {drop:.3f} worse than the champion's "
            f"holdout {float(holdout):.3f} (perf_drop {settings.perf_drop})")


def staleness(day: dt.date, report: DriftSummary, settings: Settings) -> str | None:
    """Why the champion counts as stale, or None: its cutoff is `max_age_days` old, or (a
    young champion) the labels that arrived since its cutoff are `staleness` times the rows
    it trained on."""
    if settings.max_age_days and report.champion_cutoff:
        age = (day - dt.date.fromisoformat(report.champion_cutoff)).days
        if age >= settings.max_age_days:
            return f"stale: the champion's data ends {age} days ago (max_age_days " \
                   f"{settings.max_age_days})"
    if settings.staleness is None or report.champion_rows <= 0:
        return None
    if report.new_labels_since_champion < settings.staleness * report.champion_rows:
        return None
    return (f"stale: {report.new_labels_since_champion} labels since the champion's cutoff, "
            f">= {settings.staleness:g} x the {report.champion_rows} rows it trained on")


def grown(report: DriftSummary, settings: Settings) -> bool:
    """Whether enough labels arrived since the champion's cutoff for covariate drift to be
    worth a model: `drift_growth` times the rows it trained on. A season moves the weather
    features of every week; a model of a year of history does not change with one more week."""
    if settings.drift_growth is None or report.champion_rows <= 0:
        return True
    return report.new_labels_since_champion >= settings.drift_growth * report.champion_rows


def drift_decision(day: dt.date, report: DriftSummary, last_retrain: dt.date | None,
                   settings: Settings, performance: PerformanceSummary | None = None) -> Decision:
    """Retrain when the day drifted (covariate drift in the drift report, or the champion's
    realised metric degraded in the performance report) or the champion is stale (fresh labels
    many against what it trained on), enough labels are newer than the champion, and the
    cooldown passed."""
    if "drift" not in settings.policy:
        return Decision(False, f"{day}: policy {settings.policy!r} does not retrain on drift")
    if not report.has_champion:
        return Decision(False, f"{day}: no champion yet; the periodic schedule trains the first")
    champion, share = report.champion_version, float(report.drift_share or 0.0)
    degraded = degradation(performance, champion, settings)
    stale = staleness(day, report, settings)
    covariate = report.drifted
    if not covariate and degraded is None and stale is None:
        return Decision(False, f"{day}: drift share {share:.2f} below {settings.drift_share}"
                               f"{_realised(performance)}; {report.new_labels_since_champion} "
                               f"new labels")
    what = f"drift share {share:.2f}" if covariate else degraded or stale
    new_labels = report.new_labels_since_champion
    if covariate and degraded is None and stale is None and not grown(report, settings):
        return Decision(False, f"{day}: {what} but only {new_labels} labels since the "
                               f"champion's cutoff, < drift_growth {settings.drift_growth:g} x "
                               f"the {report.champion_rows} rows it trained on")
    if new_labels < settings.min_new_labels:
        return Decision(False, f"{day}: {what} but only {new_labels} labels "
                               "newer than the champion "
                               f"(min_new_labels {settings.min_new_labels})")
    if last_retrain is not None and (day - last_retrain).days < settings.cooldown_days:
        return Decision(False, f"{day}: {what} but last retrain was at "
                               f"{last_retrain} (cooldown_days {settings.cooldown_days})")
    reasons = []
    if covariate:
        drifted = report.drifted_features
        reasons.append(f"drift share {share:.2f} >= {settings.drift_share} on {day} "
                       f"({drifted[:80]})")
    if degraded is not None:
        reasons.append(f"performance on {day}: {degraded}")
    if stale is not None and not reasons:
        reasons.append(f"{stale} on {day}")
    return Decision(True, "; ".join(reasons))


def _realised(performance: PerformanceSummary | None) -> str:
    if performance is None or None in (performance.champion_realised,
                                       performance.champion_holdout):
        return ""
    return (f"; realised {performance.metric} {performance.champion_realised:.3f} vs holdout "
            f"{performance.champion_holdout:.3f} on {performance.champion_rows} labelled rows")


def periodic_decision(day: dt.date, labels_known: int, last_retrain: dt.date | None,
                      settings: Settings) -> Decision:
    """Train the first model once enough labels exist; then retrain every N days.

    `last_retrain` is None while there is no champion: a first retrain that found too few rows
    or failed its floor is tried again, whatever the policy."""
    if last_retrain is None:
        if (day - settings.start).days + 1 < settings.warmup_days:
            return Decision(False, f"{day}: warming up ({(day - settings.start).days + 1} of "
                                   f"warmup_days {settings.warmup_days} days)")
        need = settings.min_train_rows + settings.min_holdout_rows  # to train, and to judge
        if labels_known < need:
            return Decision(False, f"{day}: waiting for labels for a first model "
                                   f"({labels_known} of min_train_rows + min_holdout_rows "
                                   f"{need})")
        return Decision(True, f"first model: {labels_known} labels known on {day}")
    if "periodic" not in settings.policy:
        return Decision(False, f"{day}: policy {settings.policy!r} does not retrain periodically")
    age = (day - last_retrain).days
    if age < settings.periodic_every_days:
        return Decision(False, f"{day}: last retrain {age} days ago "
                               f"(periodic_every_days {settings.periodic_every_days})")
    return Decision(True, f"periodic: last retrain {age} days ago "
                          f"(every {settings.periodic_every_days} days)")
