"""The shared deployment end to end, with the real daemon on a Postgres instance and the store
on a real S3 API (moto's server on 127.0.0.1): a 14-day backfill four runs at a time, a
retrain whose worker is killed once its contender is registered (run monitoring fails it, the
instance retries it), more days, the drift sensor's retrain and its promotion, with the
registry history of the embedded default on the same seed, and the champion's bento built on
another home from the shared registry; and an ingest run's worker killed with SIGKILL, failed
by run monitoring and retried, nothing written twice.

Real pieces throughout: `dagster job backfill`/`launch`, `dagster sensor start`,
`dagster-daemon run` on the home's code location, SIGKILL. Minutes: marked `shared_e2e`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest

if not os.environ.get("CT_REQUIRE_SHARED"):  # without the shared extra: skipped, not an error
    pytest.importorskip("psycopg2", reason="pip install '.[shared]'")
import psycopg2  # noqa: E402
import psycopg2.errors  # noqa: E402
import shared_loop
from shared_env import services, shared_home  # noqa: F401  (fixture)
from waiting import wait_for

from ct_assets.graph import ModelGraph
from ct_assets.graph.launcher import worker_pid
from ct_assets.records import RunTags
from ct_assets.serving.build import bento_exists, pinned_model

pytestmark = [pytest.mark.shared, pytest.mark.shared_e2e]
BIN = Path(sys.executable).parent


class Deployment:
    """A shared home, its instance, and the dagster command line on its code location."""

    def __init__(self, home, storage):
        self.home = home
        self.env = {**os.environ, "DAGSTER_HOME": str(home.dagster)}
        self.where = ["-f", str(home.code_location)]
        self.instance = dg.DagsterInstance.from_config(str(home.dagster))  # makes the schema
        self.model = ModelGraph("demo", home, shared_loop.settings(storage=storage))

    def dagster(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "dagster"), *args], env=self.env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    @contextmanager
    def daemon(self):
        process = subprocess.Popen([str(BIN / "dagster-daemon"), "run", *self.where],
                                   env=self.env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)

    def runs(self, job: str) -> list[dg.RunRecord]:
        return self.instance.get_run_records(
            filters=dg.RunsFilter(job_name=self.model.named(job)), ascending=True)

    def finished(self, job: str, count: int, dead: tuple = ()) -> list[dg.RunRecord]:
        def done():
            records = self.runs(job)
            failed = [r for r in records if r.dagster_run.status == dg.DagsterRunStatus.FAILURE
                      and r.dagster_run.run_id not in dead]
            assert not failed, f"{job} run {failed[0].dagster_run.run_id} failed"
            ended = [r for r in records if r.dagster_run.is_finished]
            return ended if len(ended) >= count and len(ended) == len(records) else None
        return wait_for(done, 600, f"{count} finished {job} runs", every=1)

    def kill_after_contender(self, storage) -> str:
        """SIGKILL the retrain run's worker once its contender is in the registry and not yet
        evaluated (the moment a retry could record it twice); the run's id."""
        raw = psycopg2.connect(storage.postgres)
        raw.autocommit = True

        def unevaluated():
            with raw.cursor() as cursor:
                try:
                    cursor.execute("SELECT count(*) FROM ct_demo.model_versions "
                                   "WHERE gate IS NULL")
                except psycopg2.errors.UndefinedTable:
                    return False
                return cursor.fetchone()[0] > 0
        deadline, polls = time.monotonic() + 600, 0
        try:
            while not unevaluated():
                assert time.monotonic() < deadline, "no contender registered within 600 s"
                polls += 1
                assert polls % 20 or not any(r.dagster_run.is_finished
                                             for r in self.runs("retrain_job")), \
                    "the retrain ended before its contender could be caught unevaluated"
                time.sleep(0.05)
        finally:
            raw.close()
        run = next(r.dagster_run for r in self.runs("retrain_job")
                   if not r.dagster_run.is_finished)
        os.kill(worker_pid(self.instance, run.run_id), signal.SIGKILL)
        return run.run_id

    def backfill(self, first: int, last: int) -> None:
        self.dagster("job", "backfill", *self.where, "-j", self.model.named("ingest_job"),
                     "--from", shared_loop.day(first).isoformat(),
                     "--to", shared_loop.day(last).isoformat(), "--noprompt")

    def launch(self, job: str, tags: dict, config: dict | None = None) -> None:
        self.dagster("job", "launch", *self.where, "-j", self.model.named(job),
                     "--tags", json.dumps(tags), "--config-json", json.dumps(config or {}))


