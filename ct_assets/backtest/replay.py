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
    shared: dict | None = None  # replayed with another policy: which, until when (`twins`)

    def to_dict(self) -> dict:
        return asdict(self)


def replay_policy(policy: str, home_root: str, settings_json: str, days: int | None,
                  position: int = 0, history: str | None = None,
                  followers: dict[str, tuple[str, str, int]] | None = None,
                  follows: str | None = None) -> dict:
    """Replay `days` days (None: the whole source) under `policy` in a fresh home; return its
    runs and hindsight scores. With `history` (a database holding every period's events,
    labels and features) the home starts from a copy of it and replays the rest.
    `followers` (name: home, settings, position) are carried until they part, and a replay
    that `follows` another starts from the home that one hands it (`twins`)."""
    from ct_assets.backtest import cores, twins
    from ct_assets.backtest.hindsight import daily_scores
    from ct_assets.backtest.history import REPLAYED, await_history, backtest_gone, seed_home
    from ct_assets.graph.connection import share_cores
    from ct_assets.replay import DayDriver
    from ct_assets.replay.shadow import Shadow

    settings = Settings.model_validate_json(settings_json)
    note = twins.await_home(Path(home_root)) if follows else {"costs": {}, "seconds": 0.0}
    home = Home.existing(home_root) if follows else Home.create(home_root)
    if not follows:
        settings.save(home.root)
        if history is not None:
            await_history(Path(history))
            seed_home(Path(history), home.db)
    driver = DayDriver(home, ingest_assets=REPLAYED if history else None)
    driver.costs.update(note["costs"])
    followers = followers or {}
    driver.shadows = [Shadow(name, home, Settings.model_validate_json(followers[name][1]))
                      for name in followers]
    started, handed = time.perf_counter(), set()

    def part(shadow, parted: bool = True) -> None:
        twins.hand_over(driver, shadow, Path(followers[shadow.name][0]),
                        time.perf_counter() - started, parted)
        handed.add(shadow.name)

    driver.on_part = part
    starts = settings.period_starts(days)
    skip = len([s for s in starts if driver.journal.done and s <= driver.journal.done])
    with cores.replaying():
        try:
            for done, start in enumerate(tqdm(
                    starts[skip:], initial=skip, total=len(starts), desc=f"{policy[:24]:>15}",
                    position=position, unit=settings.period, leave=True, dynamic_ncols=True,
                    mininterval=1.0), start=skip):
                if backtest_gone():
                    raise CTError(f"the backtest that started the {policy!r} replay is gone")
                threads = cores.follow(position, done, len(starts))  # pace, share of the cores
                share_cores(home.db, threads)  # DuckDB's threads too
                for shadow in driver.shadows:
                    cores.advance(followers[shadow.name][2], done)
                driver.run_day(start)
            for shadow in list(driver.shadows):  # never parted: the home as it ends
                driver.on_part(shadow, parted=False)
        except BaseException as exc:
            for name in set(followers) - handed:
                twins.give_up(Path(followers[name][0]), f"{type(exc).__name__}: {exc}")
            raise
        cores.follow(position, len(starts), len(starts))
    seconds = time.perf_counter() - started + note["seconds"]  # a follower's: with its leader's
    shared = {"with": follows, **{k: note[k] for k in ("until", "parted")}} if follows else None
    return PolicyRun(policy, round(seconds, 1), driver.retrain_history(),
                     daily_scores(driver, home, settings), shared).to_dict()
