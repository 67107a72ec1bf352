"""Label latency: when each label becomes known, and which labels arrive on a given day.

In card fraud the truth is late. A transaction is confirmed legitimate after a quiet period of
days; fraud surfaces as a chargeback, which takes longer. So a model trained "up to yesterday"
only has complete labels for events weeks old, and a performance report for a recent day is
partial. The simulator makes that first-class: each event gets a `label_ts` after its
`event_ts`, and `labels(day)` returns only the labels whose `label_ts` falls within that day.
"""

from __future__ import annotations

import numpy as np

US_PER_DAY = 86_400_000_000

# (offset days, gamma shape, gamma scale) for legitimate and fraudulent events.
LEGIT_LATENCY = (0.5, 1.5, 3.5)  # mean ~5.8 days
FRAUD_LATENCY = (2.0, 2.0, 5.0)  # mean ~12 days: chargebacks


def draw_latency_us(rng: np.random.Generator, label: np.ndarray, max_days: float) -> np.ndarray:
    """Microseconds from event to label, by class, capped at `max_days` (always > 0)."""
    n = len(label)
    off = np.where(label == 1, FRAUD_LATENCY[0], LEGIT_LATENCY[0])
    shape = np.where(label == 1, FRAUD_LATENCY[1], LEGIT_LATENCY[1])
    scale = np.where(label == 1, FRAUD_LATENCY[2], LEGIT_LATENCY[2])
    days = np.minimum(off + rng.gamma(shape, scale, n), max_days)
    return np.maximum((days * US_PER_DAY).astype(np.int64), 1)


def lookback_days(index: int, max_days: float) -> range:
    """Day indices whose events can have a label arriving on day `index`.

    A latency of at most `max_days` from an event before the end of day `i` lands before the end
    of day `i + ceil(max_days)`, so that many days back (and today) are enough.
    """
    return range(max(0, index - int(np.ceil(max_days))), index + 1)


def arriving(label_ts_us: np.ndarray, day_start_us: int) -> np.ndarray:
    """Boolean mask of labels whose `label_ts` is within [day start, next day start)."""
    return (label_ts_us >= day_start_us) & (label_ts_us < day_start_us + US_PER_DAY)