def most_at_once(records: list[dg.RunRecord]) -> int:
    """The most runs of `records` that were running at the same moment."""
    edges = sorted([(r.start_time, 1) for r in records] + [(r.end_time, -1) for r in records])
    now = most = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def test_the_loop_on_the_shared_deployment_matches_the_embedded_default(tmp_path, services):  # noqa: F811
    embedded = shared_loop.in_process(tmp_path / "embedded")
    storage = services.storage()
    shared = Deployment(shared_home(tmp_path / "shared", shared_loop.settings(storage=storage)),
                        storage)
    first, more = shared_loop.FIRST, shared_loop.MORE
    with shared.daemon():
        shared.backfill(0, first - 1)
        backfilled = shared.finished("ingest_job", first)
        assert 2 <= most_at_once(backfilled) <= 4  # in parallel, within the queue's limit
        request = shared_loop.first_retrain(shared.model)
        shared.launch("retrain_job", request.tags, request.run_config)
        victim = shared.kill_after_contender(storage)
        first_retrains = shared.finished("retrain_job", 2, dead=(victim,))  # its retry
        shared.backfill(first, first + more - 1)
        shared.finished("ingest_job", first + more)
        newest = shared_loop.day(shared_loop.DAYS - 1).isoformat()
        shared.launch("ingest_job", {"dagster/partition": newest})
        shared.finished("ingest_job", shared_loop.DAYS)
        shared.dagster("sensor", "start", *shared.where, shared.model.named("drift_retrain_sensor"))
        retrains = shared.finished("retrain_job", 3, dead=(victim,))
    assert first_retrains[1].dagster_run.tags["dagster/parent_run_id"] == victim
    assert RunTags.from_tags(retrains[-1].dagster_run.tags).trigger == "drift"
    assert most_at_once(retrains) == 1
    got, want = shared_loop.history(shared.model), shared_loop.history(embedded)
    assert [v[1] for v in want["versions"]] == ["archived", "champion"]  # two promotions
    assert got == want
    with shared.model.store() as fs:  # the store is the object store's, not a home's file
        assert not shared.home.db.exists() and len(fs.days("features")) == shared_loop.DAYS
    server = tmp_path / "server"  # another machine: the champion's bento built there
    server.mkdir()
    shared_loop.settings(storage=storage).save(server)
    built = subprocess.run([sys.executable, "-m", "ct_assets.shared.bento", "--home",
                            str(server)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    version, tag = built.stdout.split()
    assert version == "v2" and bento_exists(tag, server / "bentoml")
    assert pinned_model(tag, server / "bentoml")["sha256"] == want["versions"][1][8]


def test_a_killed_run_worker_is_failed_by_monitoring_and_its_retry_completes(tmp_path, services):  # noqa: F811
    storage = services.storage()
    shared = Deployment(shared_home(tmp_path / "shared", shared_loop.settings(storage=storage),
                                    poll_seconds=2), storage)
    day = shared_loop.day(0).isoformat()
    with shared.daemon():
        shared.launch("ingest_job", {"dagster/partition": day})
        victim = wait_for(lambda: [r for r in shared.runs("ingest_job")
                                   if worker_pid(shared.instance, r.dagster_run.run_id)],
                          300, "the run's worker to start")[0].dagster_run
        os.kill(worker_pid(shared.instance, victim.run_id), signal.SIGKILL)
        records = wait_for(lambda: [r for r in shared.runs("ingest_job")
                                    if r.dagster_run.status == dg.DagsterRunStatus.SUCCESS],
                           600, "a retry to succeed")
        runs = [r.dagster_run for r in shared.runs("ingest_job")]
    assert shared.instance.get_run_by_id(victim.run_id).status == dg.DagsterRunStatus.FAILURE
    retry = records[0].dagster_run
    assert retry.tags.get("dagster/parent_run_id") == victim.run_id and len(runs) == 2
    with shared.model.store() as fs:
        rows = fs.catalog.pg.execute("SELECT tbl, count(*) FROM partitions GROUP BY tbl"
                                     ).fetchall()
        assert {t for t, _ in rows} >= {"events", "labels", "features"}
        assert all(n == 1 for _, n in rows)  # one committed object per (table, day)
        source = shared.model.source.events(shared_loop.day(0), shared_loop.day(1))
        total, distinct = fs.con.execute(
            "SELECT count(*), count(DISTINCT entity_id) FROM events").fetchall()[0]
        assert total == distinct == len(source)
        assert fs.con.execute("SELECT count(*) FROM features").fetchall()[0][0] == len(source)
