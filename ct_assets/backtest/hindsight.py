"""Hindsight scoring: each day's events, as scored by that day's champion, against the truth.

The realised metric of a policy is what its served scores would have earned once every label
was known, day by day, whatever the label latency was at the time.
"""

from __future__ import annotations

from ct_assets.graph.run_state import drift_shares
from ct_assets.home import Home
from ct_assets.replay.outcome import open_db
from ct_assets.settings import Settings
from ct_assets.store.featurestore import table_exists
from ct_assets.training import evaluate


def daily_scores(driver, home: Home, settings: Settings) -> list[dict]:
    """One row per day with predictions: the metric, rows, champion and drift share."""
    source, period = driver.model.source, driver.model.period
    shares = drift_shares(driver.instance, driver.model)
    with open_db(home) as con:
        if not table_exists(con, "predictions"):
            return []  # no champion ever scored a day
        scored = con.execute(
            "SELECT day, entity_id, score, model_version FROM predictions "
            "WHERE source = 'batch' ORDER BY day").df()
    rows = []
    for day, group in scored.groupby("day"):
        day = day.date() if hasattr(day, "date") else day
        truth = source.truth(day, period.end(day))
        joined = group.merge(truth, on="entity_id")
        try:
            value = evaluate(joined["label"], joined["score"], settings.task)[settings.metric]
        except ValueError:
            continue  # a day of one class says nothing about ranking
        rows.append({"day": str(day), "value": value, "rows": len(joined),
                     "model": group["model_version"].iloc[0],
                     "drift_share": shares.get(str(day))})
    return rows
