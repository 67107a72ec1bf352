"""Promotion gates: when a contender may replace the champion.

A contender must clear an absolute floor and, when a champion exists, beat it on the same
holdout by at least the required change. The first model needs the floor only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ct_assets.training.metrics import HIGHER_IS_BETTER

TOLERANCE = 1e-9  # 0.70 - 0.65 is 0.04999999999999993 in floating point


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    gates: dict[str, bool] = field(default_factory=dict)
    reason: str = ""


def promotion_gates(metric: str, contender: float, champion: float | None,
                    floor: float, min_improvement: float) -> GateDecision:
    """Apply the floor and the minimum-change gate to one metric's values."""
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    gates = {"floor": sign * (contender - floor) >= -TOLERANCE}
    if champion is not None:
        gates["min_improvement"] = sign * (contender - champion) >= min_improvement - TOLERANCE
    failed = [name for name, ok in gates.items() if not ok]
    if not failed:
        vs = "" if champion is None else f" vs champion {champion:.4f}"
        return GateDecision(True, gates, f"{metric} {contender:.4f}{vs} passes all gates")
    if failed[0] == "floor":
        side = "below the floor" if sign > 0 else "above the ceiling"
        return GateDecision(False, gates, f"{metric} {contender:.4f} is {side} {floor}")
    return GateDecision(False, gates, f"{metric} {contender:.4f} does not beat the champion's "
                        f"{champion:.4f} by {min_improvement}")
