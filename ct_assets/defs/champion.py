"""The champion: promotion in the registry, then the champion packaged as a BentoML bento."""

import time

import dagster as dg

from ct_assets.defs.evaluation import contender_evaluation
from ct_assets.registry.packaging import deployable, holdout_sample, infra_validate, package
from ct_assets.resources import FeatureStoreResource, ProjectResource, RegistryResource

INFRA = dg.AssetCheckSpec(
    "infra_validation", asset="champion_bento", blocking=True,
    description="The built bento served on a free local port answers with the in-process "
                "model's scores on holdout records (1e-9); a failure keeps it undeployable.")


@dg.asset(ins={"contender_evaluation": dg.AssetIn(contender_evaluation.key)},
          group_name="champion", kinds={"duckdb"}, output_required=False)
def champion_model(context: dg.AssetExecutionContext, contender_evaluation: dict,
                   registry: RegistryResource):
    """The model that serves: the contender that just passed the gates, promoted in one transaction.

    The registry's alias history records who was champion from when, why, and which run made
    the change; the previous champion is archived, not deleted, so rollback is one command.
    Not materialized when the gates rejected the contender (the champion stays; the run
    succeeds, and `champion_bento` is skipped).
    """
    if not contender_evaluation["passed"]:
        context.log.info(f"{contender_evaluation['version']} rejected, champion "
                         f"{contender_evaluation['champion'] or 'none'} stays: "
                         f"{contender_evaluation['reason']}")
        return
    version = contender_evaluation["version"]
    tags = context.run.tags
    reason = f"{tags.get('ct/trigger', 'manual')}: {contender_evaluation['reason']}"
    with registry.open() as reg:
        record = reg.get(version)
        reg.promote(version, record.cutoff, reason, context.run_id)
    yield dg.Output(version, metadata={
        "version": version, "previous": contender_evaluation["champion"] or "none",
        "cutoff": str(record.cutoff), record.metric: record.metrics[record.metric],
        "reason": reason,
    })


@dg.asset(ins={"champion_model": dg.AssetIn(champion_model.key)}, group_name="champion",
          kinds={"bentoml"}, check_specs=[INFRA])
def champion_bento(context: dg.AssetExecutionContext, champion_model: str,
                   project: ProjectResource, registry: RegistryResource,
                   store: FeatureStoreResource) -> dg.MaterializeResult:
    """The champion saved into the home's BentoML model store, built into a bento, and proved.

    The bento pins the exact model tag (never `:latest`, which would be resolved again when the
    bento starts), so a bento always serves the model it was built for. Infra validation (a
    blocking check) then serves it on a free local port and compares its scores on holdout
    records with the registry artifact's; only a bento that passes is marked deployable, and
    `ct serve` keeps serving the previous deployable one otherwise.
    """
    paths = project.paths
    started = time.perf_counter()
    with registry.open() as reg:
        record = package(reg, reg.get(champion_model), paths)
    built = time.perf_counter()
    with store.open() as fs:
        sample = holdout_sample(fs.con, record.cutoff)
    result = infra_validate(record, paths, sample)  # no DuckDB connection held meanwhile
    with registry.open() as reg:
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
            "serve": dg.MetadataValue.md(f"`CT_HOME={paths.root} ct serve`"),
        },
        check_results=[dg.AssetCheckResult(
            check_name="infra_validation", passed=bool(result["ok"]),
            severity=dg.AssetCheckSeverity.ERROR, description=result["why"],
            metadata={**checked, "bento_tag": record.bento_tag or "none",
                      "served_version": served.version if served else "none"})])
