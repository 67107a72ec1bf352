"""The timeline: what is true of the world on a given day index.

A continuous-training system is only worth testing against a stream that changes, and the
changes have to be known so tests and docs can say when monitoring *should* react. This module
turns a day index into a `Day` (weekday, how far the slow covariate shift has gone, whether the
concept change has happened, whether the data-quality incident is on) and the category mixes
that follow from it. It holds no randomness: the same day index always means the same world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import catalog as cat

if TYPE_CHECKING:  # pragma: no cover
    from .simulator import EventSimulator

#: How strongly the foreign-country share grows per unit of shift progress.
COUNTRY_SHIFT = 2.4
#: Log-amount growth per unit of shift progress: the price level (risk is relative to it).
AMOUNT_DRIFT = 0.6
#: The shift grows linearly to twice its `shift_days` size and then holds, so that long
#: backtests stay plausible.
MAX_PROGRESS = 2.0


@dataclass(frozen=True)
class Day:
    """Everything about one day index that does not depend on random draws."""

    index: int
    date: date
    weekday: int  # Monday = 0
    progress: float  # covariate-shift progress: 0 at day 0, 1 at `shift_days`, at most 2
    changed: bool  # on or after the concept change
    incident: bool  # the incident feature is entirely missing today

    @property
    def weekend(self) -> bool:
        return self.weekday >= 5

    @classmethod
    def of(cls, sim: EventSimulator, index: int) -> Day:
        d = sim.start + timedelta(days=index)
        lo, hi = sim.incident_days if sim.incident_days is not None else (0, 0)
        return cls(
            index=index,
            date=d,
            weekday=d.weekday(),
            progress=min(index / sim.shift_days, MAX_PROGRESS) if sim.shift_days else 0.0,
            changed=sim.concept_change_day is not None and index >= sim.concept_change_day,
            incident=lo <= index < hi,
        )

    def volume(self, rows_per_day: int) -> float:
        """Expected row count: the weekly pattern around `rows_per_day`."""
        return rows_per_day * float(cat.WEEKLY_VOLUME[self.weekday])


def _normalise(w: np.ndarray) -> np.ndarray:
    return w / w.sum()


def mixes(day: Day) -> dict[str, np.ndarray]:
    """Category probabilities for each categorical feature on `day`."""
    merchant = cat.MERCHANT_WEIGHTS.copy()
    channel = cat.CHANNEL_WEIGHTS.copy()
    if day.weekend:
        merchant *= cat.MERCHANT_WEEKEND
        channel *= cat.CHANNEL_WEEKEND
    if day.changed:
        merchant *= cat.MERCHANT_CHANGED
        channel *= cat.CHANNEL_CHANGED
    country = cat.COUNTRY_WEIGHTS.copy()
    country[1:] *= 1.0 + COUNTRY_SHIFT * day.progress  # slowly more travel and cross-border
    return {
        "merchant_category": _normalise(merchant),
        "channel": _normalise(channel),
        "country": _normalise(country),
        "card_type": _normalise(cat.CARD_WEIGHTS),
    }


def describe(sim: EventSimulator) -> dict:
    """The scenario as plain data (JSON-serialisable), for docs, tests and run metadata."""

    def iso(i: int) -> str:
        return (sim.start + timedelta(days=i)).isoformat()

    incident = list(range(*sim.incident_days)) if sim.incident_days else []
    change = sim.concept_change_day
    return {
        "start": sim.start.isoformat(),
        "seed": sim.seed,
        "rows_per_day": sim.rows_per_day,
        "weekly_volume": [round(float(v), 3) for v in cat.WEEKLY_VOLUME],
        "covariate_shift": {
            "numeric": ["amount", "txn_count_24h", "distance_from_home_km", "credit_utilization"],
            "categorical": ["country"],
            "shift_days": sim.shift_days,
            "max_progress": MAX_PROGRESS,
            "note": "linear from day 0; full size at day shift_days, then growing at the same "
            "rate until max_progress times that size, then constant",
        },
        "concept_change": {
            "day": change,
            "date": iso(change) if change is not None else None,
            "note": "new fraud pattern: small amounts on digital_goods/gift_cards via online and "
            "mobile_app, new accounts, many cards per device; online/app share and the "
            "merchant mix jump the same day",
        },
        "incident": {
            "feature": sim.incident_feature,
            "days": incident,
            "dates": [iso(i) for i in incident],
            "note": "the feature is entirely missing (NaN) on these days",
        },
        "base_missing": dict(cat.BASE_MISSING),
        "label_latency": {
            "max_days": sim.max_label_delay_days,
            "note": "legit: 0.5 + Gamma(1.5, 3.5) days (mean ~5.8); fraud (chargebacks): "
            "2 + Gamma(2, 5) days (mean ~12); capped at max_days",
        },
    }
