"""The machine's cores, divided between a backtest's running replays and divided again as they end.

Replays are uneven: on a weekly table `periodic` retrains 80 times where `never` retrains once,
so the last replay runs alone for most of the backtest while the other cores idle. Each replay
trains LightGBM on OpenMP's thread count, which it sets before every period to its share of
the cores: one thread each while replays outnumber cores, every core for the last one. The
share never exceeds the free cores (OpenMP threads that wait for a busy core spin, and a fit
slows several-fold). LightGBM trains deterministically here, so the thread count changes how
long a fit takes, never the model.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

_unfinished = None  # multiprocessing.Value: replays not finished yet (shared by the backtest)
_workers = 1  # replays that run at once
_threads: int | None = None


def share(unfinished, workers: int) -> None:
    """The pool's initializer: the backtest's count of unfinished replays (the parent sets it
    to all of them before any starts, so none begins on every core) and its process count."""
    global _unfinished, _workers
    _unfinished, _workers = unfinished, workers


@contextmanager
def replaying() -> Iterator[None]:
    """Count this process's replay as finished when it ends (however it ends)."""
    try:
        yield
    finally:
        if _unfinished is not None:
            with _unfinished.get_lock():
                _unfinished.value -= 1


def fair_threads(cores: int | None = None) -> int:
    """This replay's share of the cores: at least one, all of them when it runs alone."""
    running = min(max(1, _unfinished.value), _workers) if _unfinished is not None else 1
    return max(1, (cores or os.cpu_count() or 1) // running)


def follow() -> int:
    """Set OpenMP's thread count (LightGBM's, with `train_threads` 0) to this replay's share."""
    global _threads
    threads = fair_threads()
    if threads != _threads:
        threadpool_limits(limits=threads, user_api="openmp")
        _threads = threads
    return threads
