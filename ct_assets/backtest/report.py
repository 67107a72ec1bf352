"""The backtest's report: a markdown table and a picture of the metric over time per policy."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ct_assets.backtest.compare import paired_gap  # noqa: E402

STEP = {"1d": ("daily", "day", 7), "7d": ("weekly", "week", 4), "30d": ("monthly", "month", 1)}
COLOURS = {"never": "#9e9e9e", "periodic": "#1f77b4", "drift": "#d62728",
           "drift+periodic": "#2ca02c"}


def write_report(out: Path, results: dict) -> None:
    (out / "report.md").write_text(markdown(results))
    plot(results, out / "report.png")


def markdown(results: dict) -> str:
    metric = results["metric"]
    each, one, _ = STEP[results.get("period", "1d")]
    lines = [f"# Backtest: {results['days']} days from {results['start']}"
             f"{'' if one == 'day' else f' by {one}'}, {results['window']} window", "",
             f"| policy | mean {each} {metric} | retrains | promotions | compute s "
             "| CPU s a retrain (median) |", "|---|---:|---:|---:|---:|---:|"]
    for name, p in results["policies"].items():
        mean = "-" if p["mean"] is None else f"{p['mean']:.4f}"
        lines.append(f"| {name} | {mean} | {p['retrains']} | {p['promotions']} "
                     f"| {p['compute_seconds']:.0f} | {_cost(p.get('retrain_cpu_seconds'))} |")
    policies = results["policies"]
    for name, drift in policies.items():
        if not name.startswith("drift") or name.startswith("drift+"):
            continue
        for other in ("never", "periodic"):
            if other not in policies or None in (drift["mean"], policies[other]["mean"]):
                continue
            gap = paired_gap(drift["daily"], policies[other]["daily"])
            if gap is None:
                continue
            verdict = "a real difference" if gap.settled else "within the noise: a match"
            lines += ["", f"`{name}` vs `{other}`: {gap.mean:+.4f} mean {each} {metric} (95% "
                          f"interval {gap.low:+.4f} to {gap.high:+.4f} over {gap.days} {one}s, "
                          f"{verdict}) with {drift['retrains']} retrains instead of "
                          f"{policies[other]['retrains']}."]
    lines += ["", f"Each {one}'s events are scored by that {one}'s champion and judged against "
              "their eventual labels (hindsight). ![metric over time](report.png)", ""]
    if results.get("skipped"):
        shared = [f"- {line}" for line in map(_shared, policies.items()) if line]
        lines += [f"Skipped in this replay, as they do not change what is scored: "
                  f"{results['skipped']}.", "", *shared, *([""] if shared else [])]
    return "\n".join(lines)


def _shared(item: tuple[str, dict]) -> str:
    name, p = item
    shared = p.get("shared")
    if not shared:
        return ""
    if not shared["parted"]:
        return (f"`{name}` was replayed together with `{shared['with']}` throughout: their "
                "triggers never asked for different runs.")
    return (f"`{name}` was replayed together with `{shared['with']}` up to "
            f"{shared['until'] or 'its first period'}; then its schedule asked for another run.")


def plot(results: dict, path: Path) -> None:
    _, one, smoothing = STEP[results.get("period", "1d")]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})
    for name, p in results["policies"].items():
        daily = pd.DataFrame(p["daily"])
        if daily.empty:
            continue
        daily["day"] = pd.to_datetime(daily["day"])
        smooth = daily.set_index("day")["value"].rolling(smoothing, min_periods=1).mean()
        colour = COLOURS.get(name, None)
        top.plot(smooth.index, smooth.values, label=f"{name} ({p['retrains']} retrains)",
                 color=colour, lw=1.8)
        marks = pd.to_datetime([r["day"] for r in p["retrain_days"]])
        top.scatter(marks, smooth.reindex(marks, method="nearest").values, marker="v",
                    color=colour, s=28, zorder=3)
        if name in ("drift", "drift+periodic") and daily["drift_share"].notna().any():
            bottom.plot(daily["day"], daily["drift_share"], color=colour, lw=1, label=name)
    top.set_ylabel(f"{results['metric']} ({smoothing}-{one} mean)")
    top.set_title(f"Realised {results['metric']} by policy; ▼ = retrain")
    top.legend(loc="lower left", fontsize=8)
    bottom.set_ylabel("drift share")
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cost(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"
