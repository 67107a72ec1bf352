"""Backfill speed: N days of `ingest_job` through the real daemon, on the shared deployment
with 1, 2 and 4 runs at a time and on the embedded default (one at a time, its only mode).

    .venv/bin/python benchmarks/shared/run.py [--days 60] [--parallel 1,2,4] [--out FILE]

Starts its own PostgreSQL and moto S3 server on 127.0.0.1 (ct_assets.shared.services), makes a
fresh home per configuration, submits one `dagster job backfill` of every day and times it
from the submission until the last run has finished (wall clock), with every run's own time.
Each configuration is bounded (`--timeout` seconds); the servers and daemons it started are
stopped by their own pids.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import psycopg2

from ct_assets.home import Home
from ct_assets.settings import Settings
from ct_assets.shared.instance import write_instance
from ct_assets.shared.services import ObjectServer, Postgres, credentials_env
from ct_assets.shared.settings import StorageSettings

BIN = Path(sys.executable).parent
START = dt.date(2025, 1, 1)


def home_for(root: Path, days: int, storage: StorageSettings | None, parallel: int) -> Home:
    home = Home.create(root)
    Settings(end=START + dt.timedelta(days=days - 1),
             storage=storage or StorageSettings()).save(home.root)
    if storage is not None:
        write_instance(home.dagster, storage.postgres, parallel)
    return home


def backfill(home: Home, days: int, timeout: float) -> dict:
    env = {**os.environ, "DAGSTER_HOME": str(home.dagster)}
    where = ["-f", str(home.code_location)]
    instance = dg.DagsterInstance.from_config(str(home.dagster))  # the schema, before the daemon
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", *where], env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        started = time.perf_counter()
        subprocess.run([str(BIN / "dagster"), "job", "backfill", *where, "-j", "demo__ingest_job",
                        "--from", START.isoformat(),
                        "--to", (START + dt.timedelta(days=days - 1)).isoformat(),
                        "--noprompt"], env=env, check=True, capture_output=True, timeout=300)
        while time.perf_counter() - started < timeout:
            records = instance.get_run_records(filters=dg.RunsFilter(job_name="demo__ingest_job"))
            if len(records) == days and all(r.dagster_run.is_finished for r in records):
                break
            time.sleep(1)
        else:
            raise SystemExit(f"{home.root}: backfill not done within {timeout:.0f} s")
        wall = time.perf_counter() - started
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    statuses = {r.dagster_run.status.value for r in records}
    per_run = [r.end_time - r.start_time for r in records]
    instance.dispose()
    return {"wall_s": round(wall, 1), "runs": len(records), "statuses": sorted(statuses),
            "run_median_s": round(statistics.median(per_run), 1),
            "run_max_s": round(max(per_run), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--parallel", default="1,2,4")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/shared/results.json"))
    args = parser.parse_args()
    os.environ.update(credentials_env())
    work = Path(tempfile.mkdtemp(prefix="ct-bench-shared-"))
    pg, objects = Postgres.start(), ObjectServer.start(work / "moto")
    results = {"days": args.days, "cores": os.cpu_count(), "rows_per_day": Settings().rows_per_day,
               "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": []}
    try:
        for parallel in [int(p) for p in args.parallel.split(",")]:
            name = f"p{parallel}"
            raw = psycopg2.connect(pg.url)
            raw.autocommit = True
            raw.cursor().execute(f"CREATE DATABASE {name}")
            raw.close()
            objects.create_bucket(f"bench-{name}")
            storage = StorageSettings(kind="shared", postgres=pg.url.rsplit("/", 1)[0] + f"/{name}",
                                      objects=f"s3://bench-{name}/ct",
                                      s3_endpoint=objects.endpoint)
            home = home_for(work / name, args.days, storage, parallel)
            row = {"deployment": "shared", "parallel": parallel,
                   **backfill(home, args.days, args.timeout)}
            print(json.dumps(row), flush=True)
            results["runs"].append(row)
        home = home_for(work / "embedded", args.days, None, 1)
        row = {"deployment": "embedded", "parallel": 1, **backfill(home, args.days, args.timeout)}
        print(json.dumps(row), flush=True)
        results["runs"].append(row)
    finally:
        objects.stop()
        pg.stop()
    base = next((r["wall_s"] for r in results["runs"] if r["deployment"] == "shared"
                 and r["parallel"] == 1), None)
    for row in results["runs"]:
        row["speedup_vs_shared_1"] = round(base / row["wall_s"], 2) if base else None
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
