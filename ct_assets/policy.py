"""Retraining policy: when the drift sensor and the periodic schedule ask for a retrain.

Pure decisions on plain values, so the rules are tested without Dagster and the backtest can
replay them. Every answer carries a one-line reason: the run's tag when it retrains, the skip
reason shown in the Dagster UI when it does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ct_assets.settings import Settings


@dataclass(frozen=True)
class Decision:
    retrain: bool
    reason: str


def drift_decision(day: dt.date, report: dict, last_retrain: dt.date | None,
                   settings: Settings) -> Decision:
    """Retrain when the day drifted, enough labels are newer than the champion, cooldown passed."""
    if "drift" not in settings.policy:
        return Decision(False, f"{day}: policy {settings.policy!r} does not retrain on drift")
    if report.get("champion_version", "none") == "none":
        return Decision(False, f"{day}: no champion yet; the periodic schedule trains the first")
    share = float(report.get("drift_share", 0.0))
    if not report.get("drifted", False):
        return Decision(False, f"{day}: drift share {share:.2f} below {settings.drift_share}")
    new_labels = int(report.get("new_labels_since_champion", 0))
    if new_labels < settings.min_new_labels:
        return Decision(False, f"{day}: drift share {share:.2f} but only {new_labels} labels "
                               "newer than the champion "
                               f"(min_new_labels {settings.min_new_labels})")
    if last_retrain is not None and (day - last_retrain).days < settings.cooldown_days:
        return Decision(False, f"{day}: drift share {share:.2f} but last retrain was at "
                               f"{last_retrain} (cooldown_days {settings.cooldown_days})")
    drifted = report.get("drifted_features", "")
    return Decision(True, f"drift share {share:.2f} >= {settings.drift_share} on {day} "
                          f"({drifted[:80]})")


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
