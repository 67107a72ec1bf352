"""Policy benchmark: the project's policies (default settings, `ct backtest`) against a grid of
plain fixed policies, on every stream of `streams.py`.

    .venv/bin/python benchmarks/policies/run.py [--work DIR] [--streams a,b] [--set k=v ...]

For each stream: `ct backtest --config` with never, periodic and drift (as a user runs it), the
reference grid, and one line: drift's mean metric and retrains against the best fixed policy's
on the same periods, with the paired, period-block bootstrap interval of the difference. The
acceptance rule: drift >= best fixed - 0.005 with at most 60% of its retrains.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from grid import run_grid  # noqa: E402
from streams import STREAMS, write  # noqa: E402

from ct_assets.backtest.compare import paired_gap  # noqa: E402
from ct_assets.config import load_project  # noqa: E402

CT = [sys.executable, "-m", "ct_assets.cli.main"]
TOLERANCE, RETRAIN_SHARE = 0.005, 0.6


def common_mean(a: list[dict], days: set[str]) -> float:
    values = [row["value"] for row in a if row["day"] in days]
    return sum(values) / len(values) if values else float("nan")


def judge(name: str, backtest: dict, grid: list[dict]) -> dict:
    drift = backtest["policies"]["drift"]
    scored = {row["day"] for row in drift["daily"]}
    scoring = [g for g in grid if not math.isnan(common_mean(g["daily"], scored))]
    best = max(scoring, key=lambda g: common_mean(g["daily"], scored))  # nan: never trained
    days = scored & {row["day"] for row in best["daily"]}
    gap = paired_gap(drift["daily"], best["daily"], block=4)
    mean_drift, mean_best = common_mean(drift["daily"], days), common_mean(best["daily"], days)
    ok = (mean_drift >= mean_best - TOLERANCE
          and drift["retrains"] <= RETRAIN_SHARE * best["retrains"])
    return {"stream": name, "metric": backtest["metric"], "periods": backtest["periods"],
            "drift_periods": len(scored), "drift": round(mean_drift, 4),
            "drift_retrains": drift["retrains"], "periodic": backtest["policies"]["periodic"],
            "never": backtest["policies"]["never"]["mean"],
            "best": {"every": best["every"], "window": best["window"],
                     "mean": round(mean_best, 4), "retrains": best["retrains"]},
            "gap": None if gap is None else [round(gap.mean, 4), round(gap.low, 4),
                                             round(gap.high, 4)],
            "pass": ok}


def one(name: str, work: Path, overrides: dict) -> dict:
    stream = STREAMS[name]
    config = write(stream, work, overrides)
    out = config.parent / "backtest"
    started = time.perf_counter()
    args = [*CT, "backtest", "--config", str(config), "--policies", "never,periodic,drift",
            "--out", str(out)]
    if stream.days:
        args += ["--days", str(stream.days)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name}: ct backtest failed:\n{done.stderr[-3000:]}")
    backtest = json.loads((out / "results.json").read_text())
    backtest["wall"] = round(time.perf_counter() - started)
    settings = load_project(config).settings
    if stream.days:
        import datetime as dt
        settings = settings.model_copy(
            update={"end": settings.start + dt.timedelta(days=stream.days - 1)})
    grid = run_grid(settings, stream.every, stream.windows, days=stream.days)
    verdict = judge(name, backtest, grid)
    verdict["backtest_wall_s"] = backtest["wall"]
    (config.parent / "grid.json").write_text(json.dumps(grid))
    (config.parent / "verdict.json").write_text(json.dumps(verdict, indent=2))
    return verdict


def f4(x) -> str:
    return "-" if x is None or x != x else f"{x:.4f}"


def line(v: dict) -> str:
    b, gap = v["best"], v["gap"]
    window = "all" if b["window"] == 0 else b["window"]
    interval = "-" if gap is None else f"{gap[0]:+.4f} ({gap[1]:+.4f} to {gap[2]:+.4f})"
    return (f"| {v['stream']} | {v['metric']} | {f4(v['drift'])} ({v['drift_retrains']}; "
            f"{v['drift_periods']}/{v['periods']} periods) "
            f"| {f4(v['periodic']['mean'])} ({v['periodic']['retrains']}) | {f4(v['never'])} "
            f"| k={b['every']}, w={window}: {f4(b['mean'])} ({b['retrains']}) | {interval} "
            f"| {'PASS' if v['pass'] else 'fail'} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/ct-policies"))
    parser.add_argument("--streams", default=",".join(STREAMS))
    parser.add_argument("--set", action="append", default=[], help="setting=value override")
    args = parser.parse_args()
    overrides = dict(kv.split("=", 1) for kv in args.set)
    overrides = {k: json.loads(v) if v[:1] in "[{0123456789-tfn" else v
                 for k, v in overrides.items()}
    print("| stream | metric | drift (retrains) | periodic (retrains) | never "
          "| best fixed (retrains) | drift - best, 95% interval | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.streams.split(","):
        print(line(one(name, args.work, overrides)), flush=True)


if __name__ == "__main__":
    main()
