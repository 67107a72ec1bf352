"""The champion: promotion in the registry, then the champion packaged as a BentoML bento."""

import time

import dagster as dg

from ct_assets.defs.evaluation import contender_evaluation
from ct_assets.registry.packaging import package
from ct_assets.resources import ProjectResource, RegistryResource


@dg.asset(ins={"contender_evaluation": dg.AssetIn(contender_evaluation.key)},
          group_name="champion", kinds={"duckdb"})
def champion_model(context: dg.AssetExecutionContext, contender_evaluation: dict,
                   registry: RegistryResource) -> dg.Output[str]:
    """The model that serves: the contender that just passed the gates, promoted in one transaction.

    The registry's alias history records who was champion from when, why, and which run made
    the change; the previous champion is archived, not deleted, so rollback is one command.
    """
    version = contender_evaluation["version"]
    tags = context.run.tags
    reason = f"{tags.get('ct/trigger', 'manual')}: {contender_evaluation['reason']}"
    with registry.open() as reg:
        record = reg.get(version)
        reg.promote(version, record.cutoff, reason, context.run_id)
    return dg.Output(version, metadata={
        "version": version, "previous": contender_evaluation["champion"] or "none",
        "cutoff": str(record.cutoff), record.metric: record.metrics[record.metric],
        "reason": reason,
    })


@dg.asset(ins={"champion_model": dg.AssetIn(champion_model.key)}, group_name="champion",
          kinds={"bentoml"})
def champion_bento(context: dg.AssetExecutionContext, champion_model: str,
                   project: ProjectResource, registry: RegistryResource) -> dg.MaterializeResult:
    """The champion saved into the home's BentoML model store and built into a bento.

    The bento pins the exact model tag (never `:latest`, which would be resolved again when the
    bento starts), so a bento always serves the model it was built for.
    """
    paths = project.paths
    started = time.perf_counter()
    with registry.open() as reg:
        record = package(reg, reg.get(champion_model), paths)
    return dg.MaterializeResult(metadata={
        "version": record.version, "model_tag": record.model_tag, "bento_tag": record.bento_tag,
        "build_seconds": round(time.perf_counter() - started, 1),
        "serve": dg.MetadataValue.md(f"`CT_HOME={paths.root} ct serve`"),
    })
