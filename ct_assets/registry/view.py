"""The registry as a file: what readers use while a run holds the database.

DuckDB lets one process write a file and nobody else open it meanwhile, so `ct registry list`
and `ct serve` could not read the registry during a run. Every committed change of a registry
with a view rewrites `HOME/registry.json` in one atomic step: the versions (without their
bulky profiles), the champion history and when it was published. Readers open the database
when they can and fall back to this view when a writer holds it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

VIEW = "registry.json"


def entry(record) -> dict:
    """A version as readers see it: its summary, feature schema and profiled features."""
    return {**record.summary(), "feature_schema": record.feature_schema,
            "profiled_features": sorted(record.profile.get("features", {}).get("features", {}))}


def write_view(registry, path: Path) -> None:
    """Publish `registry`'s versions and history to `path` (a temp file, then a rename)."""
    view = {"published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": [entry(record) for record in registry.versions()],
            "champion_history": registry.history()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(view, default=str))
    os.replace(tmp, path)


def read_view(home_root: Path) -> dict | None:
    """The published view of a home's registry, or None when it has none."""
    path = Path(home_root) / VIEW
    return json.loads(path.read_text()) if path.exists() else None
