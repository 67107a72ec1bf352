"""Promotion gates: when a contender may replace the champion.

Three gates, as TFX's Evaluator applies them: an absolute floor on the metric (a ceiling for
lower-is-better metrics), a minimum change over the champion on the same holdout (absolute or
relative to the champion's value), and a paired bootstrap lower bound on that change, so a
contender that looks better only by the holdout's noise is not promoted. The first model needs
the floor only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ct_assets.training.bootstrap import Improvement
from ct_assets.training.metrics import HIGHER_IS_BETTER

TOLERANCE = 1e-9  # 0.70 - 0.65 is 0.04999999999999993 in floating point


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    gates: dict[str, bool] = field(default_factory=dict)
    reason: str = ""


def required_change(champion: float, min_improvement: float, min_relative: float) -> float:
    """The change a contender must show: the larger of the absolute and (when one is set)
    relative thresholds; a negative absolute one tolerates a contender that much worse."""
    return max(min_improvement, min_relative * abs(champion)) if min_relative else min_improvement


def promotion_gates(metric: str, contender: float, champion: float | None, floor: float | None,
                    min_improvement: float, min_relative_improvement: float = 0.0,
                    improvement: Improvement | None = None) -> GateDecision:
    """Apply the gates to one metric's values (and the bootstrap bound when there is one)."""
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    gates = {"floor": floor is None or sign * (contender - floor) >= -TOLERANCE}
    reasons = [] if gates["floor"] else [
        f"{metric} {contender:.4f} is {'below the floor' if sign > 0 else 'above the ceiling'} "
        f"{floor}"]
    if champion is not None:
        need = required_change(champion, min_improvement, min_relative_improvement)
        gates["min_improvement"] = sign * (contender - champion) >= need - TOLERANCE
        if not gates["min_improvement"]:
            reasons.append(f"{metric} {contender:.4f} does not beat the champion's "
                           f"{champion:.4f} by {need:g}")
        if improvement is not None:
            gates["bootstrap"] = improvement.low >= need - TOLERANCE
            if not gates["bootstrap"]:
                reasons.append(f"bootstrap lower bound {improvement.low:+.4f} of the "
                               f"{metric} change is below the required {need:g}")
    if reasons:
        return GateDecision(False, gates, "; ".join(reasons))
    vs = "" if champion is None else f" vs champion {champion:.4f}"
    bound = "" if improvement is None else f", lower bound {improvement.low:+.4f}"
    return GateDecision(True, gates, f"{metric} {contender:.4f}{vs}{bound}: passes all gates")
