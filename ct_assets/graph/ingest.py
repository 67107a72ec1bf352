"""Ingest: the period's events, and the labels that arrived in it (for events of earlier days)."""

import dagster as dg

from ct_assets.graph.model import ModelGraph


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("events"), partitions_def=m.partitions, group_name=m.group("ingest"),
              kinds={"duckdb", "python"})
    def events(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Raw events of one period from the event source, stored as that period's partition.

        Re-materializing a period replaces its rows, so backfills and retries never duplicate
        events.
        """
        day = m.day_of(context)
        frame = m.source.events(day, m.period.end(day))
        with m.store() as fs:
            rows = fs.replace_partition("events", day, frame)
        return dg.MaterializeResult(metadata={
            "rows": rows, "columns": len(frame.columns),
            "first_event": str(frame["event_ts"].min()),
            "last_event": str(frame["event_ts"].max()),
        })

    @dg.asset(key=m.key("labels"), partitions_def=m.partitions, group_name=m.group("ingest"),
              kinds={"duckdb", "python"})
    def labels(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Labels that became known during one period, each with the time it became known
        (`label_ts`).

        Partitioned by arrival, not by event: label latency is first-class, and a training set
        can ask exactly which labels were known at its cutoff.
        """
        day = m.day_of(context)
        frame = m.source.labels(day, m.period.end(day))
        latency = (frame["label_ts"] - frame["event_ts"]).dt.total_seconds() / 86400
        with m.store() as fs:
            rows = fs.replace_partition("labels", day, frame)
        return dg.MaterializeResult(metadata={
            "rows": rows,
            "positives": int(frame["label"].sum()) if rows else 0,
            "median_latency_days": dg.FloatMetadataValue(
                float(latency.median()) if rows else None),
        })

    return [events, labels]
