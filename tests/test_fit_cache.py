"""The fit cache a backtest's replays share: a hit is the very model a fit would have made, and
anything that would change the model misses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd

from ct_assets.store import FeatureSet
from ct_assets.training import TrainedModel
from ct_assets.training.fit_cache import cached_fit

SCHEMA = FeatureSet(numeric=("amount", "age"), categorical=("merchant",)).schema


def _rows(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    merchant = rng.choice(np.array(["m0", "m1", "m2", "m3"], dtype=object), n)
    amount = rng.normal(0.0, 1.0, n)
    logit = 1.5 * amount + np.where(merchant == "m3", 2.0, -0.5)
    return pd.DataFrame({
        "event_ts": pd.date_range("2025-01-01", periods=n, freq="h"),
        "amount": amount, "age": rng.uniform(18, 80, n), "merchant": merchant,
        "day_of_week": rng.integers(0, 7, n).astype("float64"),
        "label": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int8")})


def test_a_hit_is_the_model_the_fit_would_have_made(tmp_path):
    rows = _rows()
    fresh = TrainedModel.fit(rows, SCHEMA, "binary", threads=1)
    first = cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    files = sorted(tmp_path.iterdir())
    hit = cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    assert len(files) == 1 and sorted(tmp_path.iterdir()) == files  # trained once, then read
    for model in (first, hit):
        assert np.array_equal(model.predict(rows), fresh.predict(rows))
        assert model.booster.best_iteration == fresh.booster.best_iteration > 0
        assert model.importances() == fresh.importances()
        assert model.schema == fresh.schema
    fresh.save(tmp_path / "fresh.txt")
    hit.save(tmp_path / "hit.txt")
    assert (tmp_path / "fresh.txt").read_bytes() == (tmp_path / "hit.txt").read_bytes()


def test_anything_that_changes_the_model_misses(tmp_path):
    rows = _rows()
    cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    flipped = rows.copy()
    flipped.loc[flipped.index[-1], "label"] = 1 - flipped["label"].iloc[-1]
    other_merchant = rows.assign(merchant=rows["merchant"].replace("m0", "m9"))
    cached_fit(tmp_path, flipped, SCHEMA, "binary", threads=1)  # one label
    cached_fit(tmp_path, other_merchant, SCHEMA, "binary", threads=1)  # one level's name
    cached_fit(tmp_path, rows.iloc[1:], SCHEMA, "binary", threads=1)  # one row fewer
    cached_fit(tmp_path, rows, SCHEMA, "binary", valid_share=0, rounds=20, threads=1)
    cached_fit(tmp_path, rows, SCHEMA, "regression", threads=1)
    assert len(list(tmp_path.glob("*.txt"))) == 6


def test_a_write_cut_short_is_not_read(tmp_path):
    rows = _rows()
    cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    (done,) = tmp_path.glob("*.txt")
    done.rename(done.with_name(f"{done.stem}.1234.tmp"))  # what a kill before the rename leaves
    again = cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    assert done.exists() and again.booster.best_iteration > 0


def test_a_fit_another_replay_is_training_is_waited_for(tmp_path):
    rows = _rows()
    elsewhere = tmp_path / "elsewhere"
    cached_fit(elsewhere, rows, SCHEMA, "binary", threads=1)
    (trained,) = elsewhere.glob("*.txt")
    mine = tmp_path / "shared"
    mine.mkdir()
    claim = mine / f"{trained.stem}.training"
    claim.write_text(str(os.getpid()))  # a live process is training it

    def finish():
        time.sleep(0.5)
        shutil.copyfile(trained, mine / trained.name)
        claim.unlink()

    other = threading.Thread(target=finish)
    other.start()
    started = time.perf_counter()
    model = cached_fit(mine, rows, SCHEMA, "binary", threads=1)
    other.join()
    assert time.perf_counter() - started >= 0.5  # it waited rather than training too
    assert sorted(p.name for p in mine.iterdir()) == [trained.name]
    assert model.booster.best_iteration > 0


def test_a_claim_whose_trainer_was_killed_is_taken_over(tmp_path):
    rows = _rows()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    cached_fit(tmp_path / "probe", rows, SCHEMA, "binary", threads=1)
    (probe,) = (tmp_path / "probe").glob("*.txt")
    (tmp_path / f"{probe.stem}.training").write_text(str(dead.pid))
    model = cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    assert (tmp_path / probe.name).exists() and model.booster.best_iteration > 0
    assert not (tmp_path / f"{probe.stem}.training").exists()


def test_a_claim_older_than_any_fit_is_taken_over_whoever_holds_it(tmp_path):
    rows = _rows()
    cached_fit(tmp_path / "probe", rows, SCHEMA, "binary", threads=1)
    (probe,) = (tmp_path / "probe").glob("*.txt")
    claim = tmp_path / f"{probe.stem}.training"
    claim.write_text(str(os.getpid()))  # alive, but its id may have been reused since
    hours_ago = time.time() - 2 * 3600
    os.utime(claim, (hours_ago, hours_ago))
    cached_fit(tmp_path, rows, SCHEMA, "binary", threads=1)
    assert (tmp_path / probe.name).exists() and not claim.exists()
