"""Drift speed regression guard for CI: exit 1 when the drift engine got slower relative to a
calibration workload timed in the same run (so the machine's speed and load cancel out).

    .venv/bin/python benchmarks/drift/guard.py        # about 10 s, project venv only

At 100,000 rows x 25 features (:mod:`synthetic`: 20 numeric of varied shapes, 5 categorical,
8 shifted), on one thread, it times, as medians of interleaved repeats:

- ``compare``: ``profile.compare(cur)`` of a fresh process (calibration cache emptied), and
  ``fit_compare``: ``ReferenceProfile.fit(ref).compare(cur)``;
- ``floor``: what one binned pass over every column costs in plain numpy, the floor of any
  histogram statistic (per column: a multiply-add, a cast and one ``np.bincount``), and
  ``floor_fit``: that plus one ``np.sort`` per numeric column (the floor of a fit).

It fails when ``compare / floor`` or ``fit_compare / (floor + floor_fit)`` exceeds ``LIMIT``
times its baseline below (a 2x slowdown of the engine fails; the margin absorbs noise), or when
the flagged features are not exactly the 8 shifted ones. ``--json`` prints the measurements.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import SHIFTED, frames  # noqa: E402

import ct_assets.drift.calibration as calibration  # noqa: E402
import ct_assets.drift.columns as columns  # noqa: E402
from ct_assets.drift import ReferenceProfile  # noqa: E402

ROWS, REPEATS = 100_000, 9
# ratios measured on the 2-core development machine, 2026-12-06 (see benchmarks/README.md)
BASELINE = {"compare": 2.6, "fit_compare": 2.1}
LIMIT = 1.6


def _floor(ref, numeric: list[str], with_sort: bool) -> None:
    """One plain-numpy binned pass per column (and a sort per numeric one with ``with_sort``)."""
    for name in ref.columns:
        col = ref[name]
        x = col.array.codes if name not in numeric else col.to_numpy(dtype=np.float64)
        if with_sort and name in numeric:
            np.sort(x)
        u = np.multiply(x, 0.37)
        np.add(u, 3.0, out=u)
        np.fmax(u, 0.0, out=u)
        np.fmin(u, 8000.0, out=u)
        np.bincount(u.astype(np.intp), minlength=8001)


def _timed(runs: dict) -> dict[str, float]:
    """Median seconds of each callable, run in turns so that load changes hit all alike."""
    walls: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(REPEATS):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            walls[name].append(time.perf_counter() - t0)
    return {name: statistics.median(w) for name, w in walls.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON only")
    args = ap.parse_args(argv)
    columns.PARALLEL_ROWS = sys.maxsize  # one thread: comparable with the numpy floor
    ref, cur = frames(ROWS)
    numeric = [c for c in ref.columns if c.startswith("num_")]
    cats = [c for c in ref.columns if c.startswith("cat_")]
    profile = ReferenceProfile.fit(ref, categorical=cats)
    flagged = set(profile.compare(cur).drifted_features)

    def compare():
        calibration._cache.clear()  # as in a fresh process: nulls are simulated again
        profile.compare(cur)

    def fit_compare():
        calibration._cache.clear()
        ReferenceProfile.fit(ref, categorical=cats).compare(cur)

    t = _timed({"compare": compare, "fit_compare": fit_compare,
                "floor": lambda: _floor(cur, numeric, False),
                "floor_fit": lambda: _floor(ref, numeric, True)})
    ratios = {"compare": t["compare"] / t["floor"],
              "fit_compare": t["fit_compare"] / (t["floor"] + t["floor_fit"])}
    failures = [f"{k}: {ratios[k]:.2f}x the floor > {LIMIT} x baseline {BASELINE[k]}"
                for k in ratios if ratios[k] > LIMIT * BASELINE[k]]
    if flagged != SHIFTED:
        failures.append(f"flagged {sorted(flagged)}, expected {sorted(SHIFTED)}")
    if args.json:
        print(json.dumps({"seconds": t, "ratios": ratios, "baseline": BASELINE, "limit": LIMIT,
                          "failures": failures}, indent=1))
        return 1 if failures else 0
    print(f"drift guard at {ROWS:,} rows: compare {t['compare'] * 1e3:.1f} ms "
          f"({ratios['compare']:.2f}x floor), fit+compare {t['fit_compare'] * 1e3:.1f} ms "
          f"({ratios['fit_compare']:.2f}x floor); limits {LIMIT} x {BASELINE}: "
          + ("FAIL: " + "; ".join(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
