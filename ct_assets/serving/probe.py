"""Pre-deploy probe: start a bento, score a sample over HTTP, compare with in-process scores.

Pure (no Dagster import). ``champion_bento`` can refuse a bento whose served scores differ.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from .server import BentoServer, stop_orphans


def probe_servers(bentoml_home: str | Path) -> Path:
    """Where running probe servers are recorded (their owner may be killed mid-probe)."""
    return Path(bentoml_home) / "probes"


def stop_orphan_probes(bentoml_home: str | Path) -> list[int]:
    """End the probe servers a killed process left running (see `stop_orphans`)."""
    return stop_orphans(probe_servers(bentoml_home))


def records_from_frame(df: Any, features: list[str]) -> list[dict[str, Any]]:
    """JSON records for ``POST /predict``: NaN/NA -> null, numpy scalars -> Python values."""
    out: list[dict[str, Any]] = []
    columns = [df[c].astype(object).tolist() for c in features]
    for row in zip(*columns, strict=True):
        rec = {}
        for name, v in zip(features, row, strict=True):
            if v is None or (isinstance(v, float) and math.isnan(v)) or repr(v) in ("<NA>", "NaT"):
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            rec[name] = v
        out.append(rec)
    return out


def probe(
    bento_tag: str,
    bentoml_home: str | Path,
    df: Any,
    expected: Any,
    features: list[str],
    *,
    atol: float = 1e-9,
    timeout: float = 90.0,
) -> dict[str, Any]:
    """Serve ``bento_tag``, score ``df`` and compare with ``expected`` (in-process scores).

    Returns a dict for asset metadata: ok, n, max_abs_diff, ready_seconds, model_version,
    and the server log tail when not ok. The server is always stopped.
    """
    records = records_from_frame(df, features)
    stop_orphan_probes(bentoml_home)  # one probe at a time per home: any other is an orphan
    server = BentoServer(bento_tag, bentoml_home, track=probe_servers(bentoml_home))
    t0 = time.perf_counter()
    try:
        server.start(timeout=timeout)
        ready = time.perf_counter() - t0
        status, body = server.predict(records)
    finally:
        server.stop()
    if status != 200:
        return {"ok": False, "status": status, "error": str(body)[:2000], "log": server.log_tail()}
    scores = [float(x) for x in expected]
    diff = max((abs(a - b) for a, b in zip(body["scores"], scores, strict=True)), default=0.0)
    return {
        "ok": diff <= atol,
        "n": len(records),
        "max_abs_diff": diff,
        "ready_seconds": round(ready, 2),
        "model_version": body.get("model_version"),
    }
