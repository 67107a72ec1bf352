"""The replay's instance writes exactly what the stock SQLite storages write, to the same files."""

import os
import sqlite3
import tempfile

import dagster as dg
from dagster._core.storage.event_log import SqliteEventLogStorage

from ct_assets.home import Home
from ct_assets.replay.instance import KeptSqliteEventLogStorage, replay_instance


@dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2025-01-01"))
def tiny() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"value": 1.5})


def _schema(path: str) -> tuple:
    con = sqlite3.connect(path)
    try:
        return (sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall(),
                       key=str),
                con.execute("SELECT version_num FROM alembic_version").fetchall(),
                con.execute("PRAGMA journal_mode").fetchall())
    finally:
        con.close()


def test_a_copied_run_shard_is_what_dagster_makes(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    stock, kept = SqliteEventLogStorage(str(tmp_path / "a")), KeptSqliteEventLogStorage(
        str(tmp_path / "b"))
    for storage in (stock, kept):
        for run_id in ("first", "second"):  # the first is made by alembic, the second copied
            with storage.run_connection(run_id):
                pass
    assert not os.listdir(tmp_path / "tmp")  # the blank shard's folder is gone, undisposed
    kept.dispose()
    for run_id in ("first", "second"):
        assert _schema(str(tmp_path / "a" / f"{run_id}.db")) == _schema(
            str(tmp_path / "b" / f"{run_id}.db"))
    assert sorted(os.listdir(tmp_path / "a")) == sorted(os.listdir(tmp_path / "b"))


def test_runs_written_by_the_replay_instance_read_back_from_the_stock_one(tmp_path):
    home = Home.create(tmp_path / "home")
    job = dg.Definitions(assets=[tiny], jobs=[dg.define_asset_job("tiny_job", [tiny])]
                         ).resolve_job_def("tiny_job")
    kept = replay_instance(home)
    for day in ("2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"):
        assert job.execute_in_process(instance=kept, partition_key=day).success
    kept.dispose()
    with dg.DagsterInstance.from_config(str(home.dagster)) as stock:
        assert len(stock.get_runs()) == 5
        records = stock.fetch_materializations(dg.AssetKey("tiny"), limit=10).records
        assert sorted(r.partition_key for r in records) == [
            "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]
        run = stock.get_runs(limit=1)[0]
        assert any(e.dagster_event and e.dagster_event.is_step_success
                   for e in stock.all_logs(run.run_id))


def test_a_schedule_context_can_be_handed_the_drivers_instance(tmp_path):
    """The driver sets the context's private `_instance` (see DayDriver._tick)."""
    instance = replay_instance(Home.create(tmp_path / "home"))
    context = dg.build_schedule_context(instance)
    context._instance = instance
    assert context.instance is instance
    instance.dispose()


def test_replay_commits_do_not_wait_for_the_disk(tmp_path):
    storage = KeptSqliteEventLogStorage(str(tmp_path))
    with storage.run_connection("run") as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with storage.index_connection() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    storage.dispose()


def test_the_index_is_opened_once_per_table_it_has(tmp_path, monkeypatch):
    """Dagster asks `has_table` on every stored event; the stock storage reopens the file."""
    opened = []
    stock = SqliteEventLogStorage.has_table
    monkeypatch.setattr(SqliteEventLogStorage, "has_table",
                        lambda self, name: opened.append(name) or stock(self, name))
    storage = KeptSqliteEventLogStorage(str(tmp_path))
    assert all(storage.has_table("asset_check_executions") for _ in range(5))
    assert opened == ["asset_check_executions"]
    assert not storage.has_table("made_later") and not storage.has_table("made_later")
    with storage.index_connection() as conn:
        conn.exec_driver_sql("CREATE TABLE made_later (x INTEGER)")
    assert storage.has_table("made_later")  # a missing table is asked again, not remembered
    storage.dispose()
