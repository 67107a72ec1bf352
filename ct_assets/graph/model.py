"""One model's graph, configured: its name, home, settings, partitions and storage.

Every asset, check, job, sensor and schedule of a model is built by a function of this object
(one module per stage), the way Dagster's dbt and Sling components close over their own
configuration: two models in one code location then never share a resource key, a partition
set or a module global, and nothing is read from the environment when the graph is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import dagster as dg

from ct_assets.graph.connection import connection
from ct_assets.home import Home
from ct_assets.periods import Period
from ct_assets.registry import Registry
from ct_assets.registry.view import VIEW
from ct_assets.settings import Settings
from ct_assets.sources import open_source
from ct_assets.store import FeatureStore


@dataclass(frozen=True)
class ModelGraph:
    """`name` prefixes every key and name of the model's definitions; `keep_open` is for a
    replay process, which owns the home's database for its whole life."""

    name: str
    home: Home
    settings: Settings
    keep_open: bool = False

    def key(self, asset: str) -> dg.AssetKey:
        return dg.AssetKey([self.name, asset])

    def named(self, definition: str) -> str:
        """A job, sensor or schedule name, unique in a code location holding several models."""
        return f"{self.name}__{definition}"

    def group(self, stage: str) -> str:
        return f"{self.name}_{stage}"

    @property
    def io_manager_key(self) -> str:
        """The model's own IO manager (values passed between retrain steps live in its home)."""
        return self.named("io_manager")

    @cached_property
    def period(self) -> Period:
        return Period(self.settings.period)

    @cached_property
    def partitions(self) -> dg.TimeWindowPartitionsDefinition:
        """One partition per period, named by its first day, from the stream's first day to
        its last (a table's, or a replay's), so the UI's per-partition charts show the stream
        and not empty periods after it; a stream without an end runs on to today."""
        start, end = self.settings.start, self.settings.end
        bounds = {"start_date": start.isoformat(), "end_date": None, "end_offset": 0}
        if end is not None:
            last = self.period.starts(start, last=end)[-1]
            bounds["end_date"] = self.period.end(last).isoformat()
            today = dt.date.today()  # Dagster stops at now unless told how far past it to go
            if end >= today:
                bounds["end_offset"] = len(self.period.starts(self.period.floor(today), last=end))
        if self.period.name == "7d":  # weeks that start on the stream's first weekday
            return dg.WeeklyPartitionsDefinition(**bounds, day_offset=(start.weekday() + 1) % 7)
        if self.period.name == "30d":
            return dg.MonthlyPartitionsDefinition(**bounds)
        return dg.DailyPartitionsDefinition(**bounds)

    def cron(self, hour: int) -> str:
        """Ticks at `hour` o'clock UTC on the first day after each period."""
        weekday = (self.settings.start.weekday() + 1) % 7
        return {"1d": f"0 {hour} * * *", "7d": f"0 {hour} * * {weekday}",
                "30d": f"0 {hour} 1 * *"}[self.period.name]

    def day_of(self, context: dg.AssetExecutionContext) -> dt.date:
        """The first day of the period an asset partition stands for."""
        return dt.date.fromisoformat(context.partition_key)

    def last_day_of(self, context: dg.AssetExecutionContext) -> dt.date:
        """The last day of the partition's period: what 'known by the end of it' means."""
        return self.period.last_day(self.day_of(context))

    @property
    def source(self):
        """The event source the settings name (a table is read once per process)."""
        return open_source(self.settings)

    @contextmanager
    def store(self) -> Iterator[FeatureStore]:
        if self.settings.storage.shared:  # Parquet objects + a Postgres catalog
            from ct_assets.shared.open import shared_store  # psycopg2, s3fs: only when shared

            with shared_store(self.settings.storage, self.name) as fs:
                yield fs
            return
        with connection(self.home.db, self.keep_open) as con:
            yield FeatureStore(con)

    @contextmanager
    def registry(self) -> Iterator[Registry]:
        if self.settings.storage.shared:  # Postgres; model files in the object store
            from ct_assets.shared.open import shared_registry

            with shared_registry(self.settings.storage, self.name, self.home.root) as reg:
                yield reg
            return
        with connection(self.home.db, self.keep_open) as con:
            yield Registry(con, view=self.home.root / VIEW)
