"""Serving, below HTTP: the champion in the BentoML store, the bento pinned to its exact tag,
the request path of the service (validation and scoring matrix) against LightGBM's own.

Two servers start here, for the pre-deploy probe and the tampered-artifact test; the HTTP tests
share one `ct serve` process in test_serving_http.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from ct_assets.serving import (
    bento_for,
    build_bento,
    find_champion,
    pinned_model,
    probe,
    records_from_frame,
    save_champion,
    sha256_file,
    training_info,
)
from ct_assets.serving.build import BENTOS_DIR, bento_exists
from ct_assets.serving.sanity import sanity_scores
from ct_assets.serving.server import BentoServer

sys.path.insert(0, str(BENTOS_DIR))  # the service's own modules, importable without a server
from ct_records import Records  # noqa: E402

SCHEMA = {
    "task": "binary",
    "numeric": ["amount", "age"],
    "categorical": ["merchant"],
    "feature_version": "fv-test",
}
CATS = ["a", "b", "c", "d"]


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.normal(size=n)
    amount[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "amount": amount,
            "age": rng.integers(18, 80, n).astype(float),
            "merchant": pd.Categorical(rng.choice(CATS, n), categories=CATS),
        }
    )


def _records(df: pd.DataFrame) -> list[dict]:
    return records_from_frame(df, ["amount", "age", "merchant"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small model (NaNs, one categorical) saved and built into a bento; no server."""
    root = tmp_path_factory.mktemp("serving")
    df = _frame(500, 0)
    y = (
        df.amount.fillna(0) + (df.merchant == "b") + np.random.default_rng(1).normal(size=500) * 0.5
    ) > 0.5
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 5, "seed": 0, "num_threads": 1},
        lgb.Dataset(df, y.astype(int)),
        num_boost_round=20,
    )
    model_path = root / "model.txt"
    booster.save_model(model_path)
    home, times = root / "bentoml", {}
    t0 = time.perf_counter()
    tag = save_champion(model_path, "v3", SCHEMA, sha256_file(model_path), {"auc": 0.8}, home)
    times["save"] = time.perf_counter() - t0
    bento = build_bento(tag, home)
    times["build"] = time.perf_counter() - t0 - times["save"]
    print(f"\nserving timings (s): {json.dumps({k: round(v, 2) for k, v in times.items()})}")
    return {"root": root, "home": home, "tag": tag, "bento": bento, "booster": booster,
            "model_path": model_path}


def test_save_is_idempotent_and_exact(built):
    tag, home, path = built["tag"], built["home"], built["model_path"]
    assert tag.startswith("ct_champion:") and not tag.endswith(":latest")
    assert save_champion(path, "v3", SCHEMA, sha256_file(path), {"auc": 0.8}, home) == tag
    assert find_champion("v3", home) == tag and find_champion("v9", home) is None


def test_save_rejects_bad_sha_and_schema(built, tmp_path):
    path = built["model_path"]
    with pytest.raises(ValueError, match="sha256"):
        save_champion(path, "v4", SCHEMA, "0" * 64, {}, tmp_path)
    with pytest.raises(ValueError, match="schema"):
        save_champion(
            path, "v4", {**SCHEMA, "numeric": ["amount"]}, sha256_file(path), {}, tmp_path
        )


def test_bento_pins_exact_model_tag(built):
    pinned = pinned_model(built["bento"], built["home"])
    assert pinned["model_tag"] == built["tag"]
    assert pinned["sha256"] == sha256_file(built["model_path"])
    assert bento_for("v3", built["home"]) == built["bento"]
    assert (
        build_bento(built["tag"], built["home"]) == built["bento"]
    )  # reused
    with pytest.raises(ValueError, match="exact"):
        build_bento("ct_champion:latest", built["home"])


def test_request_path_scores_exactly_like_lightgbm_pandas_path(built):
    """The service's numpy matrix (dict-mapped category codes, null and unseen as NaN) gives
    LightGBM's pandas-path scores, including missing values and an unseen category."""
    booster = built["booster"]
    categories = dict(zip(["merchant"], booster.pandas_categorical, strict=True))
    records = Records(booster.feature_name(), categories, max_batch=1000)
    df = _frame(300, 7)
    recs = _records(df) + [{"amount": None, "age": 30, "merchant": "zz-new"}]
    rows = records.validate(json.dumps({"records": recs}).encode())
    x, unseen = records.matrix(rows)
    expected = booster.predict(df).tolist() + [booster.predict(pd.DataFrame(
        {"amount": [np.nan], "age": [30.0], "merchant": pd.Categorical([None], categories=CATS)}
    ))[0]]
    assert booster.predict(x).tolist() == expected and unseen == {"merchant": 1}


def test_bento_ships_sanity_records_scored_at_build_time(built):
    pinned = pinned_model(built["bento"], built["home"])
    sanity = sanity_scores(built["model_path"], ["merchant"])
    assert pinned["sanity"] == sanity and len(sanity["scores"]) == 3
    assert sanity["records"][0] == {"amount": None, "age": None, "merchant": None}
    assert bento_exists(built["bento"], built["home"])
    assert not bento_exists("ct_champion_service:nosuch", built["home"])


def test_training_info_comes_from_the_registry_record():
    class Record:
        cutoff, window_days, window_start = dt.date(2025, 2, 1), 28, dt.date(2025, 1, 5)
        snapshot_id, n_rows = "abc", 1000

    assert training_info(Record()) == {"cutoff": "2025-02-01", "window_days": 28,
                                       "window_start": "2025-01-05", "snapshot_id": "abc",
                                       "n_rows": 1000}


def test_tampered_artifact_is_never_served(built, tmp_path):
    home = tmp_path / "bentoml"
    shutil.copytree(built["home"], home)
    stored = home / "models" / "ct_champion" / built["tag"].split(":")[1] / "model.txt"
    stored.write_text(stored.read_text() + "\n")
    with pytest.raises(RuntimeError, match="sha256 mismatch"):
        BentoServer(built["bento"], home).start(timeout=90)
    with pytest.raises(RuntimeError, match="sha256"):
        build_bento(built["tag"], home, reuse=False)


def test_probe_compares_served_and_in_process_scores(built):
    df = _frame(50, 11)
    features = ["amount", "age", "merchant"]
    report = probe(built["bento"], built["home"], df, built["booster"].predict(df), features)
    assert report["ok"] and report["n"] == 50 and report["model_version"] == "v3", report
