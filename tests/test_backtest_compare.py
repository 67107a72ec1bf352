"""The backtest's verdict on two policies: a paired block bootstrap of their daily metrics."""

import numpy as np

from ct_assets.backtest.compare import paired_gap


def daily(values, first=0):
    return [{"day": f"d{first + i:03d}", "value": float(v)} for i, v in enumerate(values)]


def test_a_steady_lead_is_settled_and_noise_is_not():
    rng = np.random.default_rng(1)
    base = 0.8 + rng.normal(0, 0.02, 120)
    lead = paired_gap(daily(base + 0.01), daily(base + rng.normal(0, 0.002, 120)))
    assert lead.settled and lead.low > 0 and abs(lead.mean - 0.01) < 0.001
    swings = np.tile([0.03, -0.01, -0.02, 0.01, -0.03, 0.02, 0.0, 0.0], 15)  # sums to zero
    tie = paired_gap(daily(base + swings), daily(base))
    assert not tie.settled and tie.low < 0 < tie.high


def test_only_days_both_policies_scored_are_compared():
    gap = paired_gap(daily([0.9] * 10), daily([0.8] * 20, first=5))
    assert gap.days == 5 and abs(gap.mean - 0.1) < 1e-12 and gap.settled
    assert paired_gap(daily([0.9]), daily([0.8], first=3)) is None
