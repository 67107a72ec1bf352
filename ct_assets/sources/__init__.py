"""Event sources: the built-in simulator or a user's table, both addressed by [start, end).

    from ct_assets.sources import open_source
    source = open_source(settings)          # cached per process: a table is read once
    source.events(start, end); source.labels(start, end); source.feature_set
"""

from __future__ import annotations

import functools
from pathlib import Path

from ct_assets.simulation import EventSimulator
from ct_assets.sources.read import read_table, resolve
from ct_assets.sources.simulated import SimulatedSource
from ct_assets.sources.table import TableSource

__all__ = ["SimulatedSource", "TableSource", "open_source", "read_table", "resolve"]


def open_source(settings) -> SimulatedSource | TableSource:
    """The settings' source; a table is read and checked once per process and version of it."""
    if settings.simulated:
        return SimulatedSource(EventSimulator(seed=settings.seed, start=settings.start,
                                              rows_per_day=settings.rows_per_day))
    return _table(settings.model_dump_json(), _stamp(settings.source))


def _stamp(source: str) -> float:
    path = Path(source.split("?")[0].removeprefix("duckdb://"))
    return path.stat().st_mtime if path.exists() else 0.0


@functools.lru_cache(maxsize=2)
def _table(settings_json: str, _stamp: float) -> TableSource:
    from ct_assets.settings import Settings

    return TableSource.from_settings(Settings.model_validate_json(settings_json))
