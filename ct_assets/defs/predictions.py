"""Monitoring, part one: the record of what the champion answered for each day's events."""

from pathlib import Path

import dagster as dg

from ct_assets.defs.features import features
from ct_assets.defs.partitions import daily, day_of
from ct_assets.resources import FeatureStoreResource, RegistryResource
from ct_assets.training import TrainedModel

CHAMPION = dg.AssetKey("champion_model")


@dg.asset(partitions_def=daily, deps=[features, CHAMPION], group_name="monitoring",
          kinds={"duckdb", "lightgbm"})
def predictions_log(context: dg.AssetExecutionContext, store: FeatureStoreResource,
                    registry: RegistryResource) -> dg.MaterializeResult:
    """The champion's scores for every event of the day, with the model version that made them.

    This is the record of what production saw and answered; monitoring joins it with labels as
    they arrive, so realised performance is measured on the scores actually given.
    """
    day = day_of(context)
    with registry.open() as reg:
        champion = reg.champion()
    if champion is None:
        return dg.MaterializeResult(metadata={"rows": 0, "reason": "no champion yet"})
    model = TrainedModel.load(Path(champion.artifact_path), champion.feature_schema)
    with store.open() as fs:
        rows = fs.read_partition("features", day)
        log = rows[["entity_id", "event_ts"]].assign(
            model_version=champion.version, score=model.predict(rows), source="batch")
        written = fs.replace_partition("predictions", day, log)
    return dg.MaterializeResult(metadata={
        "rows": written, "model_version": champion.version,
        "mean_score": float(log["score"].mean()),
    })
