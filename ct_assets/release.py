"""Releasing a registry version for serving: BentoML model, a bento pinned to its exact tag, and
infra validation of that bento (it sits above the registry and serving, which know nothing of
each other).

One function for the `champion_bento` asset and for `ct registry promote / rollback`, so a
champion promoted by hand is as servable as one promoted by the pipeline.
"""

from __future__ import annotations

from pathlib import Path

from ct_assets.home import Home
from ct_assets.registry import ModelVersion, Registry
from ct_assets.serving import build_bento, save_champion, training_info


def package(reg: Registry, record: ModelVersion, home: Home) -> ModelVersion:
    """Save `record` into the home's BentoML store, build its bento, record both tags."""
    if record.model_tag and record.bento_tag:
        return record
    model_tag = save_champion(Path(record.artifact_path), record.version, record.feature_schema,
                              record.sha256, record.metrics, home.bentoml,
                              training=training_info(record))
    bento_tag = build_bento(model_tag, home.bentoml)
    reg.update(record.version, model_tag=model_tag, bento_tag=bento_tag)
    return reg.get(record.version)


SAMPLE_ROWS = 200


def holdout_sample(con, cutoff, n: int = SAMPLE_ROWS):
    """Up to ``n`` feature rows of the newest day at or before ``cutoff`` (the holdout's end)."""
    return con.execute(
        "SELECT * FROM features WHERE day = (SELECT max(day) FROM features WHERE day <= ?) "
        "ORDER BY entity_id LIMIT ?", [cutoff, n]).df()


def infra_validate(record: ModelVersion, home: Home, sample, *, timeout: float = 90.0) -> dict:
    """TFX InfraValidator's job: serve ``record``'s bento on a free local port, score ``sample``
    over HTTP, compare with the registry artifact scored in process (1e-9), stop it.

    Never raises: ``ok`` False with ``why`` says what failed (no bento, a server that does not
    start or become ready, a refused request, different scores, another model version).
    """
    from ct_assets.serving.build import bento_exists
    from ct_assets.serving.probe import probe
    from ct_assets.training import TrainedModel

    if not record.bento_tag or not bento_exists(record.bento_tag, home.bentoml):
        return {"ok": False, "why": f"no bento for {record.version} in {home.bentoml}"}
    if len(sample) == 0:
        return {"ok": False, "why": "no sample rows to validate with"}
    schema = record.feature_schema
    features = list(schema["numeric"]) + list(schema["categorical"])
    try:
        expected = TrainedModel.load(Path(record.artifact_path), schema).predict(sample)
        result = probe(record.bento_tag, home.bentoml, sample, expected, features,
                       atol=1e-9, timeout=timeout)
    except Exception as exc:  # the server did not start, or the artifact did not load
        return {"ok": False, "why": f"{type(exc).__name__}: {str(exc)[:1500]}"}
    if result["ok"] and result.get("model_version") != record.version:
        result = {**result, "ok": False}
        result["why"] = f"served model {result.get('model_version')}, not {record.version}"
    elif not result["ok"]:
        result["why"] = (f"HTTP {result['status']}: {result.get('error', '')[:500]}"
                         if "status" in result else
                         f"served scores differ by up to {result['max_abs_diff']:.3g} (> 1e-9)")
    else:
        result["why"] = (f"{result['n']} records served equal to in-process scores "
                         f"(max |diff| {result['max_abs_diff']:.1e})")
    return result


def deployable(reg: Registry) -> ModelVersion | None:
    """The version `ct serve` serves: the champion unless its bento failed infra validation,
    else the newest earlier champion whose bento did not fail it."""
    seen = set()
    for entry in reversed(reg.history()):
        if entry["version"] in seen:
            continue
        seen.add(entry["version"])
        record = reg.get(entry["version"])
        if record.bento_tag and record.deployable is not False:
            return record
    return None
