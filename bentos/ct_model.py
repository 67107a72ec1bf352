"""Loading the pinned champion, and the checks it must pass before the service takes traffic.

Why here and not at request time: a bento must serve exactly the model it was built for. The
stored artifact's sha256 must equal the one pinned at build time (and the registry's, copied
into the model's metadata). Then a sanity prediction must reproduce the scores LightGBM's own
pandas path gave at build time. A failure of either leaves the service alive but never ready
(``/readyz`` 503, ``/predict`` 503 with the reason), which is what an orchestrator needs to
keep traffic on the old version; a worker that raised instead would be restarted by BentoML
forever while ``/livez`` and ``/predict`` hang. ``pinned_model.json`` is read at import, and a
damaged one is one clear error (``ct serve`` checks all of this before it starts a server).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import typing as t
from dataclasses import dataclass
from pathlib import Path

from ct_records import Records

PINNED_FILE = Path(__file__).with_name("pinned_model.json")


def read_pinned(path: Path = PINNED_FILE) -> dict[str, t.Any]:
    """The bento's pinned_model.json, checked: an exact model tag and a sha256."""
    try:
        pinned = json.loads(path.read_text())
        tag, sha = pinned["model_tag"], pinned["sha256"]
        ok = isinstance(tag, str) and isinstance(sha, str) and len(sha) == 64
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"{path.name} of this bento is damaged ({type(exc).__name__}); "
                           "rebuild the bento") from None
    if not ok or ":" not in tag or tag.endswith(":latest"):
        raise RuntimeError(f"{path.name} must name an exact model tag and its sha256")
    return pinned


def text_categories(path: str | Path, categorical: list[str]) -> dict[str, list[t.Any]]:
    """Categories per categorical feature, read from a LightGBM text model without loading it
    (for the docs): its ``feature_names=`` order and its ``pandas_categorical:`` line."""
    names: list[str] = []
    cats: list[list[t.Any]] = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"feature_names=") and not names:
                names = line.decode().strip().split("=", 1)[1].split(" ")
            elif line.startswith(b"pandas_categorical:"):
                cats = json.loads(line.split(b":", 1)[1]) or []
    wanted = set(categorical)
    return dict(zip([n for n in names if n in wanted], cats, strict=False))


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_lightgbm() -> t.Any:
    """lightgbm without scikit-learn (~1 s of imports Booster.predict never uses)."""
    if "sklearn" in sys.modules or "lightgbm" in sys.modules:
        import lightgbm
        return lightgbm
    sys.modules["sklearn"] = None  # type: ignore[assignment]  # makes `import sklearn` fail
    try:
        import lightgbm
    finally:
        if sys.modules.get("sklearn", 0) is None:
            del sys.modules["sklearn"]
    return lightgbm


@dataclass
class Champion:
    booster: t.Any
    tag: str
    version: str
    feature_version: str
    features: list[str]
    categories: dict[str, list[t.Any]]
    meta: dict[str, t.Any]


def load(stored: t.Any, pinned: dict[str, t.Any]) -> Champion:
    """The BentoML model ``stored`` as a booster, after checking it is the pinned artifact."""
    if str(stored.tag) != pinned["model_tag"]:
        raise RuntimeError(f"resolved {stored.tag}, pinned {pinned['model_tag']}")
    meta = stored.info.metadata
    path = stored.path_of(meta.get("file", "model.txt"))
    digest = sha256_file(path)
    if digest != pinned["sha256"] or digest != meta.get("sha256"):
        raise RuntimeError(f"artifact sha256 mismatch for {stored.tag}: refusing to serve")
    booster = import_lightgbm().Booster(model_file=path)
    features: list[str] = booster.feature_name()
    schema = meta["schema"]
    cat_cols = [c for c in features if c in set(schema.get("categorical", []))]
    pandas_cats = booster.pandas_categorical or []
    if len(cat_cols) != len(pandas_cats):
        raise RuntimeError("schema categoricals do not match the model's pandas_categorical")
    categories = {c: list(v) for c, v in zip(cat_cols, pandas_cats, strict=True)}
    if set(schema.get("numeric", [])) | set(categories) != set(features):
        raise RuntimeError("schema features do not match the model's feature names")
    feature_version = meta.get("feature_version") or schema.get("feature_version", "")
    return Champion(booster, str(stored.tag), meta["ct_version"], feature_version, features,
                    categories, meta)


def sanity(champion: Champion, records: Records, pinned: dict[str, t.Any]) -> tuple[bool, str]:
    """Score the pinned sanity records through the request path: (ok, what happened)."""
    expected = pinned.get("sanity") or {"records": [dict.fromkeys(champion.features)]}
    try:
        rows = records.validate(json.dumps({"records": expected["records"]}).encode())
        got = champion.booster.predict(records.matrix(rows)[0], num_threads=1).tolist()
    except Exception as exc:  # synthetic records: the message carries no client data
        return False, f"sanity prediction failed ({type(exc).__name__}: {exc})"
    want = expected.get("scores", got)
    diff = max(abs(a - b) for a, b in zip(got, want, strict=True))
    if not all(math.isfinite(s) for s in got) or not diff <= 1e-9:
        return False, f"sanity prediction differs from build time (max |diff| {diff:.3g})"
    return True, f"sanity prediction ok ({len(got)} records, max |diff| {diff:.3g})"
