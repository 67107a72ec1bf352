"""Daily partitions, starting on the first day of the project's stream.

The start date is a setting of the home folder (`CT_HOME`), read once when the code location
loads, so that the UI and the demo agree on which days exist.
"""

import datetime as dt

import dagster as dg

from ct_assets.home import default_home
from ct_assets.settings import Settings

START = Settings.load(default_home()).start
daily = dg.DailyPartitionsDefinition(start_date=START.isoformat())


def day_of(context: dg.AssetExecutionContext) -> dt.date:
    """The data day an asset partition stands for."""
    return dt.date.fromisoformat(context.partition_key)
