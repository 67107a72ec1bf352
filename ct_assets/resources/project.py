"""The project's home folder and settings, and the event source they configure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from ct_assets.home import Home
from ct_assets.periods import Period
from ct_assets.settings import Settings
from ct_assets.sources import open_source
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
    """The event stream the settings name (the built-in simulator or a user's table), one
    partition period at a time."""

    home: str = Field(description="Home folder whose settings name the source.")

    def _period(self, start: dt.date):
        """The source (read once per process) and the [start, end) of the period."""
        settings = Settings.load(Path(self.home))
        return open_source(settings), start, Period(settings.period).end(start)

    @property
    def feature_set(self) -> FeatureSet:
        return open_source(Settings.load(Path(self.home))).feature_set

    def events(self, start: dt.date) -> pd.DataFrame:
        """Events of the period that starts on `start`."""
        source, start, end = self._period(start)
        return source.events(start, end)

    def labels(self, start: dt.date) -> pd.DataFrame:
        """Labels that became known during the period that starts on `start`."""
        source, start, end = self._period(start)
        return source.labels(start, end)

    def truth(self, start: dt.date) -> pd.DataFrame:
        """Every event of the period with its eventual label: hindsight, for backtests only."""
        source, start, end = self._period(start)
        return source.truth(start, end)
