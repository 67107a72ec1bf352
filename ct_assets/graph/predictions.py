"""Monitoring, part one: the record of what the champion answered for each period's events."""

import dagster as dg
import pandas as pd

from ct_assets.graph.model import ModelGraph
from ct_assets.serving.predlog import prediction_log_dir, read_served
from ct_assets.serving.verify import REPAIR, artifact_problem
from ct_assets.training import TrainedModel


def build(m: ModelGraph) -> list[dg.AssetsDefinition]:
    @dg.asset(key=m.key("predictions_log"), partitions_def=m.partitions,
              deps=[m.key("features"), m.key("champion_model")],
              group_name=m.group("monitoring"), kinds={"duckdb", "lightgbm"})
    def predictions_log(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Scores given for the period, with the model version that gave them.

        Two sources: `served`, the predictions the HTTP service answered to the clients the
        operator trusts (a log token; read from the append-only log files it writes in the
        home's `predictions/` folder; a line cut by a crash is skipped and counted), and
        `batch`, the champion's scores for every event of the period. Monitoring joins them
        with labels as they arrive, the batch score first wherever both exist, so served
        traffic never replaces the pipeline's own scores; drift compares the batch scores'
        distribution with the champion's. Re-materializing a period replaces its rows. A
        champion whose model file does not match its recorded sha256 fails the run, saying so.
        """
        day = m.day_of(context)
        served = read_served(prediction_log_dir(m.home.root), m.period.days(day))
        with m.registry() as reg:
            champion = reg.champion()
        parts = [served.frame] if len(served.frame) else []
        with m.store() as fs:
            rows = fs.read_partition("features", day)
            if champion is not None and len(rows):
                if problem := artifact_problem(champion, m.home.root):
                    raise dg.Failure(f"no batch scores for {day}: {problem}; {REPAIR}")
                model = TrainedModel.load(champion.artifact(m.home.root), champion.feature_schema)
                parts.insert(0, rows[["entity_id", "event_ts"]].assign(
                    model_version=champion.version, score=model.predict(rows), source="batch"))
            log = pd.concat(parts, ignore_index=True) if parts else served.frame
            written = fs.replace_partition("predictions", day, log)
        counts = log["source"].value_counts()
        return dg.MaterializeResult(metadata={
            "rows": written, "batch_rows": int(counts.get("batch", 0)),
            "served_rows": int(counts.get("served", 0)), "served_files": len(served.files),
            "skipped_lines": served.skipped,
            "model_version": champion.version if champion else "none",
            "mean_score": dg.FloatMetadataValue(float(log["score"].mean()) if len(log) else None),
        })

    return [predictions_log]
