"""The project's home folder and settings, and the event source they configure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from ct_assets.home import Home
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet


class ProjectResource(dg.ConfigurableResource):
    """Where the project lives; its settings are read from the home's `settings.json`."""

    home: str = Field(description="Home folder: DuckDB file, Dagster instance, BentoML store.")

    @property
    def paths(self) -> Home:
        return Home(Path(self.home).resolve())

    @property
    def settings(self) -> Settings:
        return Settings.load(self.paths.root)


class EventSourceResource(dg.ConfigurableResource):
    """The event stream: the built-in simulator, seeded from the project's settings."""

    seed: int = Field(0, description="Simulator seed.")
    start: str = Field("2025-01-01", description="First day of the stream (ISO date).")
    rows_per_day: int = Field(2500, description="Mean events per day.")

    def _simulator(self) -> EventSimulator:
        return EventSimulator(seed=self.seed, start=dt.date.fromisoformat(self.start),
                              rows_per_day=self.rows_per_day)

    @property
    def feature_set(self) -> FeatureSet:
        sim = self._simulator()
        return FeatureSet(tuple(sim.numeric), tuple(sim.categorical), tuple(sim.calendar))

    def events(self, day: dt.date) -> pd.DataFrame:
        return self._simulator().events(day)

    def labels(self, day: dt.date) -> pd.DataFrame:
        return self._simulator().labels(day)

    def truth(self, day: dt.date) -> pd.DataFrame:
        """Every event of `day` with its eventual label: hindsight, for backtests only."""
        return self._simulator().labeled_events(day)[["entity_id", "label"]]
