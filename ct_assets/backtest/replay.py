"""One policy's replay, in its own home and process: the same assets, sensor and schedules.

The policy is a setting the sensor and the periodic schedule read, so a backtest exercises the
production triggers, not a second implementation of them.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.settings import Settings

POLICIES = ("never", "periodic", "drift", "drift+periodic")


@dataclass
class PolicyRun:
    policy: str
    seconds: float
    retrain_days: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)  # day, value, rows, drift_share, model

    def to_dict(self) -> dict:
        return asdict(self)


def replay_policy(policy: str, home_root: str, settings_json: str, days: int | None,
                  position: int = 0, history: str | None = None) -> dict:
    """Replay `days` days (None: the whole source) under `policy` in a fresh home; return its
    runs and hindsight scores. With `history` (a database holding every period's events,
    labels and features) the home starts from a copy of it and replays the rest."""
    from ct_assets.backtest import cores
    from ct_assets.backtest.hindsight import daily_scores
    from ct_assets.backtest.history import REPLAYED, await_history, backtest_gone, seed_home
    from ct_assets.graph.connection import share_cores
    from ct_assets.replay import DayDriver

    home = Home.create(home_root)
    settings = Settings.model_validate_json(settings_json)
    settings.save(home.root)
    if history is not None:
        await_history(Path(history))
        seed_home(Path(history), home.db)
    driver = DayDriver(home, ingest_assets=REPLAYED if history else None)
    started = time.perf_counter()
    starts = settings.period_starts(days)
    with cores.replaying():
        for done, start in enumerate(tqdm(starts, desc=f"{policy[:24]:>15}", position=position,
                                          unit=settings.period, leave=True, dynamic_ncols=True,
                                          mininterval=1.0)):
            if backtest_gone():
                raise CTError(f"the backtest that started the {policy!r} replay is gone")
            threads = cores.follow(position, done, len(starts))  # its pace and share of the cores
            share_cores(home.db, threads)  # DuckDB's threads too
            driver.run_day(start)
        cores.follow(position, len(starts), len(starts))
    seconds = time.perf_counter() - started
    return PolicyRun(policy, round(seconds, 1), driver.retrain_history(),
                     daily_scores(driver, home, settings)).to_dict()
