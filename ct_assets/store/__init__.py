"""The feature store: daily partitions of events, labels, features and predictions in DuckDB."""

from ct_assets.store.feature_set import FeatureSet
from ct_assets.store.featurestore import FeatureStore, table_exists
from ct_assets.store.point_in_time import TrainingSnapshot, point_in_time

__all__ = ["FeatureSet", "FeatureStore", "TrainingSnapshot", "point_in_time", "table_exists"]
