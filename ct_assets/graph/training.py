"""Training: a point-in-time training set at a cutoff."""

import datetime as dt

import dagster as dg
from pydantic import Field

from ct_assets.graph.model import ModelGraph
from ct_assets.store import point_in_time
from ct_assets.store.point_in_time import ALL_HISTORY
from ct_assets.training.snapshots import plan_holdout, problems, remember, split_at


class TrainingConfig(dg.Config):
    cutoff: str = Field("", description="Last data day (ISO date); empty means the newest day.")
    window_days: int = Field(-1, description="Days of history (0: all); -1 means the settings'.")


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("training_set"), io_manager_key=m.io_manager_key, deps=[m.key("features")],
              group_name=m.group("training"), kinds={"duckdb", "pandas"})
    def training_set(context: dg.AssetExecutionContext, config: TrainingConfig) -> dg.Output[dict]:
        """The rows a contender may learn from: events before the cutoff whose labels were
        known by it.

        Labels that arrive after the cutoff are invisible here, exactly as they were in
        production on that day. The most recent days form the holdout (widened until it has
        enough labelled rows). The output is the snapshot's recipe; the rows stay in the
        feature store, are rebuilt from it, and are recorded under their snapshot id. A set no
        model can be trained from says why in `problem`, and the retrain stops there with the
        champion unchanged.
        """
        settings = m.settings
        window = config.window_days if config.window_days >= 0 else (
            settings.window_days if settings.window == "fixed"
            else (ALL_HISTORY if ALL_HISTORY in settings.candidate_windows
                  else max(settings.candidate_windows)))
        with m.store() as fs:
            days = fs.days("features")
            if not days:
                raise dg.Failure("the feature store is empty: materialize `features` first")
            cutoff = dt.date.fromisoformat(config.cutoff) if config.cutoff else days[-1]
            snapshot = remember(point_in_time(fs.con, cutoff, window,
                                              m.source.feature_set.version), context.run_id)
            holdout_start = plan_holdout(snapshot.frame, cutoff, settings.holdout_days,
                                         settings.min_holdout_rows,
                                         settings.min_holdout_positives,
                                         settings.min_train_rows)
            fs.record_snapshot(snapshot, holdout_start)
        train, holdout = split_at(snapshot.frame, holdout_start)
        described = "all history" if window == ALL_HISTORY else f"the last {window} days"
        problem = problems(train, holdout, f"{described} to {cutoff}", settings.task,
                           settings.min_train_rows)
        if problem:
            context.log.warning(f"no contender: {problem}")
        recipe = {"cutoff": str(cutoff), "window_days": window,
                  "snapshot_id": snapshot.snapshot_id,
                  "feature_version": snapshot.feature_version,
                  "holdout_start": str(holdout_start), "problem": problem}
        return dg.Output(recipe, metadata={
            **{k: v for k, v in recipe.items() if v is not None}, "rows": len(snapshot.frame),
            "train_rows": len(train), "holdout_rows": len(holdout),
            "positives": int(snapshot.frame["label"].sum()) if len(snapshot.frame) else 0,
            "window_start": str(snapshot.window_start), "status": problem or "ok",
        })

    return [training_set]
