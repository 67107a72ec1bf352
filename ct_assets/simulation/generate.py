"""Generate one whole day (events, labels, label times) from its own random generator.

Everything about day `i` comes from `np.random.default_rng([seed, i])` in a fixed order of
draws (volume, features, labels, latencies, missing values), so a day never depends on which
other days were generated before it. Results are read-only arrays cached by (simulator, day
index): a few whole days, and many more days' label arrays alone, because `labels(day)` needs a
month of earlier days and a forward walk should not regenerate them (nor hold a month of
features in memory).
"""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from . import catalog as cat
from .labels import US_PER_DAY, draw_latency_us
from .risk import draw_labels
from .scenario import Day
from .stream import draw_day, mask_missing

if TYPE_CHECKING:  # pragma: no cover
    from .simulator import EventSimulator

EPOCH = date(1970, 1, 1)


@functools.lru_cache(maxsize=8)
def generate_day(sim: EventSimulator, index: int) -> dict[str, np.ndarray]:
    """All arrays of one day (read-only): times, features as emitted, label, label time."""
    rng = np.random.default_rng([sim.seed, index])
    day = Day.of(sim, index)
    n = max(1, int(rng.poisson(day.volume(sim.rows_per_day))))
    f = draw_day(rng, day, n)
    label = draw_labels(rng, f, day)
    latency = draw_latency_us(rng, label, sim.max_label_delay_days)
    mask_missing(rng, f, day, sim.incident_feature)

    event_us = ((sim.start - EPOCH).days + index) * US_PER_DAY + f.pop("tod_us")
    out = {
        "event_us": event_us,
        "label": label,
        "label_us": event_us + latency,
    }
    out |= {name: np.asarray(f[name], dtype=np.float64) for name in cat.NUMERIC}
    out |= {name: np.array(cat.LEVELS[name], dtype=object)[f[name]] for name in cat.CATEGORICAL}
    for a in out.values():
        a.flags.writeable = False
    return out


@functools.lru_cache(maxsize=64)
def label_arrays(sim: EventSimulator, index: int) -> dict[str, np.ndarray]:
    """Only `event_us`, `label` and `label_us` of one day: what `labels(day)` reads."""
    g = generate_day(sim, index)
    return {k: g[k] for k in ("event_us", "label", "label_us")}


def entity_ids(index: int, rows: np.ndarray) -> np.ndarray:
    """Globally unique ids "DDDD-RRRRR" (day index, row number within the day), as str objects.

    Built only for the rows asked for: `labels(day)` touches a month of days but few rows of each.
    """
    if len(rows) == 0:
        return np.empty(0, dtype=object)
    rows_str = np.char.zfill(rows.astype(np.int64).astype("U"), 5)  # np.char: numpy 1.26 too
    return np.char.add(f"{index:04d}-", rows_str).astype(object)
