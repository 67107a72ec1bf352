"""Soak: `ct serve` under mixed valid and invalid traffic for a bounded time, on 127.0.0.1.

    .venv/bin/python benchmarks/serving/soak.py [--minutes 30] [--rate 100] [--out FILE]

Seeds a temporary home (a champion trained and built as production builds one), serves it with
`ct serve` (a log token, and log bounds small enough to be reached: 8 MB files, 64 MB in all),
and sends ``--rate`` requests a second over 4 keep-alive connections for ``--minutes``
(at most ``--rate`` x 60 x ``--minutes`` requests, each with a 30 s timeout) drawn from
`soak_traffic` (valid rows and batches with and without the token, wrong types, NaN, a newline
key, empty and non-JSON bodies, text/plain, a wrong token, oversize bodies, unknown paths).
Every 30 s it samples the worker's RSS, the size and scrape time of /metrics and the log
files. Verdicts: no 5xx and every answer the expected one; worker RSS growth <= 10% from the
end of the warm-up (2 minutes) to the end; log files and bytes within their caps; /metrics
size flat. The server is stopped by its process group id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import psutil
from run import sample_records  # the serving benchmark's records: real simulated events
from soak_traffic import kinds, pick

from ct_assets.serving import prediction_log_dir
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer, free_port

TOKEN, CONNECTIONS, WARM_UP_S, SAMPLE_S = "soak-trusted-client-0123456789", 4, 120, 30
LOG = {"CT_LOG_FILE_MB": "8", "CT_LOG_MAX_MB": "64", "CT_LOG_MAX_FILES": "200",
       "CT_MAX_BODY_BYTES": "1000000"}


def sample(server: BentoServer, log_dir: Path, t: float) -> dict:
    procs = psutil.Process(server.proc.pid).children(recursive=True)
    t0 = time.perf_counter()
    status, text = server.get("/metrics")
    files = list(log_dir.glob("predictions-*.jsonl"))
    return {"t": round(t), "worker_rss_mb": round(max(p.memory_info().rss for p in procs) / 2**20,
                                                  1),
            "metrics_kb": round(len(text) / 1024, 1), "metrics_status": status,
            "scrape_ms": round(1e3 * (time.perf_counter() - t0), 1), "log_files": len(files),
            "log_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1)}


async def traffic(url: str, all_kinds, rate: float, seconds: float, on_tick) -> Counter:
    seen: Counter = Counter()
    rng, sent, t0 = random.Random(0), 0, time.monotonic()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS),
                                     timeout=timeout, skip_auto_headers=["Content-Type"]) as s:
        async def one(n: int) -> None:
            kind = pick(all_kinds, rng)
            try:
                async with s.request(kind.method, url + kind.path.format(n=n), data=kind.body,
                                     headers=kind.headers) as r:
                    await r.read()
                    seen[(kind.name, r.status, r.status == kind.expect)] += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                seen[(kind.name, type(exc).__name__, False)] += 1

        pending, next_tick = set(), t0 + SAMPLE_S
        while (now := time.monotonic()) - t0 < seconds:
            due = int((now - t0) * rate) - sent
            for _ in range(max(0, min(due, 50))):
                pending.add(asyncio.ensure_future(one(sent)))
                sent += 1
            pending = {p for p in pending if not p.done()}
            if now >= next_tick:
                await asyncio.get_running_loop().run_in_executor(None, on_tick, now - t0)
                next_tick += SAMPLE_S
            await asyncio.sleep(0.005)
        await asyncio.gather(*pending)
    return seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--rate", type=float, default=100.0, help="requests per second")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("soak.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ct-soak-") as tmp:
        home = seed_home(Path(tmp) / "home", days=4, rows_per_day=1500)
        champion = train_champion(home, days=4)
        records, log_dir = sample_records(home, 50), prediction_log_dir(home.root)
        port = free_port()
        server = BentoServer(champion.bento_tag, home.bentoml, port=port, env={
            "CT_LOG_TOKENS": TOKEN, **LOG}, command=[
            sys.executable, "-m", "ct_assets.cli.main", "serve", "--port", str(port),
            "--home", str(home.root)])
        samples: list[dict] = []
        with server:
            all_kinds = kinds(records, TOKEN, int(LOG["CT_MAX_BODY_BYTES"]))
            samples.append(sample(server, log_dir, 0))
            seen = asyncio.run(traffic(server.url, all_kinds, args.rate, args.minutes * 60,
                                       lambda t: samples.append(sample(server, log_dir, t))))
            samples.append(sample(server, log_dir, args.minutes * 60))
            tracebacks = server.log_tail(None).count("Traceback")
    return report(seen, samples, tracebacks, args)


def report(seen: Counter, samples: list[dict], tracebacks: int, args) -> int:
    total = sum(seen.values())
    errors = sum(n for (_, status, _), n in seen.items() if not isinstance(status, int)
                 or status >= 500)
    wrong = sum(n for (_, _, ok), n in seen.items() if not ok)
    warm = next(s for s in samples if s["t"] >= min(WARM_UP_S, samples[-1]["t"]))
    growth = samples[-1]["worker_rss_mb"] / warm["worker_rss_mb"] - 1
    caps_ok = all(s["log_files"] <= 200 and s["log_mb"] <= 64 + 8 + 1 for s in samples)
    metrics_flat = max(s["metrics_kb"] for s in samples[1:]) - warm["metrics_kb"] < 5
    verdicts = {"no 5xx or transport error": errors == 0, "every answer as expected": wrong == 0,
                "worker RSS growth <= 10% after warm-up": growth <= 0.10,
                "log within its caps": caps_ok, "/metrics size flat": metrics_flat,
                "no traceback in the server log": tracebacks == 0}
    result = {"minutes": args.minutes, "rate": args.rate, "requests": total, "5xx": errors,
              "unexpected": wrong, "rss_growth_after_warm_up": round(growth, 4),
              "verdicts": verdicts, "samples": samples,
              "answers": {f"{k} -> {s}": n for (k, s, _), n in sorted(seen.items(), key=str)}}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
