"""The champion: promotion in the registry, then the champion packaged as a BentoML bento."""

import time

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import RunTags
from ct_assets.release import deployable, holdout_sample, infra_validate, package


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    infra = dg.AssetCheckSpec(
        "infra_validation", asset=m.key("champion_bento"), blocking=True,
        description="The built bento served on a free local port answers with the in-process "
                    "model's scores on holdout records (1e-9); a failure keeps it undeployable.")

    @dg.asset(key=m.key("champion_model"), io_manager_key=m.io_manager_key,
              ins={"contender_evaluation": dg.AssetIn(m.key("contender_evaluation"))},
              group_name=m.group("champion"), kinds={"duckdb"}, output_required=False)
    def champion_model(context: dg.AssetExecutionContext, contender_evaluation: dict):
        """The model that serves: the contender that just passed the gates, promoted in one
        transaction.

        The registry's alias history records who was champion from when, why, and which run
        made the change; the previous champion is archived, not deleted, so rollback is one
        command. Not materialized when the gates rejected the contender (the champion stays;
        the run succeeds, and `champion_bento` is skipped).
        """
        if not contender_evaluation["passed"]:
            context.log.info(f"{contender_evaluation['version']} rejected, champion "
                             f"{contender_evaluation['champion'] or 'none'} stays: "
                             f"{contender_evaluation['reason']}")
            return
        version = contender_evaluation["version"]
        reason = f"{RunTags.from_tags(context.run.tags).trigger}: {contender_evaluation['reason']}"
        with m.registry() as reg:
            record = reg.get(version)
            reg.promote(version, record.cutoff, reason, context.run_id)
        yield dg.Output(version, metadata={
            "version": version, "previous": contender_evaluation["champion"] or "none",
            "cutoff": str(record.cutoff), record.metric: record.metrics[record.metric],
            "reason": reason,
        })

    @dg.asset(key=m.key("champion_bento"),
              ins={"champion_model": dg.AssetIn(m.key("champion_model"))},
              group_name=m.group("champion"), kinds={"bentoml"}, check_specs=[infra])
    def champion_bento(context: dg.AssetExecutionContext, champion_model: str
                       ) -> dg.MaterializeResult:
        """The champion saved into the home's BentoML model store, built into a bento, and
        proved.

        The bento pins the exact model tag (never `:latest`, which would be resolved again
        when the bento starts), so a bento always serves the model it was built for. Infra
        validation (a blocking check) then serves it on a free local port and compares its
        scores on holdout records with the registry artifact's; only a bento that passes is
        marked deployable, and `ct serve` keeps serving the previous deployable one otherwise.
        """
        started = time.perf_counter()
        with m.registry() as reg:
            record = package(reg, reg.get(champion_model), m.home)
        built = time.perf_counter()
        with m.store() as fs:
            sample = holdout_sample(fs.con, record.cutoff)
        result = infra_validate(record, m.home, sample)  # no DuckDB connection held meanwhile
        with m.registry() as reg:
            reg.update(record.version, deployable=bool(result["ok"]))
            served = deployable(reg)
        checked = {k: result[k] for k in ("n", "max_abs_diff", "ready_seconds") if k in result}
        return dg.MaterializeResult(
            metadata={
                "version": record.version, "model_tag": record.model_tag,
                "bento_tag": record.bento_tag, "deployable": bool(result["ok"]),
                "served_version": served.version if served else "none",
                "build_seconds": round(built - started, 1),
                "validation_seconds": round(time.perf_counter() - built, 1),
                "serve": dg.MetadataValue.md(f"`ct serve --home {m.home.root}`"),
            },
            check_results=[dg.AssetCheckResult(
                check_name="infra_validation", passed=bool(result["ok"]),
                severity=dg.AssetCheckSeverity.ERROR, description=result["why"],
                metadata={**checked, "bento_tag": record.bento_tag or "none",
                          "served_version": served.version if served else "none"})])

    return [champion_model, champion_bento]
