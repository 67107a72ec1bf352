"""Releasing a registry version: its BentoML model and a bento pinned to its exact tag, infra
validation of that bento, and only then the champion alias, in one registry transaction.

A release either completes (a champion with a bento that was served and answered like the
in-process model) or changes nothing about who is champion: a kill at any instruction before
the last transaction leaves the previous champion serving, and a bento that fails validation is
recorded as not deployable and never becomes champion. Before anything is built the version's
model file is checked against its recorded sha256, and a damaged file, or a build that fails,
ends the release with its reason and nothing written. The pipeline (`champion_model` /
`champion_bento`) and `ct registry promote / rollback` release through this one function;
`repair` rebuilds and validates the bento of the current champion in place. It sits above the
registry and serving, which know nothing of each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.registry import ModelVersion, Registry
from ct_assets.serving import build_bento, save_champion, training_info
from ct_assets.serving.verify import artifact_problem, verify_bento

SAMPLE_ROWS = 200
OpenRegistry = Callable[[], AbstractContextManager[Registry]]


@dataclass(frozen=True)
class Release:
    ok: bool
    why: str
    record: ModelVersion  #: the version as it stands after the release (or the attempt)
    previous: str | None
    checked: dict  #: what infra validation measured (n, max_abs_diff, ready_seconds)
    stage: str = "validate"  #: where it ended: "package" (nothing written) or "validate"


def release(open_registry: OpenRegistry, version: str, home: Home, sample, day: dt.date,
            reason: str, run_id: str | None = None) -> Release:
    """Package `version`, validate its bento on `sample`, then make it champion from `day`.

    The registry is opened only to read the version and, at the end, to write the outcome: no
    connection is held while the bento builds and serves (a minute, at worst).
    """
    with open_registry() as reg:
        record, current = reg.get(version), reg.champion()
    previous = current.version if current else None
    try:
        model_tag, bento_tag = package(record, home)
    except Exception as exc:  # a damaged artifact or a failed build: nothing is written
        return Release(False, str(exc)[:1500], record, previous, {}, "package")
    result = infra_validate(record, home, sample, bento_tag)
    tags = {"model_tag": model_tag, "bento_tag": bento_tag, "deployable": bool(result["ok"])}
    with open_registry() as reg:
        if result["ok"] and record.status == "champion":
            reg.update(version, **tags)  # a repair: the alias stays where it is
        elif result["ok"]:
            reg.promote(version, day, reason, run_id, **tags)
        else:
            reg.update(version, **tags)
        record = reg.get(version)
    checked = {k: result[k] for k in ("n", "max_abs_diff", "ready_seconds") if k in result}
    return Release(bool(result["ok"]), result["why"], record, previous, checked)


def package(record: ModelVersion, home: Home) -> tuple[str, str]:
    """`record` saved into the home's BentoML store and built into a bento: (model, bento) tags.

    Raises ValueError when the version's model file is not the one the registry recorded.
    Both tags are reused when the record holds them and the bento is whole (a retry); a bento
    or stored model that went bad is built again from the registry's artifact."""
    problem = artifact_problem(record, home.root)
    if problem:
        raise ValueError(problem)
    if record.model_tag and record.bento_tag and bento_whole(record, home):
        return record.model_tag, record.bento_tag
    model_tag = save_champion(record.artifact(home.root), record.version, record.feature_schema,
                              record.sha256, record.metrics, home.bentoml,
                              training=training_info(record))
    return model_tag, build_bento(model_tag, home.bentoml)


def bento_whole(record: ModelVersion, home: Home) -> bool:
    """Whether ``record``'s bento and the model it pins are intact (`verify_bento`)."""
    try:
        verify_bento(record.bento_tag, home.bentoml, record.sha256)
    except CTError:
        return False
    return True


def holdout_sample(con, cutoff, n: int = SAMPLE_ROWS):
    """Up to ``n`` feature rows of the newest day at or before ``cutoff`` (the holdout's end)."""
    return con.execute(
        "SELECT * FROM features WHERE day = (SELECT max(day) FROM features WHERE day <= ?) "
        "ORDER BY entity_id LIMIT ?", [cutoff, n]).df()


def infra_validate(record: ModelVersion, home: Home, sample, bento_tag: str, *,
                   timeout: float = 90.0) -> dict:
    """TFX InfraValidator's job: serve the bento on a free local port, score ``sample`` over
    HTTP, compare with the registry artifact scored in process (1e-9), stop it.

    Never raises: ``ok`` False with ``why`` says what failed (no bento, a server that does not
    start or become ready, a refused request, different scores, another model version).
    """
    from ct_assets.serving.build import bento_exists
    from ct_assets.serving.probe import probe
    from ct_assets.training import TrainedModel

    if not bento_exists(bento_tag, home.bentoml):
        return {"ok": False, "why": f"no bento for {record.version} in {home.bentoml}"}
    if len(sample) == 0:
        return {"ok": False, "why": "no sample rows to validate with"}
    schema = record.feature_schema
    features = list(schema["numeric"]) + list(schema["categorical"])
    try:
        expected = TrainedModel.load(record.artifact(home.root), schema).predict(sample)
        result = probe(bento_tag, home.bentoml, sample, expected, features, atol=1e-9,
                       timeout=timeout)
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
    """The version `ct serve` serves: the champion, whose bento was validated before it became
    champion (or, in a home made before releases were one step, the newest champion whose
    bento did not fail validation)."""
    return deployable_of([entry["version"] for entry in reg.history()], reg.get)


def deployable_of(champions: list[str], get) -> ModelVersion | None:
    """`deployable` over a champion history (oldest first) and a way to `get` each record."""
    for version in dict.fromkeys(reversed(champions)):
        record = get(version)
        if record.bento_tag and record.deployable is not False:
            return record
    return None
