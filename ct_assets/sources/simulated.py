"""The built-in simulator behind the same interface as a user's table: [start, end) ranges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet


@dataclass(frozen=True)
class SimulatedSource:
    simulator: EventSimulator

    @property
    def feature_set(self) -> FeatureSet:
        sim = self.simulator
        return FeatureSet(tuple(sim.numeric), tuple(sim.categorical), tuple(sim.calendar))

    def events(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        return self._concat(self.simulator.events, start, end)

    def labels(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        return self._concat(self.simulator.labels, start, end)

    def truth(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        frame = self._concat(self.simulator.labeled_events, start, end)
        return frame[["entity_id", "label"]]

    @staticmethod
    def _concat(get, start: dt.date, end: dt.date) -> pd.DataFrame:
        days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
        frames = [get(day) for day in days]
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
