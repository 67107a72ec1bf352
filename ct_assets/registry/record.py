"""One model version's record: everything needed to trace it, and where its file is."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass
class ModelVersion:
    version: str
    task: str
    metric: str
    cutoff: dt.date
    window_days: int
    window_start: dt.date
    snapshot_id: str
    feature_version: str
    n_rows: int
    feature_schema: dict
    profile: dict
    artifact_path: str
    sha256: str
    metrics: dict = field(default_factory=dict)
    champion_metrics: dict | None = None
    status: str = "contender"
    run_id: str | None = None
    trigger: str | None = None
    reason: str | None = None
    gate: dict | None = None
    model_tag: str | None = None
    bento_tag: str | None = None
    deployable: bool | None = None  # the bento passed infra validation (None: not run)
    refit: dict | None = None  #: rows and selection model of a model refit after the gates
    seq: int = 0
    created_at: dt.datetime | None = None

    def artifact(self, home_root: Path) -> Path:
        """The model file, inside the home it was trained in wherever that home is now: paths
        are recorded relative to the home (older records hold an absolute path, which is
        followed while it exists and otherwise found under the home's `models/`)."""
        path = Path(self.artifact_path)
        if not path.is_absolute():
            return home_root / path
        return path if path.exists() else home_root / "models" / self.version / path.name

    def summary(self) -> dict:
        """The record without its bulky profile: what `ct registry list` shows."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("profile", "feature_schema")}  # asdict would copy the profile
        return json.loads(json.dumps(out, default=str))
