"""The Dagster instance of the shared deployment, as YAML (`DAGSTER_HOME/dagster.yaml`).

Against the embedded default's (SQLite, one run at a time) it changes four things: the
instance lives in Postgres, so the daemon, the webserver and every run worker on any machine
share it; up to `max_concurrent_runs` runs at a time; at most one run per value of the
retrain runs' `ct/retrain_of` tag (the model's name: see `ct_assets.graph.storage`), so
retrains of one model never overlap while ingest runs go in parallel; and a run whose worker
died is retried once (`run_retries`, only for a lost worker: a step that failed is a real
failure). Run monitoring stays on. The run launcher is the embedded default's `MonitoredRunLauncher`
(a subprocess per run, its death seen by run monitoring) for one machine; README, Past one
machine, shows the Docker and Kubernetes launchers that replace it on many.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

TEMPLATE = """\
telemetry:
  enabled: false
storage:
  postgres:
    postgres_db:
      username: {username}
{password}      hostname: {hostname}
      port: {port}
      db_name: {db_name}
      scheme: postgresql+psycopg2   # SQLAlchemy 2.1 needs the driver named
compute_logs:
  module: dagster.core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: {max_concurrent_runs}
    tag_concurrency_limits:      # one retrain run per model at a time, ingest runs in parallel
      - key: ct/retrain_of
        value:
          applyLimitPerUniqueValue: true
        limit: 1
run_launcher:
  module: ct_assets.graph.launcher
  class: MonitoredRunLauncher
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_resume_run_attempts: 0
  poll_interval_seconds: {poll_seconds}
run_retries:
  enabled: true
  max_retries: 1
  retry_on_asset_or_op_failure: false   # retry a lost worker, not a failed step
"""


def instance_yaml(postgres: str, max_concurrent_runs: int = 4, password_env: str | None = None,
                  poll_seconds: int = 15) -> str:
    """The instance YAML for a Postgres URL (the password, if any, from `password_env`)."""
    url = urlsplit(postgres)
    password = (f"      password:\n        env: {password_env}\n" if password_env else "")
    return TEMPLATE.format(username=unquote(url.username or "postgres"), password=password,
                           hostname=url.hostname or "127.0.0.1", port=url.port or 5432,
                           db_name=url.path.lstrip("/") or "postgres",
                           max_concurrent_runs=max_concurrent_runs, poll_seconds=poll_seconds)


def write_instance(dagster_home, postgres: str, max_concurrent_runs: int = 4,
                   password_env: str | None = None, poll_seconds: int = 15) -> None:
    """Make `dagster_home/dagster.yaml` the shared deployment's (in one step: a rename)."""
    import os
    from pathlib import Path

    folder = Path(dagster_home)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "dagster.yaml.tmp"
    tmp.write_text(instance_yaml(postgres, max_concurrent_runs, password_env, poll_seconds))
    os.replace(tmp, folder / "dagster.yaml")
