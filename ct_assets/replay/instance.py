"""The replay's Dagster instance: the home's own SQLite storage, with its connections kept open.

Built on Dagster's private storage classes (see `ct_assets.dagster_private`), as is handing a
schedule context the replay's instance: no public API does either (Dagster 1.13), and
tests/test_replay_instance.py fails loudly if an upgrade breaks them.

Dagster's SQLite storages build a SQLAlchemy engine, open the database file and close it again
for every write or query: about 140 times per simulated day. Each close of the last connection
to a WAL database also checkpoints it. Together that cost more than the assets of a small day.
A replay process writes its home for minutes to hours, one run at a time, so it keeps one
engine (with one pooled connection) per database file instead. Each run also gets a new
event log file, which Dagster creates and stamps through alembic (loading its hundred-odd
revision scripts twice); every new file is the same empty, stamped database, so the replay
makes one such file per process and writes a copy of it.

These classes are subclasses of the stock storages that change only how a connection is
obtained. The files, schema and rows are the ones the stock storages write, so `dagster dev` on
the home reads them as usual, and the home's dagster.yaml stays as it is: only the replaying
process uses them, through `replay_instance`.
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from ct_assets.dagster_private import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    InstanceRef,
    SqliteEventLogStorage,
    SqliteRunStorage,
    create_db_conn_string,
)
from ct_assets.home import Home

MODULE = __name__
# Event log files whose engine stays open: the index, the running run's and a few recent ones
# (alert sensors read a run's events right after it ends). Older ones are closed, so a long
# replay does not hold one file per run.
KEPT_SHARDS = 4


def _engine(conn_string: str) -> Engine:
    """An engine that keeps one connection to the file open between uses (QueuePool).

    Its connections commit with `synchronous=NORMAL`: in WAL mode a commit then writes the WAL
    without waiting for the disk (1.5 ms a commit here, some 140 commits a day); the file is
    synced at checkpoints. A crash of the process loses nothing; a power cut may lose the last
    commits, never the database's consistency, and a replay resumes from its drift reports.
    """
    engine = create_engine(conn_string, pool_size=1,
                           connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _no_fsync_per_commit)
    return engine


def _no_fsync_per_commit(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class KeptSqliteEventLogStorage(SqliteEventLogStorage):
    """The run-sharded SQLite event log (index.db plus one file per run), engines kept open."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._blank: bytes | None = None
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def has_table(self, table_name: str) -> bool:
        """Whether the index has `table_name`, remembered once true. The stock method opens a
        new engine on the file for every question, and Dagster asks several on each event it
        stores (while it holds the index connection, so this must not take it). A replay never
        drops a table."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _shard_engine(self, shard: str) -> Engine:
        """The shard's engine, created (and its database initialised) on first use."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = _engine(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._init_shard(shard, engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > KEPT_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def _init_shard(self, shard: str, engine: Engine) -> None:
        """A new run's file is a copy of the blank one; the index and existing files get
        Dagster's own initialisation (which checks their alembic revision)."""
        path = self.path_for_shard(shard)
        if shard == INDEX_SHARD_NAME or os.path.exists(path):
            self._initdb(engine)
        else:
            Path(path).write_bytes(self._blank_shard())

    def _blank_shard(self) -> bytes:
        """An empty run shard as `_initdb` makes it (about 110 kB), made once per process in a
        temp folder that is removed at once: replay workers end without running finalizers."""
        if self._blank is None:
            with tempfile.TemporaryDirectory(prefix="ct-blank-shard-") as folder:
                engine = create_engine(create_db_conn_string(folder, "blank"),
                                       poolclass=NullPool,
                                       connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                self._initdb(engine)
                engine.dispose()  # its last connection closed: the WAL is in the file, and gone
                self._blank = Path(folder, "blank.db").read_bytes()
        return self._blank

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._shard_engine(shard).connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


class KeptSqliteRunStorage(SqliteRunStorage):
    """The SQLite run storage (runs.db) with its engine kept open."""

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)

    @cached_property
    def _kept_engine(self) -> Engine:
        return _engine(self._conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._kept_engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        if "_kept_engine" in self.__dict__:
            self._kept_engine.dispose()


def replay_instance(home: Home) -> dg.DagsterInstance:
    """The home's instance as its dagster.yaml configures it, with the storages above over the
    same files (the defaults' folders: history/runs.db and history/runs/)."""
    history = home.dagster / "history"
    overrides = {
        "run_storage": {"module": MODULE, "class": KeptSqliteRunStorage.__name__,
                        "config": {"base_dir": str(history)}},
        "event_log_storage": {"module": MODULE, "class": KeptSqliteEventLogStorage.__name__,
                              "config": {"base_dir": str(history / "runs")}},
    }
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home.dagster),
                                                            overrides=overrides))


def schedule_context(instance: dg.DagsterInstance, at) -> dg.ScheduleEvaluationContext:
    """A schedule evaluation context at `at` on `instance` itself.

    `build_schedule_context` keeps only a reference to the instance and builds a new
    DagsterInstance from it on first use (as the daemon does in a fresh process): storage
    set-up and alembic revision checks, a sixth of a replayed day's CPU. The replay's instance
    reads the same storage, so the context is handed that one instead.
    """
    context = dg.build_schedule_context(instance, scheduled_execution_time=at)
    context._instance = instance  # private: no public way to pass it
    return context
