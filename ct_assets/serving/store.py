"""Champion artifacts in the BentoML model store (pure: no Dagster import).

Every call names its BentoML home explicitly and uses a store object for that folder,
so nothing touches ~/bentoml and one process can work with several homes.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path
from typing import Any

from ct_assets.checksum import sha256_file

MODEL_NAME = "ct_champion"
MODEL_FILE = "model.txt"


def model_store(bentoml_home: str | Path):
    from bentoml._internal.models.model import ModelStore

    path = Path(bentoml_home) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return ModelStore(path)


def _model_text_info(model_path: Path) -> tuple[list[str], bool]:
    """Feature names and whether pandas categories are recorded, read from the text model."""
    names: list[str] = []
    has_cats = False
    with open(model_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("feature_names=") and not names:
                names = line.strip().split("=", 1)[1].split(" ")
            elif line.startswith("pandas_categorical:"):
                cats = json.loads(line.split(":", 1)[1])
                has_cats = bool(cats)
    if not names:
        raise ValueError(f"{model_path} is not a LightGBM text model (no feature_names)")
    return names, has_cats


def _check_schema(schema: dict[str, Any], names: list[str], has_cats: bool) -> None:
    numeric, categorical = list(schema.get("numeric", [])), list(schema.get("categorical", []))
    if set(numeric) | set(categorical) != set(names) or len(numeric) + len(categorical) != len(
        names
    ):
        raise ValueError(
            "schema numeric+categorical must equal the model's features: "
            f"model={sorted(names)} schema={sorted(numeric + categorical)}"
        )
    if categorical and not has_cats:
        raise ValueError(
            "schema has categorical features but the model has no pandas_categorical "
            "(train on a DataFrame with pandas 'category' columns)"
        )


def training_info(record: Any) -> dict[str, Any]:
    """The training window of a registry record (``ModelVersion``), for ``save_champion``."""
    keys = ("cutoff", "window_days", "window_start", "snapshot_id", "n_rows")
    return {k: str(v) if hasattr(v, "isoformat") else v for k in keys
            if (v := getattr(record, k, None)) is not None}


def find_champion(version: str, bentoml_home: str | Path, sha256: str | None = None) -> str | None:
    """Exact tag of the stored ``ct_champion`` for a ct version (and sha), newest first."""
    from bentoml.exceptions import NotFound

    try:
        models = model_store(bentoml_home).list(MODEL_NAME)
    except NotFound:
        return None
    hits = [
        m
        for m in models
        if m.info.labels.get("ct_version") == version
        and (sha256 is None or m.info.labels.get("sha256") == sha256)
    ]
    hits.sort(key=lambda m: m.creation_time, reverse=True)
    return str(hits[0].tag) if hits else None


def _intact(model_tag: str, sha256: str, bentoml_home: str | Path) -> bool:
    model = model_store(bentoml_home).get(model_tag)
    try:
        return sha256_file(model.path_of(model.info.metadata.get("file", MODEL_FILE))) == sha256
    except OSError:
        return False


def save_champion(
    model_path: str | Path,
    version: str,
    schema: dict[str, Any],
    sha256: str,
    metrics: dict[str, Any],
    bentoml_home: str | Path,
    training: dict[str, Any] | None = None,
) -> str:
    """Save a LightGBM text model as ``ct_champion`` and return its exact tag.

    ``training`` (cutoff, window_days, window_start, snapshot_id) is shown by the service's
    ``/metadata``; ``training_info(record)`` makes it from a registry record.
    Idempotent: a stored model with the same ct version and sha256 is reused.
    Raises ValueError when the file's sha256 differs from ``sha256`` or the schema does
    not match the model's features.
    """
    from bentoml._internal.models.model import Model, ModelContext

    model_path = Path(model_path)
    actual = sha256_file(model_path)
    if actual != sha256:
        raise ValueError(f"sha256 mismatch for {model_path}: expected {sha256}, file has {actual}")
    existing = find_champion(version, bentoml_home, sha256)
    if existing and _intact(existing, sha256, bentoml_home):
        return existing  # a stored copy that went bad is stored again, under a new tag
    names, has_cats = _model_text_info(model_path)
    _check_schema(schema, names, has_cats)
    feature_version = str(schema.get("feature_version", ""))
    lgb_version = importlib.metadata.version("lightgbm")  # importing lightgbm costs ~2 s
    labels = {
        "ct_version": version,
        "sha256": sha256,
        "feature_version": feature_version,
        "task": str(schema.get("task", "")),
    }
    metadata = {
        "ct_version": version,
        "schema": json.loads(json.dumps(schema)),
        "sha256": sha256,
        "feature_version": feature_version,
        "metrics": json.loads(json.dumps(metrics, default=float)),
        "training": json.loads(json.dumps(training or {}, default=str)),
        "file": MODEL_FILE,
        "framework": "lightgbm",
        "lightgbm_version": lgb_version,
    }
    # Model.create + save(store) is what bentoml.models.create does, minus its usage
    # tracking, which would create ~/bentoml (client_id) and post to t.bentoml.com.
    model = Model.create(
        MODEL_NAME,
        module="",
        api_version="v1",
        signatures={},
        labels=labels,
        metadata=metadata,
        context=ModelContext("lightgbm", {"lightgbm": lgb_version}),
    )
    shutil.copyfile(model_path, model.path_of(MODEL_FILE))
    model.flush()
    saved = model.save(model_store(bentoml_home))
    shutil.rmtree(model.path, ignore_errors=True)
    if sha256_file(saved.path_of(MODEL_FILE)) != sha256:
        raise RuntimeError(f"stored copy of {model_path} does not match its sha256")
    return str(saved.tag)
