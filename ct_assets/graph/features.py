"""Features: the versioned model inputs computed from a period of events."""

import dagster as dg

from ct_assets.graph.model import ModelGraph


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("features"), partitions_def=m.partitions, deps=[m.key("events")],
              group_name=m.group("features"), kinds={"duckdb", "pandas"})
    def features(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """One period of feature rows in the feature store, keyed by entity id and event time.

        Every row carries the feature version (a hash of the feature definition), so a
        training set never mixes rows computed by two definitions.
        """
        feature_set, day = m.source.feature_set, m.day_of(context)
        with m.store() as fs:
            frame = feature_set.transform(fs.read_partition("events", day))
            rows = fs.replace_partition("features", day, frame)
        missing = frame[feature_set.columns].isna().mean()
        return dg.MaterializeResult(metadata={
            "rows": rows,
            "feature_version": feature_set.version,
            "features": len(feature_set.columns),
            "max_missing_share": float(missing.max()),
            "most_missing_feature": str(missing.idxmax()),
        })

    return [features]
