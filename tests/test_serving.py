"""Serving: champion in the BentoML store, bento pinned to its exact tag, a real HTTP server.

One module-scoped server (`bentoml serve <bento tag>` in a subprocess, killed by PID in the
fixture teardown) is shared by the HTTP tests; two more start for the probe and the
tampered-artifact tests. The module takes ~15-25 s.
"""

from __future__ import annotations

import json
import shutil
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
)
from ct_assets.serving.server import BentoServer

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
def served(tmp_path_factory):
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
    bento = build_bento(tag, home, root / "build")
    times["build"] = time.perf_counter() - t0 - times["save"]
    server = BentoServer(bento, home, env={"CT_PREDICTION_LOG_DIR": str(root / "predlog")})
    t1 = time.perf_counter()
    try:
        server.start(timeout=90)
        times["ready"] = time.perf_counter() - t1
        print(f"\nserving timings (s): {json.dumps({k: round(v, 2) for k, v in times.items()})}")
        yield {
            "root": root,
            "home": home,
            "tag": tag,
            "bento": bento,
            "server": server,
            "booster": booster,
            "model_path": model_path,
        }
    finally:
        server.stop()


def test_save_is_idempotent_and_exact(served):
    tag, home, path = served["tag"], served["home"], served["model_path"]
    assert tag.startswith("ct_champion:") and not tag.endswith(":latest")
    assert save_champion(path, "v3", SCHEMA, sha256_file(path), {"auc": 0.8}, home) == tag
    assert find_champion("v3", home) == tag and find_champion("v9", home) is None


def test_save_rejects_bad_sha_and_schema(served, tmp_path):
    path = served["model_path"]
    with pytest.raises(ValueError, match="sha256"):
        save_champion(path, "v4", SCHEMA, "0" * 64, {}, tmp_path)
    with pytest.raises(ValueError, match="schema"):
        save_champion(
            path, "v4", {**SCHEMA, "numeric": ["amount"]}, sha256_file(path), {}, tmp_path
        )


def test_bento_pins_exact_model_tag(served):
    pinned = pinned_model(served["bento"], served["home"])
    assert pinned["model_tag"] == served["tag"]
    assert pinned["sha256"] == sha256_file(served["model_path"])
    assert bento_for("v3", served["home"]) == served["bento"]
    assert (
        build_bento(served["tag"], served["home"], served["root"] / "build2") == served["bento"]
    )  # reused
    with pytest.raises(ValueError, match="exact"):
        build_bento("ct_champion:latest", served["home"], served["root"] / "build3")


def test_predict_matches_in_process_scores(served):
    df = _frame(300, 7)
    status, body = served["server"].predict(_records(df))
    assert status == 200, body
    assert body["model_version"] == "v3" and body["feature_version"] == "fv-test"
    np.testing.assert_allclose(body["scores"], served["booster"].predict(df), rtol=0, atol=1e-9)
    lines = [
        json.loads(ln) for p in (served["root"] / "predlog").glob("*.jsonl") for ln in p.open()
    ]
    assert len(lines) >= 300 and lines[0]["model_version"] == "v3"


def test_unseen_category_scored_as_missing(served):
    recs = [
        {"amount": 0.3, "age": 40, "merchant": "zz-new"},
        {"amount": 0.3, "age": 40, "merchant": None},
    ]
    status, body = served["server"].predict(recs)
    assert status == 200, body
    assert body["scores"][0] == body["scores"][1] and body["unseen_categories"] == {"merchant": 1}


@pytest.mark.parametrize(
    ("record", "field", "kind"),
    [
        ({"amount": 1.0, "merchant": "a"}, "records[1].age", "missing"),
        (
            {"amount": 1.0, "age": 30, "merchant": "a", "secret": "s3cr3t"},
            "records[1].secret",
            "extra_forbidden",
        ),
        ({"amount": "s3cr3t", "age": 30, "merchant": "a"}, "records[1].amount", "float_type"),
        ({"amount": 1.0, "age": 30, "merchant": 7}, "records[1].merchant", "string_type"),
    ],
)
def test_invalid_records_are_400_naming_the_field(served, record, field, kind):
    ok = {"amount": 1.0, "age": 30, "merchant": "a"}
    status, body = served["server"].predict([ok, record])
    assert status == 400
    assert [(d["field"], d["type"]) for d in body["detail"]] == [(field, kind)]
    assert "s3cr3t" not in json.dumps(body)


def test_batch_bounds(served):
    status, body = served["server"].predict([])
    assert status == 400 and body["detail"][0]["type"] == "too_short"


def test_metadata(served):
    status, body = served["server"].metadata()
    assert status == 200
    assert body["model_version"] == "v3" and body["model_tag"] == served["tag"]
    assert body["schema"] == SCHEMA and body["metrics"] == {"auc": 0.8}


def test_tampered_artifact_is_never_served(served, tmp_path):
    home = tmp_path / "bentoml"
    shutil.copytree(served["home"], home)
    stored = home / "models" / "ct_champion" / served["tag"].split(":")[1] / "model.txt"
    stored.write_text(stored.read_text() + "\n")
    with pytest.raises(RuntimeError, match="sha256 mismatch"):
        BentoServer(served["bento"], home).start(timeout=90)
    with pytest.raises(RuntimeError, match="sha256"):
        build_bento(served["tag"], home, tmp_path / "build", reuse=False)


def test_probe_compares_served_and_in_process_scores(served):
    df = _frame(50, 11)
    features = ["amount", "age", "merchant"]
    report = probe(served["bento"], served["home"], df, served["booster"].predict(df), features)
    assert report["ok"] and report["n"] == 50 and report["model_version"] == "v3", report
