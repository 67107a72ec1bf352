"""Every private Dagster API ct-assets uses, named here and imported from nowhere else.

Dagster 1.13 has no public way to do these; tests/test_replay_instance.py and
tests/test_run_monitoring.py use each of them and fail loudly if an upgrade moves one.

- The SQLite storages the replay's instance subclasses (to keep connections open) and the
  instance reference it builds them from (`ct_assets.replay.instance`).
- A run worker's health as run monitoring asks a run launcher for it
  (`ct_assets.graph.launcher`): the default launcher cannot say whether a run's process died.
"""

from dagster._core.instance.ref import InstanceRef
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string

__all__ = ["INDEX_SHARD_NAME", "SQLITE_BUSY_TIMEOUT_SECONDS", "CheckRunHealthResult",
           "InstanceRef", "SqliteEventLogStorage", "SqliteRunStorage", "WorkerStatus",
           "create_db_conn_string"]
