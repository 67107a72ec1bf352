"""Partitions: one per replay period (a day by default), from the first day of the stream.

The start date and the period are settings of the home folder (`CT_HOME`), read once when the
code location loads, so that the UI, the schedules and the demo agree on which periods exist.
A partition is named by the first day of its period.
"""

import datetime as dt

import dagster as dg

from ct_assets.home import default_home
from ct_assets.periods import Period
from ct_assets.settings import Settings

_SETTINGS = Settings.load(default_home())
START = _SETTINGS.start
PERIOD = Period(_SETTINGS.period)


def cron(hour: int) -> str:
    """A cron schedule that ticks at `hour` o'clock UTC on the first day after each period."""
    return {"1d": f"0 {hour} * * *", "7d": f"0 {hour} * * {(START.weekday() + 1) % 7}",
            "30d": f"0 {hour} 1 * *"}[PERIOD.name]




def _future_periods() -> int:
    """Periods past today that a replay needs: Dagster's partitions otherwise stop at the
    current time, and a simulated stream (or a table) may run past it. Only as many as the
    stream's `end` asks for: every extra partition slows each run a little."""
    last = _SETTINGS.end or START
    today = dt.date.today()
    return len(PERIOD.starts(PERIOD.floor(today), last=last)) if last >= today else 0


def _end_date() -> str | None:
    """Exclusive end of the last period of a stream that ends (a table, a simulated replay):
    the partition set stops there instead of running on to today, so the UI's per-partition
    charts show the stream rather than hundreds of empty periods after it."""
    if _SETTINGS.end is None:
        return None
    return PERIOD.end(PERIOD.starts(START, last=_SETTINGS.end)[-1]).isoformat()


def _partitions() -> dg.TimeWindowPartitionsDefinition:
    bounds = {"start_date": START.isoformat(), "end_date": _end_date(),
              "end_offset": _future_periods()}
    if PERIOD.name == "7d":  # weeks that start on the stream's first weekday
        return dg.WeeklyPartitionsDefinition(**bounds, day_offset=(START.weekday() + 1) % 7)
    if PERIOD.name == "30d":
        return dg.MonthlyPartitionsDefinition(**bounds)
    return dg.DailyPartitionsDefinition(**bounds)


periodic = _partitions()


def day_of(context: dg.AssetExecutionContext) -> dt.date:
    """The first day of the period an asset partition stands for."""
    return dt.date.fromisoformat(context.partition_key)


def last_day_of(context: dg.AssetExecutionContext) -> dt.date:
    """The last day of the partition's period: what 'known by the end of it' means."""
    return PERIOD.last_day(day_of(context))
