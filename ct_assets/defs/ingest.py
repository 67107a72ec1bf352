"""Ingest: the day's events, and the labels that arrived that day (for events of earlier days)."""

import dagster as dg

from ct_assets.defs.partitions import day_of, periodic
from ct_assets.resources import EventSourceResource, FeatureStoreResource


@dg.asset(partitions_def=periodic, group_name="ingest", kinds={"duckdb", "python"})
def events(context: dg.AssetExecutionContext, source: EventSourceResource,
           store: FeatureStoreResource) -> dg.MaterializeResult:
    """Raw events of one day from the event source, stored as that day's partition.

    Re-materializing a day replaces its rows, so backfills and retries never duplicate events.
    """
    frame = source.events(day_of(context))
    with store.open() as fs:
        rows = fs.replace_partition("events", day_of(context), frame)
    return dg.MaterializeResult(metadata={
        "rows": rows, "columns": len(frame.columns),
        "first_event": str(frame["event_ts"].min()), "last_event": str(frame["event_ts"].max()),
    })


@dg.asset(partitions_def=periodic, group_name="ingest", kinds={"duckdb", "python"})
def labels(context: dg.AssetExecutionContext, source: EventSourceResource,
           store: FeatureStoreResource) -> dg.MaterializeResult:
    """Labels that became known during one day, each with the time it became known (`label_ts`).

    Partitioned by arrival day, not event day: label latency is first-class, and a training set
    can ask exactly which labels were known at its cutoff.
    """
    frame = source.labels(day_of(context))
    latency = (frame["label_ts"] - frame["event_ts"]).dt.total_seconds() / 86400
    with store.open() as fs:
        rows = fs.replace_partition("labels", day_of(context), frame)
    return dg.MaterializeResult(metadata={
        "rows": rows,
        "positives": int(frame["label"].sum()) if rows else 0,
        "median_latency_days": dg.FloatMetadataValue(float(latency.median()) if rows else None),
    })
