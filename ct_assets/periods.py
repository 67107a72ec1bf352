"""Replay periods: the step by which events are partitioned, monitored and replayed.

A partition is named by the date its period starts. `1d` is a day; `7d` is seven days starting on
the weekday of the stream's first day; `30d` is a calendar month (a month, not exactly 30 days,
so partition names read as months in the Dagster UI). Everything measured in days (windows,
cooldowns, warm-up) stays in days: a period only decides how much history one step covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIODS = ("1d", "7d", "30d")


@dataclass(frozen=True)
class Period:
    name: str = "1d"

    def __post_init__(self) -> None:
        if self.name not in PERIODS:
            raise ValueError(f"period {self.name!r} is not one of {', '.join(PERIODS)}")

    def floor(self, day: dt.date) -> dt.date:
        """Start of the first period of a stream whose first event is on `day`."""
        return day.replace(day=1) if self.name == "30d" else day

    def end(self, start: dt.date) -> dt.date:
        """The day after the period that starts on `start` (exclusive end)."""
        if self.name == "30d":
            year, month = divmod(start.year * 12 + start.month, 12)
            return dt.date(year, month + 1, 1)
        return start + dt.timedelta(days=int(self.name[:-1]))

    def ending_on(self, end: dt.date) -> dt.date:
        """Start of the period whose exclusive end is `end` (a schedule tick's partition)."""
        if self.name == "30d":
            year, month = divmod(end.year * 12 + end.month - 2, 12)
            return dt.date(year, month + 1, 1)
        return end - dt.timedelta(days=int(self.name[:-1]))

    def last_day(self, start: dt.date) -> dt.date:
        """The last day the period that starts on `start` covers: a retrain's cutoff."""
        return self.end(start) - dt.timedelta(days=1)

    def days(self, start: dt.date) -> list[dt.date]:
        """Every calendar day of the period."""
        return [start + dt.timedelta(days=i) for i in range((self.end(start) - start).days)]

    def starts(self, first: dt.date, days: int | None = None,
               last: dt.date | None = None) -> list[dt.date]:
        """Period starts from `first` covering `days` days of history and not past `last`."""
        horizon = first + dt.timedelta(days=days) if days is not None else None
        out, start = [], first
        while (horizon is None or start < horizon) and (last is None or start <= last):
            out.append(start)
            start = self.end(start)
        return out
