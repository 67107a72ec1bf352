"""Features: the versioned model inputs computed from a day of events."""

import dagster as dg

from ct_assets.defs.ingest import events
from ct_assets.defs.partitions import day_of, periodic
from ct_assets.resources import EventSourceResource, FeatureStoreResource


@dg.asset(partitions_def=periodic, deps=[events], group_name="features", kinds={"duckdb", "pandas"})
def features(context: dg.AssetExecutionContext, source: EventSourceResource,
             store: FeatureStoreResource) -> dg.MaterializeResult:
    """One day of feature rows in the feature store, keyed by entity id and event time.

    Every row carries the feature version (a hash of the feature definition), so a training set
    never mixes rows computed by two definitions.
    """
    feature_set = source.feature_set
    with store.open() as fs:
        frame = feature_set.transform(fs.read_partition("events", day_of(context)))
        rows = fs.replace_partition("features", day_of(context), frame)
    missing = frame[feature_set.columns].isna().mean()
    return dg.MaterializeResult(metadata={
        "rows": rows,
        "feature_version": feature_set.version,
        "features": len(feature_set.columns),
        "max_missing_share": float(missing.max()),
        "most_missing_feature": str(missing.idxmax()),
    })
