"""Evaluation: contender and champion scored on the same holdout, and the promotion gates."""

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import RunTags
from ct_assets.training import TrainedModel, evaluate, promotion_gates
from ct_assets.training.bootstrap import paired_improvement
from ct_assets.training.snapshots import load_snapshot, split_at


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    gates = dg.AssetCheckSpec(
        "promotion_gates", asset=m.key("contender_evaluation"),
        description="Floor, minimum change over the champion and its bootstrap lower bound. A "
                    "contender that fails them is rejected (a warning, not an error: the "
                    "retrain worked and kept the champion) and `champion_model` is not "
                    "materialized.")

    @dg.asset(key=m.key("contender_evaluation"), io_manager_key=m.io_manager_key,
              ins={"training_set": dg.AssetIn(m.key("training_set")),
                   "contender_model": dg.AssetIn(m.key("contender_model"))},
              group_name=m.group("evaluation"), kinds={"sklearn", "scipy"}, check_specs=[gates])
    def contender_evaluation(context: dg.AssetExecutionContext, training_set: dict,
                             contender_model: str):
        """The contender against the champion of the day, on the same most recent labelled
        holdout.

        Neither model trained on these rows. Binary tasks report ROC AUC, PR AUC, log loss and
        Brier; regression RMSE and MAE. The promotion gates decide: a contender that fails them
        is recorded as rejected with the failing gate, the champion stays, and the run still
        succeeds (a rejection is the loop working; a red run always means something broke).
        """
        settings, metric = m.settings, m.settings.metric
        with m.store() as fs:
            _, holdout = split_at(load_snapshot(fs.con, training_set).frame,
                                  training_set["holdout_start"])
        with m.registry() as reg:
            contender, champion = reg.get(contender_model), reg.champion()
            preds = {"contender": _predict(contender, m.home, holdout)}
            if champion is not None:
                preds["champion"] = _predict(champion, m.home, holdout)
            scores = {who: evaluate(holdout["label"], p, settings.task)
                      for who, p in preds.items()}
            improvement = None if champion is None else paired_improvement(
                metric, holdout["label"], preds["contender"], preds["champion"],
                confidence=settings.gate_confidence, resamples=settings.bootstrap_resamples)
            decision = promotion_gates(
                metric, scores["contender"][metric],
                scores["champion"][metric] if champion else None, settings.gate_floor,
                settings.gate_min_improvement, settings.gate_min_relative_improvement,
                improvement)
            reg.update(contender.version, metrics=scores["contender"],
                       champion_metrics=scores.get("champion"),
                       gate={"passed": decision.passed, **decision.gates,
                             "reason": decision.reason,
                             "lower_bound": improvement.low if improvement else None},
                       status="contender" if decision.passed else "rejected")
        outcome = f"{contender.version} " + ("passed the gates" if decision.passed else (
            f"rejected, keeps {champion.version}" if champion else "rejected, no champion yet"))
        context.instance.add_run_tags(context.run_id, RunTags.outcome_tag(outcome))
        yield dg.Output(
            {"version": contender.version, "passed": decision.passed, "reason": decision.reason,
             "champion": champion.version if champion else None},
            metadata={"contender_version": contender.version,
                      "champion_version": champion.version if champion else "none",
                      **{f"contender_{k}": v for k, v in scores["contender"].items()},
                      **{f"champion_{k}": v for k, v in scores.get("champion", {}).items()},
                      "holdout_rows": len(holdout), "outcome": outcome,
                      "decision": decision.reason})
        yield dg.AssetCheckResult(
            check_name="promotion_gates", passed=decision.passed,
            severity=dg.AssetCheckSeverity.WARN, description=decision.reason,
            metadata={**decision.gates, "change": improvement.value if improvement else 0.0,
                      "lower_bound": improvement.low if improvement else 0.0})

    return [contender_evaluation]


def _predict(record, home, holdout):
    return TrainedModel.load(record.artifact(home.root), record.feature_schema).predict(holdout)
