"""`EventSimulator`: the public, seeded, day-addressable event and label source.

Each day is generated from its own generator, `np.random.default_rng([seed, day_index])`, so any
day can be produced alone, in any order, and always the same. Labels for a day need the events
of up to `max_label_delay_days` earlier days; those are regenerated on demand (`generate.py`
caches them), so walking forward day by day costs one new day each.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from ct_assets.errors import CTError

from . import catalog as cat
from .generate import EPOCH, entity_ids, generate_day, label_arrays
from .labels import US_PER_DAY, arriving, lookback_days
from .scenario import describe


class DayOutOfRange(CTError, ValueError):
    """A day before the simulator's start was asked for."""


@dataclass(frozen=True)
class EventSimulator:
    """A card-transaction fraud stream with weekly rhythm, slow drift, a concept change, a
    data-quality incident and late labels. Equal simulators produce equal streams."""

    seed: int = 0  #: seeds every day's generator together with the day index
    start: date = date(2025, 1, 1)  #: the date of day index 0; earlier days raise
    rows_per_day: int = 2500  #: mean rows per day; weekdays vary around it (catalog.WEEKLY_VOLUME)
    concept_change_day: int | None = 55  #: first day index of the new fraud pattern; None: never
    incident_days: tuple[int, int] | None = (35, 38)  #: [first, end) day indices; None: never
    incident_feature: str = "merchant_risk_score"  #: the numeric feature missing during incident
    shift_days: int = 90  #: days for the covariate shift to reach full size (0 disables it)
    max_label_delay_days: float = 30.0  #: cap on label latency, in days

    def __post_init__(self) -> None:
        if isinstance(self.start, datetime):
            object.__setattr__(self, "start", self.start.date())
        elif isinstance(self.start, str):
            object.__setattr__(self, "start", date.fromisoformat(self.start))
        if self.incident_days is not None:
            object.__setattr__(self, "incident_days", tuple(int(d) for d in self.incident_days))
            if len(self.incident_days) != 2 or self.incident_days[0] > self.incident_days[1]:
                raise ValueError(f"incident_days must be (first, end), got {self.incident_days}")
        if not isinstance(self.seed, numbers.Integral) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        object.__setattr__(self, "seed", int(self.seed))
        if self.rows_per_day < 1:
            raise ValueError(f"rows_per_day must be at least 1, got {self.rows_per_day}")
        if self.incident_feature not in cat.NUMERIC:
            raise ValueError(f"incident_feature {self.incident_feature!r} is not a numeric feature")
        if self.shift_days < 0:
            raise ValueError(f"shift_days must be >= 0, got {self.shift_days}")
        if not self.max_label_delay_days > 0:
            raise ValueError(f"max_label_delay_days must be > 0, got {self.max_label_delay_days}")

    @property
    def numeric(self) -> list[str]:
        return list(cat.NUMERIC)

    @property
    def categorical(self) -> list[str]:
        return list(cat.CATEGORICAL)

    @property
    def calendar(self) -> list[str]:
        """Numeric features read off the event time (their daily mix follows the weekday)."""
        return list(cat.CALENDAR)

    @property
    def scenario(self) -> dict:
        """Day indices and dates of the concept change, incident and shift (see scenario.py)."""
        return describe(self)

    def day_index(self, day: date | datetime | str) -> int:
        """Index of `day` (0 = `start`); raises `DayOutOfRange` for days before `start`."""
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if isinstance(day, datetime):
            day = day.date()
        index = (day - self.start).days
        if index < 0:
            raise DayOutOfRange(f"day {day} is before the simulator's start {self.start}")
        return index

    def date_of(self, index: int) -> date:
        """The date of day index `index` (the inverse of `day_index`)."""
        return self.start + timedelta(days=index)

    def events(self, day: date) -> pd.DataFrame:
        """The day's events: entity_id, event_ts (sorted, within the day), numeric, categorical."""
        index = self.day_index(day)
        g = generate_day(self, index)
        ids = entity_ids(index, np.arange(len(g["event_us"])))
        cols = {"entity_id": ids, "event_ts": g["event_us"].astype("datetime64[us]")}
        cols |= {name: g[name] for name in cat.NUMERIC}
        cols |= {name: g[name] for name in cat.CATEGORICAL}
        return pd.DataFrame(cols)

    def labels(self, day: date) -> pd.DataFrame:
        """Labels that become known during `day`: entity_id, event_ts, label (int8), label_ts."""
        index = self.day_index(day)
        day_start = ((self.start - EPOCH).days + index) * US_PER_DAY
        parts = []
        for i in lookback_days(index, self.max_label_delay_days):
            g = label_arrays(self, i)
            rows = np.flatnonzero(arriving(g["label_us"], day_start))
            parts.append({k: g[k][rows] for k in ("event_us", "label", "label_us")})
            parts[-1]["entity_id"] = entity_ids(i, rows)
        got = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        order = np.lexsort((got["entity_id"], got["label_us"]))
        return pd.DataFrame(
            {
                "entity_id": got["entity_id"][order],
                "event_ts": got["event_us"][order].astype("datetime64[us]"),
                "label": got["label"][order],
                "label_ts": got["label_us"][order].astype("datetime64[us]"),
            }
        )

    def labeled_events(self, day: date) -> pd.DataFrame:
        """Events of `day` with their eventual label and label_ts: ground truth, ignoring latency.

        For backtests and tests that need the truth; a CT pipeline must use `labels(day)`.
        """
        g = generate_day(self, self.day_index(day))
        frame = self.events(day)
        frame["label"] = g["label"]
        frame["label_ts"] = g["label_us"].astype("datetime64[us]")
        return frame
