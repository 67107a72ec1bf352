"""The machine's cores, divided between a backtest's replays so that they finish together.

Replays are uneven: on a weekly table `periodic` retrains 80 times where `never` retrains once.
Left to the operating system, each running replay gets the same CPU, the cheap ones finish
first, and the costliest then runs alone while the other cores idle. Two things prevent that:

- **Pace.** A replay that is ahead of the slowest running one (in periods done) lowers its own
  scheduling priority, one `nice` step per twentieth of the history it leads by, and raises it
  again when the others catch up (where the system allows; an unprivileged process can only
  lower it). The cores go to the replays with the most left to do.
- **Threads.** Each replay trains LightGBM on OpenMP's thread count, set before every period to
  its share of the cores: one thread each while replays outnumber cores, every core for the
  last one. The share never exceeds the free cores (OpenMP threads that wait for a busy core
  spin, and a fit slows several-fold).

Neither changes an answer: LightGBM trains deterministically here, whatever its thread count.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from threadpoolctl import threadpool_limits

_shared = None  # (unfinished Value, periods-done Array, workers): set in each replay's process
_threads: int | None = None
_nice = 0
_base_nice = 0  # the process's own niceness when the backtest began (`nice ct backtest`)


def share(unfinished, done, workers: int) -> None:
    """The pool's initializer: the backtest's count of unfinished replays (the parent sets it
    to all of them before any starts, so none begins on every core), each replay's periods
    done, and how many replays run at once."""
    global _shared, _base_nice
    _shared = (unfinished, done, workers) if unfinished is not None else None
    _base_nice = os.getpriority(os.PRIO_PROCESS, 0)


@contextmanager
def replaying() -> Iterator[None]:
    """Count this process's replay as finished when it ends (however it ends)."""
    try:
        yield
    finally:
        if _shared is not None:
            with _shared[0].get_lock():
                _shared[0].value -= 1


def fair_threads(cores: int | None = None) -> int:
    """This replay's share of the cores: at least one, all of them when it runs alone."""
    running = min(max(1, _shared[0].value), _shared[2]) if _shared is not None else 1
    return max(1, (cores or os.cpu_count() or 1) // running)


def niceness(me: int, done: list[int], periods: int) -> int:
    """How far replay `me` is ahead of the slowest unfinished one, in twentieths of the history
    (0 when it is the slowest or alone; at most 19, the lowest priority)."""
    behind = [d for d in done if d < periods]
    if len(behind) < 2:
        return 0
    return min(19, max(0, done[me] - min(behind)) * 20 // max(periods, 1))


def advance(me: int, periods_done: int) -> None:
    """Record the progress of replay `me` (another replay that carries it: `twins`)."""
    if _shared is not None:
        _shared[1][me] = periods_done


def follow(me: int, periods_done: int, periods: int) -> int:
    """Record this replay's progress, pace it, and set OpenMP's thread count (LightGBM's, with
    `train_threads` 0) to its share of the cores; returns the thread count."""
    global _threads, _nice
    if _shared is not None:
        advance(me, periods_done)
        nice = niceness(me, list(_shared[1]), periods)
        if nice != _nice:
            with suppress(PermissionError):  # raising priority needs privileges
                os.setpriority(os.PRIO_PROCESS, 0, min(19, _base_nice + nice))
                _nice = nice
    threads = fair_threads()
    if threads != _threads:
        threadpool_limits(limits=threads, user_api="openmp")
        _threads = threads
    return threads
