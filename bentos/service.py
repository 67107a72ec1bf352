"""BentoML service that serves the ct-assets champion (a LightGBM model).

Self-contained: the bento ships only this folder, so no ct_assets import. The model is
pinned by its exact tag in ``pinned_model.json`` (written by ``build_bento``) and the
artifact's sha256 is checked before the service takes traffic. The feature schema comes
from the model's metadata. The service never opens the feature store database.

Endpoints: ``POST /predict``, ``GET /metadata``; ``/livez``, ``/readyz``, ``/metrics``
come from BentoML.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
import typing as t
import uuid
from pathlib import Path
from typing import Annotated

import bentoml
import numpy as np
from pydantic import (
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from typing_extensions import TypedDict

# lightgbm (which pulls in scipy/sklearn, ~2 s) and pandas are imported where they are used:
# `bentoml build` and the `bentoml serve` parent process import this module but never score.
if t.TYPE_CHECKING:
    import pandas as pd

PINNED_FILE = Path(__file__).with_name("pinned_model.json")
if not PINNED_FILE.exists():
    raise RuntimeError(
        f"{PINNED_FILE.name} not found: build the bento with ct_assets.serving.build_bento"
    )
PINNED: dict[str, str] = json.loads(PINNED_FILE.read_text())
if PINNED["model_tag"].endswith(":latest") or ":" not in PINNED["model_tag"]:
    raise RuntimeError("pinned_model.json must name an exact model tag")
MAX_BATCH = int(os.environ.get("CT_MAX_BATCH", "10000"))
LOG_DIR = os.environ.get("CT_PREDICTION_LOG_DIR")  # opt-in prediction log (JSON lines)

UNSEEN = bentoml.metrics.Counter(
    name="ct_unseen_category_total",
    documentation="Categorical values not seen in training, scored as missing",
    labelnames=["feature"],
)
SCORED = bentoml.metrics.Counter(name="ct_scored_records_total", documentation="Records scored")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _loc(loc: tuple[t.Any, ...]) -> str:
    out = "records"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _category_type(cats: list[t.Any]) -> t.Any:
    if cats and all(isinstance(c, int) and not isinstance(c, bool) for c in cats):
        return StrictInt | None
    if cats and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cats):
        return StrictFloat | None
    return StrictStr | None


def _record_adapter(numeric: list[str], categorical: dict[str, list[t.Any]]) -> TypeAdapter:
    """Validator of the records: every feature present, nothing else, null allowed (= missing).
    Numbers: JSON int or float (not bool, not string). Categories: strings (or numbers when
    the model was trained on numeric categories)."""
    fields: dict[str, t.Any] = {c: StrictFloat | None for c in numeric}
    fields.update({col: _category_type(cats) for col, cats in categorical.items()})
    record = TypedDict("Record", fields)  # type: ignore[misc]
    record.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[attr-defined]
    return TypeAdapter(Annotated[list[record], Field(min_length=1, max_length=MAX_BATCH)])


def _import_lightgbm() -> t.Any:
    """Import lightgbm without scikit-learn: lightgbm imports it (~1 s) only for its sklearn
    wrappers, and Booster.predict never uses them (lightgbm supports sklearn being absent)."""
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


async def metadata_view(_: Request) -> JSONResponse:
    return JSONResponse(bentoml.get_current_service().describe())


@bentoml.service(name="ct_champion_service", workers=1, traffic={"timeout": 60})
@bentoml.asgi_app(Starlette(routes=[Route("/metadata", metadata_view, methods=["GET"])]), path="/")
class ChampionService:
    model_ref = bentoml.models.BentoModel(PINNED["model_tag"])

    def __init__(self) -> None:
        stored = self.model_ref
        if str(stored.tag) != PINNED["model_tag"]:
            raise RuntimeError(f"resolved {stored.tag}, pinned {PINNED['model_tag']}")
        meta = stored.info.metadata
        path = stored.path_of(meta.get("file", "model.txt"))
        digest = sha256_file(path)
        if digest != PINNED["sha256"] or digest != meta.get("sha256"):
            raise RuntimeError(f"artifact sha256 mismatch for {stored.tag}: refusing to serve")
        self.booster = _import_lightgbm().Booster(model_file=path)
        self.schema: dict[str, t.Any] = meta["schema"]
        self.version: str = meta["ct_version"]
        self.feature_version: str = meta.get("feature_version") or self.schema.get(
            "feature_version", ""
        )
        self.metrics: dict[str, t.Any] = meta.get("metrics", {})
        self.features: list[str] = self.booster.feature_name()
        pandas_cats = self.booster.pandas_categorical or []
        cat_cols = [c for c in self.features if c in set(self.schema.get("categorical", []))]
        if len(cat_cols) != len(pandas_cats):
            raise RuntimeError(
                "schema categorical columns do not match the model's pandas_categorical"
            )
        self.categories = {c: list(cats) for c, cats in zip(cat_cols, pandas_cats, strict=True)}
        numeric = [c for c in self.features if c not in self.categories]
        declared = set(self.schema.get("numeric", [])) | set(self.categories)
        if declared != set(self.features):
            raise RuntimeError("schema features do not match the model's feature names")
        self.adapter = _record_adapter(numeric, self.categories)
        self.tag = str(stored.tag)

    def describe(self) -> dict[str, t.Any]:
        return {
            "model_version": self.version,
            "model_tag": self.tag,
            "feature_version": self.feature_version,
            "schema": self.schema,
            "features": self.features,
            "metrics": self.metrics,
            "sha256": PINNED["sha256"],
            "max_batch": MAX_BATCH,
        }

    def frame(self, rows: list[dict[str, t.Any]]) -> tuple[pd.DataFrame, dict[str, int]]:
        import pandas as pd

        cols: dict[str, t.Any] = {}
        unseen: dict[str, int] = {}
        for c in self.features:
            values = [r[c] for r in rows]
            if c in self.categories:
                col = pd.Categorical(values, categories=self.categories[c])
                n = int(((col.codes == -1) & pd.notna(np.asarray(values, dtype=object))).sum())
                if n:
                    unseen[c] = n
                    UNSEEN.labels(feature=c).inc(n)
                cols[c] = col
            else:
                cols[c] = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
        return pd.DataFrame(cols, columns=self.features), unseen

    @bentoml.api(route="/predict")
    def predict(self, records: list[dict[str, t.Any]], ctx: bentoml.Context) -> dict[str, t.Any]:
        try:
            rows = self.adapter.validate_python(records)
        except ValidationError as e:  # same shape as BentoML's own 400s; never echoes input values
            ctx.response.status_code = 400
            errors = e.errors(include_url=False, include_context=False, include_input=False)
            return {
                "error": f"{len(errors)} validation error(s) in records",
                "detail": [
                    {
                        "type": x["type"],
                        "loc": ["records", *x["loc"]],
                        "field": _loc(x["loc"]),
                        "msg": x["msg"],
                    }
                    for x in errors[:100]
                ],
            }
        df, unseen = self.frame(rows)
        scores = self.booster.predict(df)
        SCORED.inc(len(rows))
        result = {
            "scores": scores.tolist(),
            "model_version": self.version,
            "feature_version": self.feature_version,
            "unseen_categories": unseen,
        }
        if LOG_DIR:
            self.log(rows, result["scores"])
        return result

    def log(self, rows: list[dict[str, t.Any]], scores: list[float]) -> None:
        """Append one JSON line per record (NaN/inf as null) to a per-day, per-worker file."""
        ts, rid = time.time(), uuid.uuid4().hex

        def clean(v: t.Any) -> t.Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        lines = "".join(
            json.dumps(
                {
                    "ts": ts,
                    "request_id": rid,
                    "model_version": self.version,
                    "feature_version": self.feature_version,
                    "score": clean(s),
                    "features": {k: clean(v) for k, v in r.items()},
                }
            )
            + "\n"
            for r, s in zip(rows, scores, strict=True)
        )
        day = time.strftime("%Y-%m-%d", time.gmtime(ts))
        Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
        with open(
            Path(LOG_DIR) / f"predictions-{day}-{os.getpid()}.jsonl", "a", encoding="utf-8"
        ) as f:
            f.write(lines)
