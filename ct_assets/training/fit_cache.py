"""Fits shared by the replays of one backtest: the same rows and recipe give the same model.

LightGBM trains deterministically here (fixed seeds, `deterministic`), so a model is a function
of its training rows and its recipe (schema, task, parameters, early-stopping share, rounds).
The replays of a backtest train on one history: policies that retrain on the same day with the
same window (`drift` and `drift+periodic`, or the settings of a grid until their decisions
part) train the very same candidates and refits. With a cache folder, each model file is kept
under a digest of its rows and recipe, and a replay that needs a model another one trained
loads it (milliseconds) instead of training it (seconds). The first replay to need a model
claims it (a `.training` file holding its process id) and the others wait for its file; a
claim whose process is gone (killed) is taken over. Files are written whole and renamed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import lightgbm as lgb
import pandas as pd

from ct_assets.training.model import PARAMS, PATIENCE, TrainedModel, model_frame

POLL = 0.05  # seconds between looks at a fit another replay is training
STALE = 3600  # seconds after which a claim is taken over whoever holds it


def fit_key(rows: pd.DataFrame, schema: dict, task: str, **recipe) -> str:
    """A digest of the model-relevant columns of `rows` (in order) and everything else that
    decides the model."""
    frame = model_frame(rows, schema).assign(label=rows["label"].to_numpy())
    digest = hashlib.blake2b(digest_size=20)
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps({"schema": schema, "task": task, "params": PARAMS,
                              "patience": PATIENCE, "lightgbm": lgb.__version__, **recipe},
                             sort_keys=True, default=str).encode())
    return digest.hexdigest()


def cached_fit(cache: str | Path | None, rows: pd.DataFrame, schema: dict, task: str,
               valid_share: float = 0.2, rounds: int = 400, threads: int = 0) -> TrainedModel:
    """`TrainedModel.fit`, or the model the same call left in `cache` (None: no cache). When
    another replay is training that model right now, wait for its file: replays that go in
    step (`drift` and `drift+periodic` retrain on the same days) would otherwise both train."""
    if cache is None:
        return TrainedModel.fit(rows, schema, task, valid_share, rounds, threads)
    key = fit_key(rows, schema, task, valid_share=valid_share, rounds=rounds, threads=threads)
    path = Path(cache) / f"{key}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    claim = path.with_suffix(".training")
    while not path.exists():
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not _trainer_alive(claim):
                claim.unlink(missing_ok=True)  # its trainer was killed: take the claim over
            time.sleep(POLL)
            continue
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return _fit_and_keep(path, rows, schema, task, valid_share, rounds, threads)
        finally:
            claim.unlink(missing_ok=True)
    model = TrainedModel.load(path, {**schema, "task": task})
    if valid_share:  # saved at its best iteration: say so, as the trained booster did
        model.booster.best_iteration = model.booster.current_iteration()
    return model


def _fit_and_keep(path: Path, rows, schema, task, valid_share, rounds, threads) -> TrainedModel:
    model = TrainedModel.fit(rows, schema, task, valid_share, rounds, threads)
    model.save(path)
    return model


def _trainer_alive(claim: Path) -> bool:
    """Whether the process that claimed a fit still runs (a claim being written counts; one
    older than `STALE` seconds does not: its process id may belong to another process now)."""
    try:
        pid, age = claim.read_text(), time.time() - claim.stat().st_mtime
        if not pid:  # created, its id not written yet (or never: killed in between)
            return age < 10
        if age > STALE:
            return False
        os.kill(int(pid), 0)
    except FileNotFoundError:
        return True  # gone since: look for the model again
    except ProcessLookupError:
        return False
    return True
