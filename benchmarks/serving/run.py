"""Serving benchmark: the champion bento against a minimal BentoML service, same model, same run.

    .venv/bin/python benchmarks/serving/run.py [--requests 3000] [--rounds 3] [--big 60]

Seeds a temporary home (simulated days, a champion trained and built as production builds it),
starts both services on 127.0.0.1 with one worker each, then alternates rounds of single-row
requests over 8 keep-alive connections (A, B, A, B, ...: a busy machine slows both alike), and
times sequential 1000-row requests. Every round is bounded in count and time. Prints a table and
the targets: throughput >= 0.85x the minimal service, 1000-row p50 <= 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from ct_assets.serving import prediction_log_dir, records_from_frame
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet

HERE = Path(__file__).resolve().parent
CONCURRENCY, BIG = 8, 1000
TOKEN = "benchmark-client-0123456789abcdef"  # a trusted client: every prediction is logged


def sample_records(home, n: int) -> list[dict]:
    settings = Settings.load(home.root)
    sim = EventSimulator(seed=settings.seed, rows_per_day=settings.rows_per_day)
    fs = FeatureSet(tuple(sim.numeric), tuple(sim.categorical))
    rows = fs.transform(sim.events(sim.date_of(3))).head(n)
    records = records_from_frame(rows, fs.schema["numeric"] + list(sim.categorical))
    for rec, key, ts in zip(records, rows["entity_id"], rows["event_ts"], strict=True):
        rec.update(entity_id=key, event_ts=ts.isoformat())
    return records


async def single_rows(url: str, bodies: list[bytes], n: int, limit_s: float) -> dict:
    """``n`` single-row requests over CONCURRENCY keep-alive connections (or until limit_s)."""
    latencies: list[float] = []
    errors, counter = 0, iter(range(n))
    deadline = time.perf_counter() + limit_s
    conn = aiohttp.TCPConnector(limit=CONCURRENCY)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(connector=conn) as session:
        async def worker() -> None:
            nonlocal errors
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                async with session.post(url, data=bodies[i % len(bodies)], headers=headers) as r:
                    await r.read()
                    errors += r.status != 200
                latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - start
    return {"rps": len(latencies) / elapsed, "n": len(latencies), "errors": errors,
            "p50_ms": 1e3 * statistics.median(latencies)}


async def big_requests(url: str, body: bytes, n: int) -> dict:
    """``n`` sequential 1000-row requests after 3 warm-ups; latency percentiles."""
    latencies = []
    async with aiohttp.ClientSession() as session:
        for i in range(n + 3):
            t0 = time.perf_counter()
            async with session.post(url, data=body, headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}) as r:
                await r.read()
                assert r.status == 200, r.status
            if i >= 3:
                latencies.append(1e3 * (time.perf_counter() - t0))
    q = statistics.quantiles(latencies, n=10)
    return {"p50_ms": statistics.median(latencies), "p90_ms": q[8], "n": n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=3000, help="single-row requests per round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per service, alternating")
    ap.add_argument("--big", type=int, default=60, help="timed 1000-row requests per service")
    ap.add_argument("--round-seconds", type=float, default=30.0, help="time bound per round")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ct-bench-") as tmp:
        home = seed_home(Path(tmp) / "home", days=4, rows_per_day=1500)
        champion = train_champion(home, days=4)
        records = sample_records(home, BIG)
        ours = BentoServer(champion.bento_tag, home.bentoml, env={
            "CT_PREDICTION_LOG_DIR": str(prediction_log_dir(home.root)), "CT_LOG_TOKENS": TOKEN})
        cats = ",".join(EventSimulator().categorical)
        minimal = BentoServer("minimal", home.bentoml, env={
            "CT_BENCH_MODEL_FILE": str(champion.model_path), "CT_BENCH_CATEGORICAL": cats})
        minimal.command = [sys.executable, "-m", "bentoml", "serve", "minimal_service:Minimal",
                           "--working-dir", str(HERE), "--host", "127.0.0.1",
                           "--port", str(minimal.port)]
        bodies = [json.dumps({"records": [r]}).encode() for r in records]
        big = json.dumps({"records": records}).encode()
        results: dict[str, list] = {"champion": [], "minimal": []}
        try:
            for srv in (ours, minimal):
                srv.start(timeout=120)
            targets = {"champion": ours.url + "/predict", "minimal": minimal.url + "/predict"}
            for url in targets.values():  # warm-up: imports, first-call caches
                asyncio.run(single_rows(url, bodies, 300, 20))
            for _ in range(args.rounds):
                for name, url in targets.items():
                    results[name].append(asyncio.run(
                        single_rows(url, bodies, args.requests, args.round_seconds)))
            bigs = {name: asyncio.run(big_requests(url, big, args.big))
                    for name, url in targets.items()}
        finally:
            ours.stop()
            minimal.stop()
    report(results, bigs, args)
    return 0


def report(results: dict, bigs: dict, args: argparse.Namespace) -> None:
    rps = {k: statistics.median(r["rps"] for r in v) for k, v in results.items()}
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, "
          f"{args.rounds} rounds x {args.requests} single-row requests, {CONCURRENCY} connections")
    print("| service | single-row req/s (median of rounds) | rounds | errors | "
          "single-row p50 ms | 1000-row p50 ms | 1000-row p90 ms |")
    print("|---|---|---|---|---|---|---|")
    for k, v in results.items():
        rounds = ", ".join(f"{r['rps']:.0f}" for r in v)
        print(f"| {k} | {rps[k]:.0f} | {rounds} | "
              f"{sum(r['errors'] for r in v)} | {statistics.median(r['p50_ms'] for r in v):.2f} "
              f"| {bigs[k]['p50_ms']:.1f} | {bigs[k]['p90_ms']:.1f} |")
    ratio = rps["champion"] / rps["minimal"]
    print(f"throughput ratio champion/minimal: {ratio:.2f} (target >= 0.85): "
          f"{'PASS' if ratio >= 0.85 else 'FAIL'}")
    p50 = bigs["champion"]["p50_ms"]
    print(f"champion 1000-row p50: {p50:.1f} ms (target <= 25 ms): "
          f"{'PASS' if p50 <= 25 else 'FAIL'}")


if __name__ == "__main__":
    sys.exit(main())
