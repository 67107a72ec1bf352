"""Policies that differ only by a periodic schedule share one replay until the schedule fires.

`periodic` is `never` plus a schedule, and `drift+periodic` is `drift` plus one. Until the
schedule asks for a run the other policy does not, both run the same runs on the same data, so
their homes are identical: one replay (the leader's) runs them, asks the follower's triggers at
every tick what they would request (`ct_assets.replay.shadow`), and at the first tick where the
answers differ hands the follower a copy of its home, where the follower's own process resumes
exactly as a replay resumes after a kill (the period is redone; the runs it already has are
not run again). A follower that never parts gets the copy at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from ct_assets.backtest.history import backtest_gone
from ct_assets.errors import CTError
from ct_assets.graph.connection import connection
from ct_assets.replay.journal import STATE, Journal
from ct_assets.settings import Settings

WITHOUT_SCHEDULE = {"periodic": "never", "drift+periodic": "drift"}
TRIGGERS_ONLY = {"policy", "periodic_every_days"}  # settings only the sensor and schedules read


def leaders(runs: dict[str, Settings]) -> dict[str, str]:
    """Follower -> leader: a replay whose policy is another's plus the periodic schedule,
    under the same settings otherwise."""
    def rest(settings: Settings) -> dict:
        return settings.model_dump(exclude=TRIGGERS_ONLY)

    found = {}
    for name, settings in runs.items():
        base = WITHOUT_SCHEDULE.get(settings.policy)
        for other, candidate in runs.items():
            if candidate.policy == base and rest(candidate) == rest(settings):
                found[name] = other
    return found


def marker(home: Path) -> Path:
    return home.with_name(home.name + ".handover")


def hand_over(driver, shadow, home: Path, seconds: float, parted: bool = True) -> None:
    """Give `shadow` (a follower) a copy of `driver`'s home, as it stands between two ticks,
    with its own settings and the journal of the last period finished here; `seconds`: the
    replay's time so far, `parted`: whether their triggers asked for different runs (else
    the replay is over)."""
    with connection(driver.home.db, keep_open=True) as con:
        con.execute("CHECKPOINT")  # everything committed is in the file, none in its log
    copy = home.with_name(home.name + ".copying")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(driver.home.root, copy)
    shadow.settings.save(copy)
    done = driver.journal.done
    if done is not None:  # else the copy has no journal either: it starts from the first period
        Journal(copy / "dagster" / STATE).finish(done, shadow.settled)
    shutil.rmtree(home, ignore_errors=True)
    copy.rename(home)
    _publish(home, {"until": done.isoformat() if done else None, "parted": parted,
                    "seconds": round(seconds, 1), "costs": driver.costs})


def give_up(home: Path, why: str) -> None:
    """Tell a follower that its leader failed before handing it a home."""
    _publish(home, {"failed": why})


def await_home(home: Path) -> dict:
    """Wait for the leader to hand this follower its home; what `hand_over` noted."""
    while not marker(home).exists():
        if backtest_gone():
            raise CTError("the backtest that started this replay is gone")
        time.sleep(0.1)
    note = json.loads(marker(home).read_text())
    marker(home).unlink()
    if "failed" in note:
        raise CTError(f"the replay {home.name!r} follows failed: {note['failed']}")
    return {**note, "costs": {run: tuple(cost) for run, cost in note["costs"].items()}}


def _publish(home: Path, note: dict) -> None:
    tmp = marker(home).with_suffix(".tmp")
    tmp.write_text(json.dumps(note))
    os.replace(tmp, marker(home))
