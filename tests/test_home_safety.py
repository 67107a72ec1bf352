"""A home survives its operator: the real daemon unblocks a queue behind a killed run, a home
moved to another path keeps working, and a second writer is refused before it changes anything
while readers keep reading.

Real pieces throughout: the dagster CLI and daemon on the home's own instance and code
location, `ct` as subprocesses, SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import instance_files
import pytest
from waiting import wait_for

from ct_assets.home import Home
from ct_assets.settings import Settings

CT = [sys.executable, "-m", "ct_assets.cli.main"]
BIN = Path(sys.executable).parent
SMOKE = Path(__file__).parents[1] / ".ci" / "serve_smoke.py"


def ct(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*CT, *args], capture_output=True, text=True, timeout=1200)
    if check and done.returncode != 0:
        raise AssertionError(f"ct {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def partition(day: str) -> list[str]:
    return ["--tags", json.dumps({"dagster/partition": day})]


def runs(home: Path, **filters) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return instance.get_runs(filters=dg.RunsFilter(**filters))


def test_the_daemon_fails_a_killed_run_and_runs_the_queue_behind_it(tmp_path):
    home = Home.create(tmp_path / "home")
    Settings(rows_per_day=300).save(home.root)
    env = {**os.environ, "DAGSTER_HOME": str(home.dagster)}
    where = ["-f", str(home.code_location)]
    killed = subprocess.Popen(
        [str(BIN / "dagster"), "job", "execute", *where, "-j", "demo__ingest_job",
         *partition("2025-01-01")], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: instance_files.runs(home.dagster, status="STARTED"), 120,
             "the first run to start")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    subprocess.run([str(BIN / "dagster"), "job", "launch", *where, "-j", "demo__ingest_job",
                    *partition("2025-01-02")], env=env, check=True, capture_output=True,
                   timeout=300)
    assert [r.status for r in runs(home.root)] == [dg.DagsterRunStatus.QUEUED,
                                                   dg.DagsterRunStatus.STARTED]
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", *where], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        done = wait_for(lambda: [r for r in runs(home.root) if r.is_finished] == runs(home.root)
                        and runs(home.root), 300, "the daemon to settle both runs")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    queued, dead = done
    assert dead.status == dg.DagsterRunStatus.FAILURE  # run monitoring: its process is gone
    assert queued.status == dg.DagsterRunStatus.SUCCESS  # and the queue moved on


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A home with a few champions (every contender above the floor is promoted)."""
    root = tmp_path_factory.mktemp("finished") / "home"
    root.mkdir()
    Settings(rows_per_day=700, warmup_days=8, min_train_rows=2000, min_holdout_rows=600,
             min_holdout_positives=15, policy="periodic", periodic_every_days=3,
             window="fixed", window_days=21, gate_min_improvement=-1.0, promotion="superior",
             gate_floor=0.5, drift_plot=False, bootstrap_resamples=50).save(root)
    ct("demo", "--days", "14", "--home", str(root))
    return root


def test_a_moved_home_resumes_serves_and_rolls_back(finished, tmp_path):
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    shutil.move(finished, moved)
    out = ct("demo", "--days", "17", "--home", str(moved)).stdout
    assert "(14 already done)" in out and "failed run" not in out.replace("no failed runs", "")
    listed = ct("registry", "list", "--home", str(moved), "--json").stdout
    assert str(finished) not in listed  # nothing of the old path is recorded
    back = ct("registry", "rollback", "--home", str(moved), "--json")
    assert '"champion"' in back.stdout
    smoke = subprocess.run([sys.executable, str(SMOKE), str(BIN / "ct"), str(moved)],
                           capture_output=True, text=True, timeout=600)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr


def served_champion(home: Path) -> bool:
    """Whether the registry view shows a champion with a bento (a run may hold the database)."""
    view = home / "registry.json"
    return view.exists() and any(v["status"] == "champion" and v["bento_tag"]
                                 for v in json.loads(view.read_text())["versions"])


def test_a_second_writer_is_refused_and_readers_read_during_a_run(tmp_path):
    home = tmp_path / "busy"
    home.mkdir()
    Settings(rows_per_day=600).save(home)
    first = subprocess.Popen([*CT, "demo", "--days", "60", "--home", str(home)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        wait_for(lambda: instance_files.runs(home / "dagster"), 300, "the first demo's runs")
        settings = (home / "settings.json").read_text()
        second = ct("demo", "--days", "40", "--home", str(home), check=False)
        assert second.returncode == 2
        assert second.stderr.strip().count("\n") == 0  # one line
        assert f"is busy: `ct demo` (pid {first.pid}" in second.stderr
        assert (home / "settings.json").read_text() == settings  # its end was not rewritten
        assert instance_files.run_pids(home / "dagster") == {first.pid}  # all the first's
        assert ct("registry", "list", "--home", str(home)).returncode == 0
        wait_for(lambda: served_champion(home), 600, "a champion with its bento")
        assert first.poll() is None, "the demo ended before serving could be tried during it"
        smoke = subprocess.run([sys.executable, str(SMOKE), str(BIN / "ct"), str(home)],
                               capture_output=True, text=True, timeout=600)
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert "a run holds" in smoke.stderr or first.poll() is not None
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
