"""What the automation reads from the Dagster instance: the newest drift report, that day's
performance report, the last retrain.

The sensor and schedules never open the DuckDB file (a run may be writing it); everything they
need is in the instance's event log and run tags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class DriftReading:
    day: dt.date
    storage_id: int
    values: dict


def latest_drift_report(instance: dg.DagsterInstance) -> DriftReading | None:
    records = instance.fetch_materializations(dg.AssetKey("drift_report"), limit=1).records
    if not records:
        return None
    record = records[0]
    metadata = record.asset_materialization.metadata
    return DriftReading(dt.date.fromisoformat(record.partition_key), record.storage_id,
                        {key: value.value for key, value in metadata.items()})


def performance_report_of(instance: dg.DagsterInstance, day: dt.date) -> dict:
    """The metadata of `day`'s performance report (empty when that day has none)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("performance_report"),
                              asset_partitions=[day.isoformat()]), limit=1).records
    if not records:
        return {}
    return {key: value.value for key, value in records[0].asset_materialization.metadata.items()}


def last_retrain_cutoff(instance: dg.DagsterInstance) -> dt.date | None:
    """Cutoff of the newest retrain run, whatever its outcome (a rejected one counts too)."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="retrain_job"), limit=1)
    if not runs or "ct/cutoff" not in runs[0].tags:
        return None
    return dt.date.fromisoformat(runs[0].tags["ct/cutoff"])
