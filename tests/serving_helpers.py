"""Helpers the serving-safety tests share: a seeded champion home, a real server, the metrics
it exports, records of a simulated day, and folders made unwritable the way a user's disk is.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ct_assets.serving import records_from_frame
from ct_assets.serving.server import BentoServer, free_port
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet

TOKEN = "trusted-client-0123456789abcdef"


def day_records(home, day_index: int, n: int | None = None) -> tuple[list[dict], object]:
    """Records of a simulated day (features, entity_id, event_ts) and their feature rows."""
    settings = Settings.load(home.root)
    sim = EventSimulator(seed=settings.seed, rows_per_day=settings.rows_per_day)
    feature_set = FeatureSet(tuple(sim.numeric), tuple(sim.categorical))
    rows = feature_set.transform(sim.events(sim.date_of(day_index)))
    rows = rows if n is None else rows.head(n)
    records = records_from_frame(rows, feature_set.schema["numeric"] + list(sim.categorical))
    for rec, key, ts in zip(records, rows["entity_id"], rows["event_ts"], strict=True):
        rec.update(entity_id=key, event_ts=ts.isoformat())
    return records, rows


def ct_serve(home, bento_tag: str, env: dict | None = None, *args: str) -> BentoServer:
    """A `ct serve` process on a free port of 127.0.0.1 (not started)."""
    port = free_port()
    cmd = [sys.executable, "-m", "ct_assets.cli.main", "serve", "--port", str(port),
           "--home", str(home.root), *args]
    return BentoServer(bento_tag, home.bentoml, port=port, command=cmd, env=env or {})


def run_ct(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The `ct` command line in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ct_assets.cli.main", *args],
                          capture_output=True, text=True, timeout=timeout)


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@contextlib.contextmanager
def unwritable(path: Path):
    """``path`` (a folder) refuses new files, even to root: immutable (chattr +i) as root,
    mode 0555 otherwise; restored on exit."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            raise RuntimeError("chattr is needed to make a folder read-only for root")
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield path
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(mode)


@contextlib.contextmanager
def unwritable_tree(root: Path):
    """Every folder and file under ``root`` read-only (see `unwritable`), restored on exit."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", "+i", str(root)], check=True)
        try:
            yield root
        finally:
            subprocess.run(["chattr", "-R", "-i", str(root)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in [root, *root.rglob("*")]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield root
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
