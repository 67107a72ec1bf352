"""What the automation reads from the Dagster instance: the newest drift report, a period's
performance report, the last retrain.

The sensor and schedules never open the DuckDB file (a run may be writing it); everything they
need is in the instance's event log and run tags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import DriftSummary, PerformanceSummary, RunTags


@dataclass(frozen=True)
class DriftReading:
    day: dt.date
    storage_id: int
    summary: DriftSummary


def latest_drift_report(instance: dg.DagsterInstance, m: ModelGraph) -> DriftReading | None:
    records = instance.fetch_materializations(m.key("drift_report"), limit=1).records
    if not records:
        return None
    record = records[0]
    return DriftReading(dt.date.fromisoformat(record.partition_key), record.storage_id,
                        DriftSummary.from_metadata(record.asset_materialization.metadata))


def drift_shares(instance: dg.DagsterInstance, m: ModelGraph) -> dict[str, float]:
    """Every period's drift share, by partition (the newest report of each)."""
    shares, cursor = {}, None
    while True:  # oldest first, a page at a time: a newer report of a period wins
        page = instance.fetch_materializations(m.key("drift_report"), limit=10_000,
                                               cursor=cursor, ascending=True)
        for record in page.records:
            summary = DriftSummary.from_metadata(record.asset_materialization.metadata)
            if summary.drift_share is not None:
                shares[record.partition_key] = float(summary.drift_share)
        if not page.has_more:
            return shares
        cursor = page.cursor


def performance_report_of(instance: dg.DagsterInstance, m: ModelGraph,
                          day: dt.date) -> PerformanceSummary | None:
    """`day`'s performance report (None when that period has none, or no numbers yet)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=m.key("performance_report"),
                              asset_partitions=[day.isoformat()]), limit=1).records
    if not records:
        return None
    return PerformanceSummary.from_metadata(records[0].asset_materialization.metadata)


def last_retrain_cutoff(instance: dg.DagsterInstance, m: ModelGraph) -> dt.date | None:
    """Cutoff of the newest retrain run, whatever its outcome (a rejected or failed one counts
    too), but for a run killed mid-way whose work a resume redid."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=m.named("retrain_job")), limit=20)
    for run in runs:
        tags = RunTags.from_tags(run.tags)
        if not tags.interrupted:
            return tags.cutoff
    return None
