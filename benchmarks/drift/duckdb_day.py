"""Peak memory of comparing one big day stored in DuckDB, as `drift_report` does.

    python duckdb_day.py make    --rows 10000000 --db /tmp/peer-bench/day.duckdb
    /usr/bin/time -v python duckdb_day.py measure --db /tmp/peer-bench/day.duckdb [--pandas]

`make` (not measured) writes a DuckDB file with a `features` table of two daily partitions:
2025-01-01 = gen_data's reference frame of 1M rows, 2025-01-02 = its current frame of `--rows`
rows; and the reference profile fitted on the 1M-row reference frame (what training stores).

`measure` loads the profile and compares the 2025-01-02 partition with
`profile.compare(con, table="features", where="day = ?", params=[day])`, so DuckDB reads the
file and only aggregates reach Python; it prints the wall time, the quality check against the
manifest and the process's peak RSS (`ru_maxrss`; run it under `/usr/bin/time -v` for the
independent figure). `--pandas` instead loads the partition into a DataFrame and compares that,
for contrast.

`--memory-limit` (default 1GB) is DuckDB's `memory_limit` for the connection. DuckDB keeps the
file pages it has read in its buffer pool up to that limit (by default 80% of RAM), so with
defaults the RSS of any query that reads a 1 GB partition grows by about that much cache; with a
limit, cached pages are evicted and sorts spill, and the peak stays under it plus Python.
Pass `--memory-limit ""` for DuckDB's defaults.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time

import duckdb

from ct_assets.drift import ReferenceProfile

DATA = os.path.join(os.environ.get("PEER_BENCH_DIR", "/tmp/peer-bench"), "data")
REF_DAY, DAY = dt.date(2025, 1, 1), dt.date(2025, 1, 2)


def make(rows: int, db: str, data_dir: str) -> None:
    if os.path.exists(db):
        os.remove(db)
    with duckdb.connect(db) as con:
        con.execute(f"CREATE TABLE features AS SELECT *, DATE '{REF_DAY}' AS day "
                    f"FROM '{data_dir}/ref_1000000.parquet'")
        con.execute(f"INSERT INTO features SELECT *, DATE '{DAY}' AS day "
                    f"FROM '{data_dir}/cur_{rows}.parquet'")
        ref = con.execute("SELECT * EXCLUDE (day) FROM features WHERE day = ?", [REF_DAY]).df()
    with open(f"{data_dir}/manifest_{rows}.json") as f:
        manifest = json.load(f)
    cats = [f["name"] for f in manifest["features"] if f["type"] == "categorical"]
    with open(db + ".profile.json", "w") as f:
        f.write(ReferenceProfile.fit(ref, categorical=cats).to_json())
    with open(db + ".manifest.json", "w") as f:
        json.dump(manifest, f)
    print(f"wrote {db} ({os.path.getsize(db) / 2**20:.0f} MiB): {rows:,} rows on {DAY}")


def measure(db: str, in_pandas: bool, memory_limit: str) -> int:
    with open(db + ".profile.json") as f:
        profile = ReferenceProfile.from_json(f.read())
    with open(db + ".manifest.json") as f:
        manifest = json.load(f)
    t0 = time.perf_counter()
    config = {"memory_limit": memory_limit} if memory_limit else {}
    with duckdb.connect(db, read_only=True, config=config) as con:
        if in_pandas:
            frame = con.execute("SELECT * FROM features WHERE day = ?", [DAY]).df()
            report = profile.compare(frame.drop(columns="day"))
        else:
            report = profile.compare(con, table="features", where="day = ?", params=[DAY])
    wall = time.perf_counter() - t0
    shifted = {f["name"] for f in manifest["features"] if f["shifted"]}
    ok = set(report.drifted_features) == shifted
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'pandas' if in_pandas else 'duckdb'} path, DuckDB memory_limit "
          f"{memory_limit or 'default'}: {report.n_rows:,} rows in {wall:.1f}s; "
          f"peak RSS {peak:.0f} MiB; quality {'PASS' if ok else 'FAIL'} "
          f"(flagged {sorted(report.drifted_features)})")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["make", "measure"])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--db", default=os.path.join(os.path.dirname(DATA), "day.duckdb"))
    ap.add_argument("--data-dir", default=DATA)
    ap.add_argument("--pandas", action="store_true", help="measure: compare a loaded DataFrame")
    ap.add_argument("--memory-limit", default="1GB", help='DuckDB memory_limit ("": default)')
    a = ap.parse_args()
    if a.step == "make":
        make(a.rows, a.db, a.data_dir)
        return 0
    return measure(a.db, a.pandas, a.memory_limit)


if __name__ == "__main__":
    sys.exit(main())
