"""A replay's results as reports read them: its mean metric, retrains, promotions and costs."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from ct_assets.backtest.report import write_report
from ct_assets.periods import Period
from ct_assets.settings import Settings


def trained(retrain: dict) -> bool:
    """Whether a retrain run trained a model (one that found too few labelled rows did not)."""
    return not retrain["outcome"].startswith(("no contender", "failed before"))


def summarise(run: dict, metric: str) -> dict:
    """A replay's mean metric, its retrains (runs that trained a model; `attempts` counts the
    runs that found nothing to train on too) and promotions."""
    values = [d["value"] for d in run["daily"]]
    promoted = [r for r in run["retrain_days"] if r["outcome"].startswith("promoted")]
    cpu = [r["cpu_seconds"] for r in run["retrain_days"] if trained(r) and "cpu_seconds" in r]
    return {"metric": metric, "mean": round(sum(values) / len(values), 4) if values else None,
            "retrains": sum(map(trained, run["retrain_days"])),
            "attempts": len(run["retrain_days"]), "promotions": len(promoted),
            "retrain_days": run["retrain_days"], "daily": run["daily"],
            "compute_seconds": run["seconds"], "shared": run.get("shared"),
            "retrain_cpu_seconds": round(statistics.median(cpu), 2) if cpu else None}


def write_single_report(out: Path, settings: Settings, run: dict, days: int | None) -> dict:
    """The same report for one replay (the demo's own policy), so the demo ends with a picture."""
    starts = settings.period_starts(days)
    results = {"days": (Period(settings.period).end(starts[-1]) - starts[0]).days,
               "period": settings.period, "periods": len(starts),
               "start": str(settings.start), "metric": settings.metric,
               "window": settings.window, "periodic_every_days": settings.periodic_every_days,
               "wall_seconds": run["seconds"],
               "policies": {settings.policy: summarise(run, settings.metric)}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    write_report(out, results)
    return results
