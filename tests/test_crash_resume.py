"""kill -9 anywhere: a demo killed at every stage boundary of a retrain and of a release, and
at a random moment, then resumed, ends where a clean run of the same seed ends.

Real pieces throughout: `ct demo` as a subprocess (its own process group, SIGKILLed), the home's
Dagster instance read from another process to find the moment to kill, the registry, the
feature store and the BentoML store it leaves.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import instance_files
import psutil
import pytest

from ct_assets.settings import Settings

DAYS = "24"
SETTINGS = Settings(rows_per_day=700, warmup_days=8, min_train_rows=2000, min_holdout_rows=600,
                    min_holdout_positives=15, policy="periodic", periodic_every_days=3,
                    window="fixed", window_days=21, gate_min_improvement=-1.0, promotion="superior",
                    gate_floor=0.5, drift_plot=False, bootstrap_resamples=50)
CT = [sys.executable, "-m", "ct_assets.cli.main"]
TABLES = ("events", "labels", "features", "predictions", "drift", "performance")


def demo(home: Path) -> subprocess.Popen:
    return subprocess.Popen([*CT, "demo", "--days", DAYS, "--home", str(home)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def started_steps(home: Path) -> set[str]:
    """Step keys started by unfinished retrain runs (the demo's instance, read from here)."""
    return instance_files.started_steps(home / "dagster", "demo__retrain_job")


def serving(child: subprocess.Popen) -> bool:
    """Whether infra validation's `bentoml serve` is up under the demo."""
    try:
        kids = psutil.Process(child.pid).children(recursive=True)
        return any("serve" in " ".join(k.cmdline()) for k in kids)
    except psutil.Error:
        return False


def champions(home: Path) -> list[str]:
    view = home / "registry.json"
    return [h["version"] for h in json.loads(view.read_text())["champion_history"]] \
        if view.exists() else []


def kill_when(home: Path, moment, timeout: float = 900) -> bool:
    """Start (resume) the demo, SIGKILL its whole process group at `moment(child, home,
    champions before)`; False if the demo ended first."""
    before = champions(home)
    child = demo(home)
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        if moment(child, home, before):
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
            return True
        time.sleep(0.05)
    child.wait(timeout=60)
    return False


MOMENTS = {
    "contender": lambda _, home, __: "demo__contender_model" in started_steps(home),
    "evaluation": lambda _, home, __: "demo__contender_evaluation" in started_steps(home),
    "bento build": lambda _, home, __: "demo__champion" in started_steps(home),
    "infra validation": lambda child, _, __: serving(child),
    "champion alias": lambda _, home, before: champions(home) != before,
}


def state(home: Path) -> dict:
    """What a run must leave identical: registry lineage, champions, bentos, rows per day."""
    listed = json.loads(subprocess.run([*CT, "registry", "list", "--home", str(home), "--json"],
                                       capture_output=True, text=True, check=True).stdout)
    keep = ("version", "status", "metrics", "cutoff", "window_days", "snapshot_id", "sha256",
            "trigger", "reason", "gate", "deployable")
    with duckdb.connect(str(home / "ct.duckdb"), read_only=True) as con:
        rows = {t: con.execute(f"SELECT day, count(*) FROM {t} GROUP BY day ORDER BY day")
                .fetchall() for t in TABLES}
    served = [v for v in listed["versions"] if v["status"] in ("champion", "archived")]
    assert all(v["bento_tag"] and v["deployable"] for v in served)  # never without its bento
    for v in served:
        name, tag = v["bento_tag"].split(":")
        assert (home / "bentoml" / "bentos" / name / tag / "bento.yaml").exists()
    return {"versions": [{k: v[k] for k in keep} for v in listed["versions"]],
            "champions": [h["version"] for h in listed["champion_history"]], "rows": rows}


def leftovers(home: Path) -> list[str]:
    """Processes that still work for this home (infra validation servers, replays)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        try:
            env, cmd = proc.info["environ"] or {}, " ".join(proc.info["cmdline"] or [])
        except psutil.Error:
            continue
        if str(home) in env.get("BENTOML_HOME", "") or str(home) in cmd:
            found.append(cmd[:120])
    return found


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("clean")
    SETTINGS.save(home)
    assert demo(home).wait(timeout=1800) == 0
    return state(home)


def test_a_demo_killed_at_every_stage_and_resumed_ends_as_a_clean_run(clean, tmp_path):
    home = tmp_path / "killed"
    home.mkdir()
    SETTINGS.save(home)
    at = random.Random(3).uniform(5, 40)
    moments = {**MOMENTS, "a random moment":  # seconds into the resumed demo
               lambda child, _, __: time.time() - psutil.Process(child.pid).create_time() > at}
    killed = {name: kill_when(home, moment) for name, moment in moments.items()}
    assert all(killed.values()), killed  # every stage was reached, and killed there
    assert demo(home).wait(timeout=1800) == 0  # the last resume runs to the end
    assert leftovers(home) == []  # no infra validation server outlived its run
    assert state(home) == clean
