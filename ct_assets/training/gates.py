"""Promotion gates: when a contender may replace the champion.

Two rules, both behind an absolute floor on the metric (a ceiling for lower-is-better metrics):

- `non_inferior` (the default): a contender trained on newer data replaces the champion unless
  the paired evidence says it is worse: the one-sided upper confidence bound of its change over
  the champion, on the same holdout, is below `-margin`. Under drift a model of newer data is
  better on average even when one holdout cannot prove it; asking for proof kept stale
  champions on real streams (75 of 80 contenders rejected, 2.7 AUC points lost to a plain
  schedule that always deploys).
- `superior`: TFX's Evaluator: a minimum change over the champion (absolute or relative to its
  value) and a paired bootstrap lower bound on that change above it, so a contender that looks
  better only by the holdout's noise is not promoted.

The first model needs the floor only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ct_assets.training.bootstrap import Improvement
from ct_assets.training.metrics import HIGHER_IS_BETTER

TOLERANCE = 1e-9  # 0.70 - 0.65 is 0.04999999999999993 in floating point


RULES = ("non_inferior", "superior")


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    gates: dict[str, bool] = field(default_factory=dict)
    reason: str = ""
    rule: str = "non_inferior"


def required_change(champion: float, min_improvement: float, min_relative: float) -> float:
    """The change a contender must show: the larger of the absolute and (when one is set)
    relative thresholds; a negative absolute one tolerates a contender that much worse."""
    return max(min_improvement, min_relative * abs(champion)) if min_relative else min_improvement


def promotion_gates(metric: str, contender: float, champion: float | None, floor: float | None,
                    min_improvement: float, min_relative_improvement: float = 0.0,
                    improvement: Improvement | None = None, rule: str = "non_inferior",
                    margin: float = 0.0, compared: float | None = None,
                    best_case: float | None = None) -> GateDecision:
    """Apply the floor to the contender's metric and `rule` to its comparison with the
    champion's: `compared` is the contender's metric on the rows the champion's was measured
    on (default: `contender`), and `improvement` the paired bootstrap of the change there.
    `best_case`, the contender's metric at its favourable confidence bound, is what the floor
    checks (default: `contender`): a holdout too small to tell does not refuse a model."""
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    ours = contender if compared is None else compared
    best = contender if best_case is None else best_case
    gates = {"floor": floor is None or sign * (best - floor) >= -TOLERANCE}
    bound = "" if best == contender else f" (at best {best:.4f})"
    reasons = [] if gates["floor"] else [
        f"{metric} {contender:.4f}{bound} is "
        f"{'below the floor' if sign > 0 else 'above the ceiling'} {floor}"]
    if champion is not None and rule == "superior":
        need = required_change(champion, min_improvement, min_relative_improvement)
        gates["min_improvement"] = sign * (ours - champion) >= need - TOLERANCE
        if not gates["min_improvement"]:
            reasons.append(f"{metric} {ours:.4f} does not beat the champion's "
                           f"{champion:.4f} by {need:g}")
        if improvement is not None:
            gates["bootstrap"] = improvement.low >= need - TOLERANCE
            if not gates["bootstrap"]:
                reasons.append(f"bootstrap lower bound {improvement.low:+.4f} of the "
                               f"{metric} change is below the required {need:g}")
    elif champion is not None and improvement is not None:
        gates["non_inferior"] = improvement.high >= -margin - TOLERANCE
        if not gates["non_inferior"]:
            reasons.append(f"worse than the champion: {metric} {ours:.4f} vs "
                           f"{champion:.4f}, upper bound {improvement.high:+.4f} of the change "
                           f"is below -{margin:g} (promotion_margin)")
    if reasons:
        return GateDecision(False, gates, f"{rule}: " + "; ".join(reasons), rule)
    why = _passed(metric, ours, champion, improvement, rule)
    return GateDecision(True, gates, f"{rule}: {why}", rule)


def _passed(metric: str, contender: float, champion: float | None,
            improvement: Improvement | None, rule: str) -> str:
    if champion is None:
        return f"{metric} {contender:.4f}: the first model passes the floor"
    vs = f"{metric} {contender:.4f} vs champion {champion:.4f}"
    if improvement is None:
        return f"{vs}: no holdout rows the champion did not train on; floor only"
    if rule == "superior":
        return f"{vs}, lower bound {improvement.low:+.4f}: passes all gates"
    return (f"{vs}, change {improvement.value:+.4f} (upper bound {improvement.high:+.4f}): "
            "not worse, newer data wins")
