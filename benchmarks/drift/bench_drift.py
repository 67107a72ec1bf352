"""The project's drift engine on the shared peer-benchmark data: speed and quality.

Runs in the project's venv, on the files `gen_data.py` writes (`ref_N.parquet`, `cur_N.parquet`,
`manifest_N.json` in `$PEER_BENCH_DIR/data`), read through DuckDB (no pyarrow needed) and
with categoricals as pandas `category`, as `peer_bench.py` loads them for the peers.

Timed, like the peers, after loading, median of `--repeats`:
- `fit_compare`: `ReferenceProfile.fit(ref)` + `profile.compare(cur)`: PSI, KL, JS and
  Wasserstein of all 25 features in one pass (a peer needs one run per metric);
- `compare`: `profile.compare(cur)` alone (the reference is profiled once, at training time);
- the same two with one thread (`serial`), since the default runs columns on threads;
- `duckdb_compare` (`--duckdb`): the current frame compared from a DuckDB table in SQL;
- with `--strings`, the first two again with the categoricals as plain strings: `_str` as
  DuckDB's `.df()` gives them (a new Python object per row), and `_csv` as `pandas.read_csv`
  gives them (one object per distinct string and chunk; what a CSV gives).

Quality: with default thresholds, the features flagged must be exactly the manifest's shifted
ones. Writes JSON (`--out`) and prints a summary; exit code 1 if the quality check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time

import duckdb
import pandas as pd

import ct_assets.drift.columns as drift_columns
from ct_assets.drift import ReferenceProfile

DATA = os.path.join(os.environ.get("PEER_BENCH_DIR", "/tmp/peer-bench"), "data")


def load(rows: int, data_dir: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    with open(os.path.join(data_dir, f"manifest_{rows}.json")) as f:
        manifest = json.load(f)
    cats = [f["name"] for f in manifest["features"] if f["type"] == "categorical"]
    frames = []
    for side in ("ref", "cur"):
        df = duckdb.sql(f"SELECT * FROM '{data_dir}/{side}_{rows}.parquet'").df()
        frames.append(df.astype({c: "category" for c in cats}))
    return frames[0], frames[1], manifest


def as_strings(frame: pd.DataFrame, cats: list[str], how: str) -> pd.DataFrame:
    """The frame with its categoricals as strings, as DuckDB (`str`) or a CSV reader (`csv`)
    would give them."""
    plain = frame[cats].astype(str)
    if how == "csv":
        with tempfile.TemporaryDirectory() as tmp:
            duckdb.sql("SELECT * FROM plain").write_csv(os.path.join(tmp, "cats.csv"))
            plain = pd.read_csv(os.path.join(tmp, "cats.csv"))
    else:
        plain = duckdb.sql("SELECT * FROM plain").df()
    return frame.assign(**{c: plain[c] for c in cats})


def timed(fn, repeats: int) -> dict:
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(walls), "min_s": min(walls), "wall_s": walls}


def quality(report, manifest: dict) -> dict:
    shifted = {f["name"] for f in manifest["features"] if f["shifted"]}
    flagged = set(report.drifted_features)
    return {"shifted": sorted(shifted), "flagged": sorted(flagged),
            "missed": sorted(shifted - flagged), "false_alarms": sorted(flagged - shifted),
            "pass": flagged == shifted}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--data-dir", default=DATA)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--duckdb", action="store_true", help="also time compare from a DuckDB table")
    ap.add_argument("--strings", action="store_true", help="also time string categoricals")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    ref, cur, manifest = load(a.rows, a.data_dir)
    cats = [f["name"] for f in manifest["features"] if f["type"] == "categorical"]
    profile = ReferenceProfile.fit(ref, categorical=cats)  # warm-up, and the profile to compare
    report = profile.compare(cur)
    result = {"rows": a.rows, "python": platform.python_version(), "cpus": os.cpu_count(),
              "platform": platform.platform(), "numpy": __import__("numpy").__version__,
              "pandas": pd.__version__, "duckdb": duckdb.__version__, "tasks": {}}
    tasks = result["tasks"]
    tasks["fit_compare"] = timed(lambda: ReferenceProfile.fit(ref, categorical=cats).compare(cur),
                                 a.repeats)
    tasks["compare"] = timed(lambda: profile.compare(cur), a.repeats)
    threads, drift_columns.PARALLEL_ROWS = drift_columns.PARALLEL_ROWS, sys.maxsize
    tasks["fit_compare_serial"] = timed(
        lambda: ReferenceProfile.fit(ref, categorical=cats).compare(cur), a.repeats)
    tasks["compare_serial"] = timed(lambda: profile.compare(cur), a.repeats)
    drift_columns.PARALLEL_ROWS = threads
    if a.strings:
        result["quality_strings"] = {}
        for how in ("str", "csv"):
            ref_s, cur_s = as_strings(ref, cats, how), as_strings(cur, cats, how)
            profile_s = ReferenceProfile.fit(ref_s, categorical=cats)
            result["quality_strings"][how] = quality(profile_s.compare(cur_s), manifest)
            tasks[f"fit_compare_{how}"] = timed(
                lambda r=ref_s, c=cur_s: ReferenceProfile.fit(r, categorical=cats).compare(c),
                a.repeats)
            tasks[f"compare_{how}"] = timed(lambda p=profile_s, c=cur_s: p.compare(c), a.repeats)
            del ref_s, cur_s
    if a.duckdb:
        con = duckdb.connect()
        con.register("cur_frame", cur)
        con.execute("CREATE TABLE cur AS SELECT * FROM cur_frame")
        tasks["duckdb_compare"] = timed(lambda: profile.compare(con, table="cur"), 1)
        in_sql = profile.compare(con, table="cur")
        cols = ["psi", "kl", "js"]
        result["duckdb_max_abs_diff_psi_kl_js"] = float(
            (in_sql.features[cols] - report.features[cols]).abs().max().max())
    result["quality"] = quality(report, manifest)
    table = report.features[["kind", "psi", "kl", "js", "wasserstein", "drifted", "reason"]]
    result["features"] = json.loads(table.to_json(orient="index"))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    print(f"rows={a.rows:,}  " + "  ".join(f"{k} {v['median_s']:.3f}s" for k, v in tasks.items()))
    q = result["quality"]
    print(f"quality: {'PASS' if q['pass'] else 'FAIL'}  flagged {len(q['flagged'])}/"
          f"{len(q['shifted'])} shifted; missed {q['missed']}; false alarms {q['false_alarms']}")
    return 0 if q["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
