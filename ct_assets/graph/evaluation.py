"""Evaluation: contender and champion scored on the same holdout, and the promotion gates."""

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import RunTags
from ct_assets.training import TrainedModel
from ct_assets.training.judge import judge
from ct_assets.training.snapshots import load_snapshot, split_at


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    gates = dg.AssetCheckSpec(
        "promotion_gates", asset=m.key("contender_evaluation"),
        description="The floor, then the promotion rule against the champion on holdout rows "
                    "it never trained on: non-inferior (not worse by the bootstrap's upper "
                    "bound) by default, or superior. A contender that fails is rejected (a "
                    "warning, not an error: the retrain worked and kept the champion) and "
                    "`champion_model` is not materialized.")

    @dg.asset(key=m.key("contender_evaluation"), io_manager_key=m.io_manager_key,
              ins={"training_set": dg.AssetIn(m.key("training_set")),
                   "contender_model": dg.AssetIn(m.key("contender_model"))},
              group_name=m.group("evaluation"), kinds={"sklearn", "scipy"}, check_specs=[gates])
    def contender_evaluation(context: dg.AssetExecutionContext, training_set: dict,
                             contender_model: str):
        """The contender against the champion of the day, on the same most recent labelled
        holdout.

        The contender never trained on the holdout; the champion is compared only on the
        holdout rows it never trained on either (their event or label came after its cutoff).
        Binary tasks report ROC AUC, PR AUC, log loss and Brier; regression RMSE and MAE. The
        promotion gates decide, by the rule they name (non-inferior by default: newer data
        wins unless the evidence says it is worse): a contender that fails them is recorded as
        rejected with the failing gate, the champion stays, and the run still succeeds (a
        rejection is the loop working; a red run always means something broke).
        """
        settings = m.settings
        with m.store() as fs:
            _, holdout = split_at(load_snapshot(fs.con, training_set, context.run_id).frame,
                                  training_set["holdout_start"])
        with m.registry() as reg:
            contender, champion = reg.get(contender_model), reg.champion()
            verdict = judge(holdout, _predict(contender, m.home, holdout),
                            None if champion is None else _predict(champion, m.home, holdout),
                            champion.cutoff if champion else None, settings)
            decision, bound = verdict.decision, verdict.improvement
            reg.update(contender.version, metrics=verdict.contender,
                       champion_metrics=verdict.champion,
                       gate={"passed": decision.passed, **decision.gates,
                             "reason": decision.reason, "rule": decision.rule,
                             "compared_rows": verdict.compared,
                             "lower_bound": bound.low if bound else None,
                             "upper_bound": bound.high if bound else None},
                       status="contender" if decision.passed else "rejected")
        outcome = f"{contender.version} " + ("passed the gates" if decision.passed else (
            f"rejected, keeps {champion.version}" if champion else "rejected, no champion yet"))
        context.instance.add_run_tags(context.run_id, RunTags.outcome_tag(outcome))
        yield dg.Output(
            {"version": contender.version, "passed": decision.passed, "reason": decision.reason,
             "champion": champion.version if champion else None, "training_set": training_set},
            metadata={"contender_version": contender.version,
                      "champion_version": champion.version if champion else "none",
                      **{f"contender_{k}": v for k, v in verdict.contender.items()},
                      **{f"champion_{k}": v for k, v in (verdict.champion or {}).items()},
                      "holdout_rows": len(holdout), "compared_rows": verdict.compared,
                      "rule": decision.rule, "outcome": outcome, "decision": decision.reason})
        yield dg.AssetCheckResult(
            check_name="promotion_gates", passed=decision.passed,
            severity=dg.AssetCheckSeverity.WARN, description=decision.reason,
            metadata={**decision.gates, "rule": decision.rule,
                      "change": bound.value if bound else 0.0,
                      "lower_bound": bound.low if bound else 0.0,
                      "upper_bound": bound.high if bound else 0.0})

    return [contender_evaluation]


def _predict(record, home, holdout):
    return TrainedModel.load(record.artifact(home.root), record.feature_schema).predict(holdout)
