"""The champion: the contender that passed the gates, packaged as a BentoML bento, proved by
serving it, and only then made champion, in one step."""

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.graph.refit import refit_version
from ct_assets.records import RunTags
from ct_assets.release import deployable, holdout_sample, release

MODEL = """The model that serves: the contender that just passed the gates, refit on every
label known at its cutoff with the window the holdout chose (the holdout's own labels
included), made champion in one registry transaction once its bento passed infra validation.

The registry's alias history records who was champion from when, why, and which run made the
change; the previous champion is archived, not deleted, so rollback is one command. Not
materialized when the gates rejected the contender (the run succeeds, the champion stays) or
when its bento failed validation (the run fails: something broke; the champion stays)."""

BENTO = """The champion saved into the home's BentoML model store and built into a bento pinned
to its exact model tag (never `:latest`, which would be resolved again when the bento starts).

Infra validation (a blocking check) serves the bento on a free local port and compares its
scores on holdout records with the registry artifact's before the alias moves, so a champion
always has a bento that serves it; a bento that fails is recorded as not deployable."""


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    infra = dg.AssetCheckSpec(
        "infra_validation", asset=m.key("champion_bento"), blocking=True,
        description="The built bento served on a free local port answers with the in-process "
                    "model's scores on holdout records (1e-9); only then does the alias move.")

    @dg.multi_asset(  # can_subset: its check is optional too (no release, no validation)
        name=m.named("champion"), group_name=m.group("champion"), check_specs=[infra],
        can_subset=True,
        ins={"contender_evaluation": dg.AssetIn(m.key("contender_evaluation"))},
        specs=[dg.AssetSpec(m.key("champion_model"), description=MODEL, kinds={"duckdb"},
                            skippable=True, deps=[m.key("contender_evaluation")]),
               dg.AssetSpec(m.key("champion_bento"), description=BENTO, kinds={"bentoml"},
                            skippable=True, deps=[m.key("champion_model")])])
    def champion(context: dg.AssetExecutionContext, contender_evaluation: dict):
        if len(context.selected_asset_keys) < 2:
            raise dg.Failure("champion_model and champion_bento are released together: "
                             "select both")
        version = contender_evaluation["version"]
        if not contender_evaluation["passed"]:
            context.log.info(f"{version} rejected, champion "
                             f"{contender_evaluation['champion'] or 'none'} stays: "
                             f"{contender_evaluation['reason']}")
            return
        reason = f"{RunTags.from_tags(context.run.tags).trigger}: {contender_evaluation['reason']}"
        fitted = refit_version(m, version, contender_evaluation["training_set"],
                               context.run_id)
        with m.registry() as reg:
            cutoff = reg.get(version).cutoff
            if not m.settings.package_champions:  # a backtest: the alias alone, no bento
                previous = reg.champion()
                reg.promote(version, cutoff, reason, context.run_id)
                context.instance.add_run_tags(context.run_id, RunTags.outcome_tag(
                    f"{version} promoted, replaces {previous.version if previous else 'none'}"
                    " (not packaged: package_champions is off)"))
                yield dg.MaterializeResult(asset_key=m.key("champion_model"), metadata={
                    "version": version, "cutoff": str(cutoff), "reason": reason,
                    "previous": previous.version if previous else "none", **fitted})
                return
        with m.store() as fs:
            sample = holdout_sample(fs.con, cutoff)
        done = release(m.registry, version, m.home, sample, cutoff, reason, context.run_id)
        record = done.record
        with m.registry() as reg:
            served = deployable(reg)
        check = dg.AssetCheckResult(
            check_name="infra_validation", asset_key=m.key("champion_bento"), passed=done.ok,
            severity=dg.AssetCheckSeverity.ERROR, description=done.why,
            metadata={**done.checked, "bento_tag": record.bento_tag or "none",
                      "served_version": served.version if served else "none"})
        context.instance.add_run_tags(context.run_id, RunTags.outcome_tag(
            f"{version} promoted, replaces {done.previous or 'none'}" if done.ok else
            f"{version} refused: its bento failed infra validation, keeps "
            f"{served.version if served else 'none'}"))
        if not done.ok:
            yield check  # blocking: the run fails, the alias never moved
            return
        yield dg.MaterializeResult(asset_key=m.key("champion_model"), metadata={
            "version": version, "previous": done.previous or "none", "cutoff": str(cutoff),
            record.metric: record.metrics[record.metric], "reason": reason, **fitted})
        yield dg.MaterializeResult(asset_key=m.key("champion_bento"), metadata={
            "version": version, "model_tag": record.model_tag, "bento_tag": record.bento_tag,
            "serve": dg.MetadataValue.md(f"`ct serve --home {m.home.root}`")},
            check_results=[check])

    return [champion]
