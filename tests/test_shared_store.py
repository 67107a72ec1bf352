"""The shared deployment's storage on a real Postgres and a real S3 API (moto's server): the
same rows, types and snapshot ids as the embedded DuckDB store; one consistent version per
reader; a retry replaces a partition, a failed write changes nothing; writers of different
days at once; the registry's promotion and model files shared between homes; settings that
name what is wrong."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from pathlib import Path

import duckdb
import pytest

if not os.environ.get("CT_REQUIRE_SHARED"):  # without the shared extra: skipped, not an error
    pytest.importorskip("psycopg2", reason="pip install '.[shared]'")
from shared_env import services, storage  # noqa: E402, F401  (fixtures)

from ct_assets.errors import CTError
from ct_assets.graph.model import ModelGraph
from ct_assets.home import Home
from ct_assets.project import validate
from ct_assets.registry import ModelVersion
from ct_assets.settings import Settings
from ct_assets.shared.catalog import Catalog
from ct_assets.shared.featurestore import SharedFeatureStore
from ct_assets.shared.objects import ObjectStore
from ct_assets.shared.open import shared_store
from ct_assets.shared.pg import connect
from ct_assets.store import FeatureStore, point_in_time

pytestmark = pytest.mark.shared
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(6)]


def model(root, storage, **settings) -> ModelGraph:  # noqa: F811
    settings = Settings(rows_per_day=200, **settings, storage=storage)
    return ModelGraph(settings.name, Home.create(root), settings)


def fill(fs: FeatureStore, m: ModelGraph, days=DAYS) -> None:
    source = m.source
    for day in days:
        events = source.events(day, m.period.end(day))
        fs.replace_partition("events", day, events)
        fs.replace_partition("labels", day, source.labels(day, m.period.end(day)))
        fs.replace_partition("features", day, source.feature_set.transform(events))


def test_the_same_rows_types_and_snapshot_ids_as_the_embedded_store(tmp_path, storage):  # noqa: F811
    m = model(tmp_path / "shared", storage)
    version = m.source.feature_set.version
    with duckdb.connect(str(tmp_path / "embedded.duckdb")) as con, m.store() as shared:
        embedded = FeatureStore(con)
        fill(embedded, m)
        fill(shared, m)
        assert shared.days("features") == embedded.days("features") == DAYS
        for table in ("events", "labels", "features"):
            a, b = embedded.read_partition(table, DAYS[2]), shared.read_partition(table, DAYS[2])
            assert list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes)
            assert a.equals(b)
        for window in (0, 3):
            want = point_in_time(con, DAYS[-1], window, version)
            got = point_in_time(shared.con, DAYS[-1], window, version)
            assert len(got.frame) > 50 and got.snapshot_id == want.snapshot_id
        assert shared.labels_known(None, dt.datetime(2025, 1, 5)) == embedded.labels_known(
            None, dt.datetime(2025, 1, 5))


def test_a_folder_every_worker_mounts_is_an_object_store_too(tmp_path, storage):  # noqa: F811
    folder = storage.model_copy(update={"objects": str(tmp_path / "mounted"),
                                        "s3_endpoint": None})
    m = model(tmp_path / "home", folder)
    with m.store() as fs:
        fill(fs, m, DAYS[:3])
        fill(fs, m, DAYS[1:2])  # a retry of one day
    with m.store() as fs:
        assert fs.days("events") == DAYS[:3]
        total, distinct = fs.con.execute(
            "SELECT count(*), count(DISTINCT entity_id) FROM events").fetchall()[0]
        assert total == distinct > 0
    objects = sorted(p.relative_to(tmp_path / "mounted").parts[:2]
                     for p in (tmp_path / "mounted").rglob("*.parquet"))
    assert objects.count(("demo", "events")) == 4  # the retried day's old object is kept
    assert not list((tmp_path / "mounted").rglob("*.tmp"))  # renamed into place


def test_a_reader_keeps_its_version_and_a_retry_replaces_the_partition(tmp_path, storage):  # noqa: F811
    m = model(tmp_path / "home", storage)
    events = m.source.events(DAYS[0], DAYS[1])
    with m.store() as fs:
        fs.replace_partition("events", DAYS[0], events)
    with m.store() as reader, m.store() as writer:
        writer.replace_partition("events", DAYS[0], events.head(10))  # a retry, smaller
        assert len(reader.read_partition("events", DAYS[0])) == len(events)  # its version
        assert len(writer.read_partition("events", DAYS[0])) == 10
    with m.store() as fs:
        assert len(fs.read_partition("events", DAYS[0])) == 10  # replaced, not appended
        rows = fs.catalog.pg.execute("SELECT count(*) FROM partitions").fetchall()
        assert rows[0][0] == 1
        old = fs.catalog.pg.execute("SELECT object FROM superseded").fetchall()
        assert len(old) == 1 and fs.objects.exists(old[0][0])  # kept for readers a while


def test_a_failed_write_changes_nothing(tmp_path, storage):  # noqa: F811
    m = model(tmp_path / "home", storage)
    events = m.source.events(DAYS[0], DAYS[1])
    with m.store() as fs:
        fs.replace_partition("events", DAYS[0], events)
    with connect(storage.postgres, m.name) as pg, duckdb.connect() as con:
        fs = SharedFeatureStore(con, Catalog(pg), ObjectStore(storage.objects,
                                                              storage.s3_endpoint), m.name)
        fs.objects = ObjectStore("s3://no-such-bucket/x", storage.s3_endpoint)  # puts fail
        with pytest.raises(OSError):
            fs.replace_partition("events", DAYS[0], events.head(5))
    with m.store() as fs:
        assert len(fs.read_partition("events", DAYS[0])) == len(events)


def _write_days(args) -> int:
    settings, root, days = args
    m = model(root, settings)
    with m.store() as fs:
        fill(fs, m, days)
    return len(days)


def test_writers_of_different_days_at_once(tmp_path, storage):  # noqa: F811
    """Four processes, each its own days, all starting on an empty database (the catalog's
    schema is created once, under an advisory lock)."""
    jobs = [(storage, tmp_path / f"w{i}", DAYS[i::4]) for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert sum(pool.map(_write_days, jobs)) == len(DAYS)
    with shared_store(storage, "demo") as fs:
        assert fs.days("features") == DAYS
        counts = fs.con.execute("SELECT count(*), count(DISTINCT entity_id) FROM events"
                                ).fetchall()[0]
        assert counts[0] == counts[1] > 0


def record(m: ModelGraph, version: str, day: dt.date) -> ModelVersion:
    path = m.home.models / version / "model.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"model {version}")
    from ct_assets.checksum import sha256_file

    return ModelVersion(
        version=version, task="binary", metric="roc_auc", cutoff=day, window_days=7,
        window_start=day - dt.timedelta(days=6), snapshot_id="ts-x", feature_version="fv-x",
        n_rows=10, feature_schema={"numeric": []}, profile={"features": {}},
        artifact_path=f"models/{version}/model.txt", sha256=sha256_file(path),
        metrics={"roc_auc": 0.8})


def test_the_registry_on_postgres_shares_promotions_and_model_files(tmp_path, storage):  # noqa: F811
    here, there = model(tmp_path / "here", storage), model(tmp_path / "there", storage)
    with here.registry() as reg:
        for i, day in enumerate(DAYS[:2], start=1):
            reg.register(record(here, f"v{i}", day))
            reg.promote(f"v{i}", day, "manual: test", run_id=f"run-{i}")
    with there.registry() as reg:  # another machine: another home, the same registry
        champion = reg.champion()
        assert champion.version == "v2" and [v.status for v in reg.versions()] == [
            "archived", "champion"]
        assert champion.artifact(there.home.root).read_text() == "model v2"  # fetched
        assert [h["version"] for h in reg.history()] == ["v1", "v2"]
        with pytest.raises(CTError, match="already the champion"):
            reg.promote("v2", DAYS[2], "again")
        assert reg.rollback_target().version == "v1"


def test_bad_storage_settings_say_which_setting_in_one_line(storage):  # noqa: F811
    for given, words in (({"kind": "shared"}, "postgres: postgresql://"),
                         ({"kind": "shared", "postgres": "postgresql://u:secret@h/db",
                           "objects": "s3://b/p"}, "PGPASSWORD"),
                         ({"kind": "shared", "postgres": "postgresql://u@h/db",
                           "objects": "relative/folder"}, "objects: s3://"),
                         ({"kind": "embedded", "objects": "s3://b/p"}, "`objects` is for")):
        with pytest.raises(CTError) as raised:
            validate({"storage": given})
        message = str(raised.value)
        assert message.startswith("setting 'storage':") and words in message
        assert "\n" not in message
    unreachable = storage.model_copy(update={"postgres": "postgresql://ct@127.0.0.1:1/x"})
    with pytest.raises(CTError, match="^setting 'storage.postgres': cannot connect"):
        with connect(unreachable.postgres, "demo"):
            pass


def test_a_component_fills_storage_from_the_environment_and_names_a_bad_value(monkeypatch):
    from ct_assets.component import ContinuousTraining

    yaml = ("name: fraud\nstorage:\n  kind: shared\n  postgres: \"{{ env.CT_TEST_PG }}\"\n"
            "  objects: s3://bucket/prod\n")
    monkeypatch.setenv("CT_TEST_PG", "postgresql://ct@db.internal:5432/ct")
    component = ContinuousTraining.resolve_from_yaml(yaml)
    assert component.storage.postgres == "postgresql://ct@db.internal:5432/ct"
    assert validate(component.given(Path("."))).storage.shared
    monkeypatch.setenv("CT_TEST_PG", "postgresql://ct:secret@db.internal:5432/ct")
    with pytest.raises(Exception, match="setting 'storage': .*PGPASSWORD"):
        ContinuousTraining.resolve_from_yaml(yaml)
    assert "storage" not in ContinuousTraining.resolve_from_yaml("name: fraud\n").given(Path("."))


def test_ct_commands_refuse_a_shared_home_in_one_line_before_writing(tmp_path):
    import subprocess
    import sys

    config = tmp_path / "ct.yaml"
    config.write_text("storage:\n  kind: shared\n  postgres: postgresql://ct@127.0.0.1:5/x\n"
                      "  objects: s3://bucket/prefix\n")
    done = subprocess.run([sys.executable, "-m", "ct_assets.cli.main", "demo", "--config",
                           str(config), "--home", str(tmp_path / "home")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "setting 'storage'" in done.stderr and "Dagster daemon" in done.stderr
    assert not (tmp_path / "home").exists()


def test_a_dead_attempts_unevaluated_contender_gives_its_number_to_the_retry(tmp_path, storage):  # noqa: F811
    m = model(tmp_path / "home", storage)
    with m.registry() as reg:
        reg.register(record(m, "v1", DAYS[0]))
        reg.update("v1", gate={"passed": True}, metrics={"roc_auc": 0.8})  # evaluated
        reg.register(record(m, "v2", DAYS[1]))  # a killed attempt: never evaluated
    with m.registry() as reg:  # the retry's contender
        assert reg.next_version() == ("v2", 2)
        reg.register(record(m, "v2", DAYS[1]))
        assert [(v.version, v.gate) for v in reg.versions()] == [("v1", {"passed": True}),
                                                                 ("v2", None)]
