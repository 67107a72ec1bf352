"""Evaluation: contender and champion scored on the same holdout, and the promotion gates."""

import dagster as dg

from ct_assets.defs.training import contender_model, training_set
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource
from ct_assets.training import TrainedModel, evaluate, promotion_gates
from ct_assets.training.snapshots import holdout_split, load_snapshot

GATES = dg.AssetCheckSpec(
    "promotion_gates", asset="contender_evaluation", blocking=True,
    description="Floor and minimum improvement over the champion; blocks promotion on failure.")


@dg.asset(ins={"training_set": dg.AssetIn(training_set.key),
               "contender_model": dg.AssetIn(contender_model.key)},
          group_name="evaluation", kinds={"sklearn"}, check_specs=[GATES])
def contender_evaluation(context: dg.AssetExecutionContext, training_set: dict,
                         contender_model: str, project: ProjectResource,
                         store: FeatureStoreResource, registry: RegistryResource):
    """The contender against the champion of the day, on the same most recent labelled holdout.

    Neither model trained on these rows. The promotion gates are a blocking check: a contender
    that fails them stops here, is recorded as rejected with the failing gate, and the champion
    stays.
    """
    settings = project.settings
    with store.open() as fs:
        _, holdout = holdout_split(load_snapshot(fs.con, training_set), settings.holdout_days)
    with registry.open() as reg:
        contender, champion = reg.get(contender_model), reg.champion()
        scores = {"contender": _score(contender, holdout, settings.task)}
        if champion is not None:
            scores["champion"] = _score(champion, holdout, settings.task)
        metric = settings.metric
        decision = promotion_gates(
            metric, scores["contender"][metric],
            scores["champion"][metric] if champion else None,
            settings.gate_floor, settings.gate_min_improvement)
        reg.update(contender.version, metrics=scores["contender"],
                   champion_metrics=scores.get("champion"),
                   gate={"passed": decision.passed, **decision.gates, "reason": decision.reason},
                   status="contender" if decision.passed else "rejected")
    result = {"version": contender.version, "passed": decision.passed,
              "reason": decision.reason, "champion": champion.version if champion else None}
    yield dg.Output(result, metadata={
        "contender_version": contender.version,
        "champion_version": champion.version if champion else "none",
        f"contender_{metric}": scores["contender"][metric],
        f"champion_{metric}": scores["champion"][metric] if champion else None,
        "holdout_rows": len(holdout), "decision": decision.reason,
    })
    yield dg.AssetCheckResult(
        check_name="promotion_gates", passed=decision.passed,
        severity=dg.AssetCheckSeverity.ERROR, description=decision.reason,
        metadata={name: ok for name, ok in decision.gates.items()})


def _score(record, holdout, task: str) -> dict:
    model = TrainedModel.load(record.artifact_path, record.feature_schema)
    return evaluate(holdout["label"], model.predict(holdout), task)
