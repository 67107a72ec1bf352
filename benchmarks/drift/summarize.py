"""Markdown summary of one `run.sh` results folder: times, ratios, quality, peak memory.

Ratios use the slower of the project's two medians (taken before and after the peers, in the
same run), so machine noise counts against the project, not for it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def _peer(peer: dict, lib: str, method: str | None = None) -> float | None:
    for task in peer["tasks"]:
        if task["lib"] == lib and "median_s" in task and method in (None, task["method"]):
            return task["median_s"]
    return None


def _rss_mib(path: Path) -> float | None:
    if not path.exists():
        return None
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", path.read_text())
    return int(found.group(1)) / 1024 if found else None


def main(res: Path) -> None:
    print("| rows | ours fit+compare | ours compare | Evidently preset psi / kl_div / wasserstein "
          "| ratio vs Evidently (each; sum of 3) | NannyML univariate | ratio vs NannyML "
          "| quality |")
    print("|---|---|---|---|---|---|---|---|")
    for ours_path in sorted(res.glob("ours_[0-9]*.json"), key=lambda p: int(p.stem.split("_")[1])):
        n = int(ours_path.stem.split("_")[1])
        runs = [r for r in (_json(ours_path), _json(res / f"ours_after_{n}.json")) if r]
        peer = _json(res / f"peer_{n}.json")
        ours = max(r["tasks"]["fit_compare"]["median_s"] for r in runs)
        compare = max(r["tasks"]["compare"]["median_s"] for r in runs)
        quality = "PASS" if all(r["quality"]["pass"] for r in runs) else "FAIL"
        if peer is None:
            print(f"| {n:,} | {ours:.3f} s | {compare:.3f} s | – | – | – | – | {quality} |")
            continue
        ev = [_peer(peer, "evidently", m) for m in ("psi", "kl_div", "wasserstein")]
        nml = _peer(peer, "nannyml")
        ev_text = " / ".join(f"{v:.1f}" for v in ev if v) + " s"
        ratios = [v / ours for v in ev if v]
        ev_ratio = f"{min(ratios):.0f}–{max(ratios):.0f}×; {sum(v for v in ev if v) / ours:.0f}×"
        print(f"| {n:,} | {ours:.3f} s | {compare:.3f} s | {ev_text} | {ev_ratio} | "
              f"{nml:.2f} s | {nml / ours:.1f}× | {quality} |")
    for ours_path in sorted(res.glob("ours_[0-9]*.json"), key=lambda p: int(p.stem.split("_")[1])):
        tasks = _json(ours_path)["tasks"]
        if "fit_compare_str" in tasks:
            base = tasks["fit_compare"]["median_s"]
            print(f"\nString categoricals at {int(ours_path.stem.split('_')[1]):,} rows (same run, "
                  f"fit+compare / compare): as DuckDB gives them "
                  f"{tasks['fit_compare_str']['median_s']:.3f} / "
                  f"{tasks['compare_str']['median_s']:.3f} s "
                  f"({tasks['fit_compare_str']['median_s'] / base:.2f}x category), as a CSV "
                  f"gives them {tasks['fit_compare_csv']['median_s']:.3f} / "
                  f"{tasks['compare_csv']['median_s']:.3f} s "
                  f"({tasks['fit_compare_csv']['median_s'] / base:.2f}x category).")
    rss = _rss_mib(res / "duckdb_10m.time")
    if rss is not None:
        text = res / "duckdb_10m.txt"
        line = text.read_text().strip() if text.exists() else ""
        print(f"\n10M-row day compared from DuckDB: peak RSS {rss:.0f} MiB "
              f"(/usr/bin/time -v). {line}")
    for name, what in (("duckdb_10m_defaults", "Same, DuckDB default settings (buffer cache "
                        "up to 80% of RAM)"), ("pandas_10m", "Same day loaded into pandas")):
        rss = _rss_mib(res / f"{name}.time")
        if rss is not None:
            print(f"{what}: peak RSS {rss:.0f} MiB.")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
