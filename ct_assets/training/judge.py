"""A contender judged against the champion: both scored on the holdout rows neither trained on,
then the promotion gates.

A champion refit at its cutoff learnt from every label known then, so the next holdout may hold
rows it trained on (a retrain a few days later, or labels that were already known): on those it
looks better than it is. Only rows whose event or label came after the champion's cutoff are
compared; when too few remain, the gates judge the contender by the floor alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ct_assets.store.point_in_time import end_of
from ct_assets.training.bootstrap import Improvement, event_days, paired_improvement
from ct_assets.training.gates import GateDecision, promotion_gates
from ct_assets.training.metrics import evaluate

MIN_COMPARED = 30  # fewer unseen rows (or one class) compare nothing


@dataclass(frozen=True)
class Judgement:
    decision: GateDecision
    contender: dict  #: metrics on the whole holdout
    champion: dict | None  #: the champion's metrics on the compared rows
    improvement: Improvement | None
    compared: int  #: rows both models were compared on


def unseen_by(holdout: pd.DataFrame, cutoff: dt.date) -> np.ndarray:
    """Rows a model trained at `cutoff` cannot have seen: the event or the label came later."""
    after = pd.Timestamp(end_of(cutoff))
    return ((holdout["event_ts"] >= after) | (holdout["label_ts"] >= after)).to_numpy()


def judge(holdout: pd.DataFrame, contender: np.ndarray, champion: np.ndarray | None,
          champion_cutoff: dt.date | None, settings) -> Judgement:
    """The gates' decision on `contender` scores against `champion` scores (both on
    `holdout`), under the settings' task, metric, floor, promotion rule and bootstrap."""
    task, metric = settings.task, settings.metric
    scores = evaluate(holdout["label"], contender, task)
    ceiling = best_case(holdout, contender, scores[metric], settings)
    if champion is None:
        decision = _gates(settings, scores[metric], None, None, high=ceiling)
        return Judgement(decision, scores, None, None, 0)
    rows = unseen_by(holdout, champion_cutoff)
    labels = holdout["label"].to_numpy()[rows]
    comparable = rows.sum() >= MIN_COMPARED and (task != "binary" or len(set(labels)) == 2)
    if not comparable:
        champion_scores = evaluate(holdout["label"], champion, task)
        decision = _gates(settings, scores[metric], champion_scores[metric], None,
                          high=ceiling)
        return Judgement(decision, scores, champion_scores, None, 0)
    theirs = evaluate(labels, champion[rows], task)
    ours = evaluate(labels, contender[rows], task)
    improvement = paired_improvement(metric, labels, contender[rows], champion[rows],
                                     confidence=settings.gate_confidence,
                                     resamples=settings.bootstrap_resamples,
                                     blocks=event_days(holdout[rows]))
    decision = _gates(settings, scores[metric], theirs[metric], improvement, ours[metric],
                      high=ceiling)
    return Judgement(decision, scores, theirs, improvement, int(rows.sum()))


def best_case(holdout: pd.DataFrame, contender: np.ndarray, value: float,
              settings) -> float:
    """The upper confidence bound of the contender's ROC AUC on the holdout (day blocks, against
    a constant score, whose AUC is 0.5): the floor refuses a model shown to be useless, not one
    whose 30-row holdout happened to hold two rainy days. Other metrics: the value itself."""
    if settings.metric != "roc_auc" or settings.gate_floor is None:
        return value
    labels = holdout["label"].to_numpy()
    if len(set(labels)) < 2:
        return value
    bound = paired_improvement("roc_auc", labels, contender, np.zeros(len(labels)),
                               confidence=settings.gate_confidence,
                               resamples=settings.bootstrap_resamples,
                               blocks=event_days(holdout)).high
    return max(value, 0.5 + bound) if np.isfinite(bound) else value


def _gates(settings, contender: float, champion: float | None,
           improvement: Improvement | None, compared: float | None = None,
           high: float | None = None) -> GateDecision:
    """The floor on the whole holdout; the comparison on the rows both could be judged on."""
    return promotion_gates(settings.metric, contender, champion, settings.gate_floor,
                           settings.gate_min_improvement, settings.gate_min_relative_improvement,
                           improvement, settings.promotion, settings.promotion_margin, compared,
                           high)
