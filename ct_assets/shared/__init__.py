"""The shared deployment's storage: Parquet partitions and model files on an object store, their
catalog and the registry in Postgres (no Dagster import; `ct_assets.graph.storage` and
`ct_assets.shared.instance` hold the Dagster side). See README, Past one machine."""
