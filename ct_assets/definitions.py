"""The code location: every asset, check, job, sensor, schedule and resource, for one home folder.

The home comes from `CT_HOME` (default `./.ct`); its `settings.json` configures the source.
"""

import os

import dagster as dg
from dagster_duckdb import DuckDBResource

from ct_assets.defs import (
    alerts,
    automation,
    champion,
    contender,
    drift,
    evaluation,
    features,
    ingest,
    performance,
    predictions,
    training,
)
from ct_assets.defs.jobs import ingest_job, retrain_job
from ct_assets.home import DUCKDB_CONFIG, Home, default_home
from ct_assets.resources import (
    EventSourceResource,
    FeatureStoreResource,
    ProjectResource,
    RegistryResource,
)

home = Home(default_home().resolve())
duckdb = DuckDBResource(database=str(home.db), connection_config=DUCKDB_CONFIG)
keep_open = os.environ.get("CT_KEEP_DB_OPEN") == "1"  # set by the demo and backtest replays

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, features, predictions, drift, performance,
                                        training, contender, evaluation, champion]),
    asset_checks=[alerts.performance_floor],
    jobs=[ingest_job, retrain_job],
    sensors=[automation.drift_retrain_sensor, *alerts.sensors],
    schedules=[automation.daily_ingest_schedule, automation.periodic_retrain_schedule],
    resources={
        "project": ProjectResource(home=str(home.root)),
        "source": EventSourceResource(home=str(home.root)),
        "store": FeatureStoreResource(duckdb=duckdb, keep_open=keep_open),
        "registry": RegistryResource(duckdb=duckdb, keep_open=keep_open),
        "io_manager": dg.FilesystemIOManager(base_dir=str(home.dagster / "storage")),
    },
    executor=dg.in_process_executor,
)
