"""The home folder: one directory that holds a project's whole state.

DuckDB file (feature store and registry), Dagster instance, BentoML store, model artifacts and
logs all live under it, so a project is copied, inspected or deleted as one folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ct_assets.errors import CTError

DEFAULT_HOME = ".ct"
# Every connection to the home's database uses this configuration (DuckDB refuses two
# configurations of one file in a process). The memory limit keeps a 10M-row day under 1.5 GB:
# by default DuckDB caches every page it reads, up to 80% of RAM.
DUCKDB_CONFIG = {"memory_limit": "1GB"}
DAGSTER_YAML = """\
telemetry:
  enabled: false
compute_logs:                  # no stdout capture: it spawns two processes per run, and every
  module: dagster.core.storage.noop_compute_log_manager   # asset logs through context.log
  class: NoOpComputeLogManager
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1     # DuckDB has one writer at a time
run_launcher:                  # the default launcher, and it tells run monitoring when a run's
  module: ct_assets.graph.launcher   # process died (kill -9, a reboot): the queue moves on
  class: MonitoredRunLauncher
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_resume_run_attempts: 0   # a dead run fails; the sensor or schedule asks again
  poll_interval_seconds: 15
"""
CODE_LOCATION = '''"""This home's Dagster code location, written by `ct` (it moves with the home):

    DAGSTER_HOME=<this folder>/dagster dg dev -f <this file>
"""

from pathlib import Path

from ct_assets.graph import definitions_for_home

defs = definitions_for_home(Path(__file__).parent)
'''


@dataclass(frozen=True)
class Home:
    """Paths inside a home folder; `create` makes them, `existing` insists they are there."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "ct.duckdb"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    @property
    def code_location(self) -> Path:
        """A Python file `dg dev -f` loads: the graph of the model this home holds."""
        return self.root / "definitions.py"

    @property
    def bentoml(self) -> Path:
        return self.root / "bentoml"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @classmethod
    def create(cls, root: Path | str) -> Home:
        home = cls(Path(root).expanduser().resolve())
        try:
            for path in (home.root, home.dagster, home.bentoml, home.models):
                path.mkdir(parents=True, exist_ok=True)
            probe = home.root / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise CTError(f"home folder {home.root} is not writable: {exc.strerror}") from None
        for path, text in ((home.dagster / "dagster.yaml", DAGSTER_YAML),
                           (home.code_location, CODE_LOCATION)):
            if not path.exists():
                path.write_text(text)
        return home

    @contextmanager
    def writer(self, command: str) -> Iterator[None]:
        """Hold the home's writer lock while `command` writes it: one writing process at a
        time, and any other is told so in one line before it touches anything. The lock is
        the operating system's (flock), so a killed holder releases it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = open(self.root / "writer.lock", "a+")
        except OSError as exc:
            raise CTError(f"home folder {self.root} is not writable: {exc.strerror}") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                raise CTError(f"home {self.root} is busy: {holder} is writing it; wait for it "
                              "to finish or use another --home") from None
            lock.seek(0)
            lock.truncate()
            lock.write(f"`{command}` (pid {os.getpid()}, since "
                       f"{dt.datetime.now().isoformat(timespec='seconds')})")
            lock.flush()
            yield

    @classmethod
    def existing(cls, root: Path | str) -> Home:
        home = cls(Path(root).expanduser().resolve())
        if not home.db.exists():
            raise CTError(
                f"home folder {home.root} has no ct-assets project "
                f"(run `ct demo --home {root}` first)"
            )
        return home
