"""The contender: a LightGBM model trained on the chosen window of the training set."""

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import RunTags
from ct_assets.registry import ModelVersion
from ct_assets.training.fit_cache import cached_fit
from ct_assets.training.reference import reference_profiles
from ct_assets.training.snapshots import load_snapshot, split_at
from ct_assets.training.windows import choose_window, rows_in_window


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("contender_model"), io_manager_key=m.io_manager_key,
              ins={"training_set": dg.AssetIn(m.key("training_set"))},
              group_name=m.group("training"), kinds={"lightgbm"}, output_required=False)
    def contender_model(context: dg.AssetExecutionContext, training_set: dict):
        """A LightGBM model trained on the training set minus its holdout, with native
        categorical features, early stopping on a time-ordered validation slice and fixed seeds.

        With the dynamic window every candidate window is trained and scored on the holdout; a
        shorter one wins only by more than the holdout's noise. The contender is recorded in
        the registry with its lineage: cutoff, window, snapshot id, feature version, the
        reference profile drift monitoring compares periods with, the artifact's sha256 and
        this run. Not materialized when the training set has a problem (its metadata says
        which).
        """
        if training_set["problem"]:
            context.log.warning(f"no contender: {training_set['problem']}")
            context.instance.add_run_tags(context.run_id, RunTags.outcome_tag(
                f"no contender: {training_set['problem']}"[:250]))
            return
        settings, feature_set = m.settings, m.source.feature_set
        with m.store() as fs:
            snapshot = load_snapshot(fs.con, training_set, context.run_id)
        train, holdout = split_at(snapshot.frame, training_set["holdout_start"])
        if settings.window == "dynamic":
            choice = choose_window(train, holdout, settings.candidate_windows,
                                   feature_set.schema, settings.task, settings.metric,
                                   settings.min_train_rows, threads=settings.train_threads,
                                   cache=settings.fit_cache)
            model, window, why = choice.model, choice.days, choice.reason
            scores = {("all" if d == 0 else f"{d}d"): round(v, 4)
                      for d, v in choice.scores.items()}
        else:
            model = cached_fit(settings.fit_cache, train, feature_set.schema, settings.task,
                               threads=settings.train_threads)
            window, why, scores = snapshot.window_days, "fixed window", {}
        used = rows_in_window(train, holdout["event_ts"].min(), window)
        tags = RunTags.from_tags(context.run.tags)
        with m.registry() as reg:
            version, _ = reg.next_version()
            path = m.home.models / version / "model.txt"
            sha = model.save(path)
            reg.register(ModelVersion(
                version=version, task=settings.task, metric=settings.metric,
                cutoff=snapshot.cutoff, window_days=window,
                window_start=used["event_ts"].min().date(), snapshot_id=snapshot.snapshot_id,
                feature_version=snapshot.feature_version, n_rows=len(used),
                feature_schema=model.schema,
                profile=reference_profiles(model, holdout, feature_set.monitored,
                                           feature_set.calendar),
                artifact_path=str(path.relative_to(m.home.root)), sha256=sha,
                run_id=context.run_id,
                trigger=tags.trigger, reason=tags.reason))
        top = sorted(model.importances().items(), key=lambda kv: -kv[1])[:5]
        yield dg.Output(version, metadata={
            "version": version, "window_days": window, "window_choice": why,
            "candidate_scores": scores, "train_rows": len(used), "holdout_rows": len(holdout),
            "best_iteration": model.booster.best_iteration, "sha256": sha,
            "top_features": ", ".join(f"{k} ({v:.2f})" for k, v in top),
        })

    return [contender_model]
