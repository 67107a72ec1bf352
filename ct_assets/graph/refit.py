"""The champion stage's first step: the contender that passed the gates, refit on every label
known at its cutoff (see `ct_assets.training.refit`), becomes the version's served artifact.

The refit model is written beside the selected one (`refit.txt` next to `model.txt`) and the
record switches to it in one registry update with its checksum, rows and reference profile; a
kill before that update leaves the record as the gates judged it, and a resume redoes the run.
"""

from __future__ import annotations

from ct_assets.graph.model import ModelGraph
from ct_assets.training import TrainedModel
from ct_assets.training.reference import reference_profiles
from ct_assets.training.refit import refit
from ct_assets.training.snapshots import load_snapshot, split_at


def refit_version(m: ModelGraph, version: str, recipe: dict, run_id: str | None = None) -> dict:
    """Refit `version` from the training set `recipe` it was selected on; the metadata that
    says what changed (nothing when the settings turn refitting off)."""
    if not m.settings.refit:
        return {"refit": "off (settings.refit)"}
    with m.registry() as reg:
        record = reg.get(version)
    if record.refit:
        return {"refit_rows": record.refit["rows"]}  # a retried run: already refit
    with m.store() as fs:
        snapshot = load_snapshot(fs.con, recipe, run_id)
    _, holdout = split_at(snapshot.frame, recipe["holdout_start"])
    selected = TrainedModel.load(record.artifact(m.home.root), record.feature_schema)
    done = refit(snapshot.frame, snapshot.cutoff, record.window_days, record.feature_schema,
                 record.task, rounds=selected.booster.current_iteration(),
                 threads=m.settings.train_threads, cache=m.settings.fit_cache)
    path = m.home.models / version / "refit.txt"
    sha = done.model.save(path)
    feature_set = m.source.feature_set
    profile = reference_profiles(done.model, holdout, feature_set.monitored, feature_set.calendar)
    with m.registry() as reg:
        reg.update(version, artifact_path=str(path.relative_to(m.home.root)), sha256=sha,
                   n_rows=done.rows, window_start=done.window_start, profile=profile,
                   refit={"rows": done.rows, "selection_rows": record.n_rows,
                          "selection_artifact": record.artifact_path,
                          "selection_sha256": record.sha256})
    return {"refit_rows": done.rows, "selection_rows": record.n_rows,
            "refit_rounds": done.model.booster.current_iteration()}
