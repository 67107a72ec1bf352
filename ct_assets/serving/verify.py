"""Every artifact checked before anything starts or any alias moves (pure: no Dagster).

Why: a damaged model file used to surface late and badly: `ct registry promote` printed a
traceback, `ct serve` printed "serving v12 on http://..." and then BentoML restarted a worker
ten times in 95 s while /livez hung, a damaged pinned_model.json read as "No module named
'ct_champion_service'", and the next ingest failed. Here each check ends in one `CTError`
that names the file, what is wrong with it and what to do; callers run them first.

* `artifact_problem`: a registry version's model file (in the home) against its recorded
  sha256: before it is packaged, released or loaded for batch scores.
* `verify_bento`: a built bento (its pinned_model.json, the stored model it pins and that
  model's file) against the registry's sha256: before a server starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ct_assets.checksum import sha256_file
from ct_assets.errors import CTError

from .store import MODEL_FILE

REPAIR = "restore it from a backup, or roll back (`ct registry rollback`)"


def artifact_problem(record: Any, home_root: str | Path) -> str | None:
    """Why ``record``'s model file cannot be used (missing, unreadable, or not the bytes the
    registry recorded), or None."""
    path = record.artifact(Path(home_root))
    try:
        digest = sha256_file(path)
    except OSError as exc:
        return f"{record.version}'s model file {path} cannot be read ({exc.strerror})"
    if digest != record.sha256:
        return (f"{record.version}'s model file {path} does not match its recorded sha256 "
                f"(damaged or replaced)")
    return None


def check_artifact(record: Any, home_root: str | Path) -> Path:
    """The model file of ``record``, or one CTError saying why it cannot be used."""
    problem = artifact_problem(record, home_root)
    if problem:
        raise CTError(f"{problem}; {REPAIR}")
    return record.artifact(Path(home_root))


def verify_bento(bento_tag: str, bentoml_home: str | Path, sha256: str | None = None) -> dict:
    """The bento's pinned_model.json after checking the bento and the model it pins are
    whole (and, given ``sha256``, the very artifact the registry recorded)."""
    name, _, version = bento_tag.partition(":")
    src = Path(bentoml_home) / "bentos" / name / version / "src"
    damaged = f"bento {bento_tag} in {bentoml_home} is damaged"
    if not version or not (src.parent / "bento.yaml").is_file():
        raise CTError(f"bento {bento_tag} is not in {bentoml_home}")
    missing = [f for f in ("service.py", "pinned_model.json") if not (src / f).is_file()]
    if missing:
        raise CTError(f"{damaged}: {', '.join(missing)} missing")
    try:
        pinned = json.loads((src / "pinned_model.json").read_text())
        model_tag, pinned_sha = pinned["model_tag"], pinned["sha256"]
        model_name, _, model_version = model_tag.partition(":")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CTError(f"{damaged}: its pinned_model.json cannot be read "
                      f"({type(exc).__name__})") from None
    stored = Path(bentoml_home) / "models" / model_name / model_version / MODEL_FILE
    if not model_version or model_version == "latest" or "/" in model_tag:
        raise CTError(f"{damaged}: it pins {model_tag!r}, not an exact model tag")
    try:
        digest = sha256_file(stored)
    except OSError:
        raise CTError(f"{damaged}: the model it pins, {model_tag}, is not in the store "
                      f"({stored} missing)") from None
    if digest != pinned_sha:
        raise CTError(f"{damaged}: the stored model file {stored} does not match the sha256 "
                      "pinned at build time")
    if sha256 is not None and pinned_sha != sha256:
        raise CTError(f"{damaged}: it pins another artifact than the registry's "
                      f"(sha256 {pinned_sha[:12]}... vs {sha256[:12]}...)")
    return pinned
