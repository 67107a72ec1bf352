"""Model registry: versions, lineage records, champion alias and its history."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from ct_assets.errors import CTError
from ct_assets.registry import ModelVersion, Registry

D = dt.date


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "ct.duckdb")


@pytest.fixture
def con(db):
    c = duckdb.connect(db)
    yield c
    c.close()


@pytest.fixture
def reg(con):
    return Registry(con)


def _record(**over) -> ModelVersion:
    base = dict(
        version="ignored", task="binary", metric="roc_auc", cutoff=D(2025, 1, 28),
        window_days=28, window_start=D(2025, 1, 1), snapshot_id="ts-0123456789abcdef",
        feature_version="fv-abc", n_rows=1234,
        feature_schema={"numeric": ["amount", "day_of_week"], "categorical": ["merchant"]},
        profile={"features": {"amount": {"edges": [0.0, 1.5, 3.0]}}},
        artifact_path="/models/m.txt", sha256="f" * 64, metrics={"roc_auc": 0.71, "rows": 50},
    )
    return ModelVersion(**{**base, **over})


def _status(reg: Registry) -> dict[str, str]:
    return {v.version: v.status for v in reg.versions()}


def test_versions_are_numbered_in_order_and_records_round_trip(reg):
    a = reg.register(_record())
    b = reg.register(_record(n_rows=7, metrics={"roc_auc": 0.8}, gate={"floor": True}))
    c = reg.register(_record(run_id="run-3", trigger="drift", reason="drift share 0.40"))
    assert [a.version, b.version, c.version] == ["v1", "v2", "v3"]
    assert [a.seq, b.seq, c.seq] == [1, 2, 3]
    assert [v.version for v in reg.versions()] == ["v1", "v2", "v3"]
    got = reg.get("v2")
    assert got.n_rows == 7 and got.metrics == {"roc_auc": 0.8} and got.gate == {"floor": True}
    assert got.cutoff == D(2025, 1, 28) and got.window_start == D(2025, 1, 1)
    assert got.feature_schema["categorical"] == ["merchant"]
    assert got.profile == {"features": {"amount": {"edges": [0.0, 1.5, 3.0]}}}
    assert got.champion_metrics is None and got.status == "contender"
    assert isinstance(got.created_at, dt.datetime)
    assert reg.get("v3").trigger == "drift" and reg.get("v3").run_id == "run-3"
    assert reg.champion() is None
    summary = got.summary()
    assert "profile" not in summary and "feature_schema" not in summary
    assert summary["cutoff"] == "2025-01-28" and summary["version"] == "v2"


def test_registry_persists_across_connections(db, con):
    reg = Registry(con)
    reg.register(_record())
    reg.register(_record())
    reg.promote("v2", D(2025, 1, 29), "first model")
    con.close()
    again = duckdb.connect(db)
    try:
        reg2 = Registry(again)  # existing schema: no error, nothing reset
        assert [v.version for v in reg2.versions()] == ["v1", "v2"]
        assert reg2.champion().version == "v2"
        assert reg2.register(_record()).version == "v3"
    finally:
        again.close()


def test_update_changes_status_and_json_fields(reg):
    reg.register(_record())
    reg.register(_record())
    reg.update("v1", status="rejected", champion_metrics={"roc_auc": 0.9},
               gate={"floor": True, "min_improvement": False}, reason="does not beat")
    got = reg.get("v1")
    assert got.status == "rejected" and got.reason == "does not beat"
    assert got.champion_metrics == {"roc_auc": 0.9}
    assert got.gate == {"floor": True, "min_improvement": False}
    assert reg.get("v2").status == "contender"  # only the named version changed
    reg.update("v1", gate=None)
    assert reg.get("v1").gate is None


def test_get_unknown_version_raises_cterror(reg):
    reg.register(_record())
    with pytest.raises(CTError, match="'v9'"):
        reg.get("v9")


def test_promote_keeps_exactly_one_champion_and_records_history(reg):
    for _ in range(3):
        reg.register(_record())
    reg.promote("v1", D(2025, 1, 28), "first model: 5000 labels", run_id="r1")
    assert reg.champion().version == "v1"
    assert _status(reg) == {"v1": "champion", "v2": "contender", "v3": "contender"}

    reg.promote("v2", D(2025, 2, 4), "roc_auc 0.75 vs champion 0.71", run_id="r2")
    assert reg.champion().version == "v2"
    assert _status(reg) == {"v1": "archived", "v2": "champion", "v3": "contender"}

    hist = reg.history()
    assert [(h["version"], h["reason"], h["run_id"]) for h in hist] == [
        ("v1", "first model: 5000 labels", "r1"),
        ("v2", "roc_auc 0.75 vs champion 0.71", "r2"),
    ]
    assert all(h["alias"] == "champion" for h in hist)
    assert hist[0]["day"].startswith("2025-01-28") and hist[1]["day"].startswith("2025-02-04")
    assert hist[0]["until"] is not None and hist[1]["until"] is None
    assert hist[0]["until"] <= hist[1]["since"]  # ISO strings: the intervals do not overlap
    assert hist[0]["since"] <= hist[0]["until"]

    reg.promote("v3", D(2025, 2, 11), "third")
    assert _status(reg) == {"v1": "archived", "v2": "archived", "v3": "champion"}
    hist = reg.history()
    assert [h["until"] is None for h in hist] == [False, False, True]


def test_promote_unknown_version_raises_and_changes_nothing(reg):
    reg.register(_record())
    reg.promote("v1", D(2025, 1, 28), "first")
    before = reg.history()
    with pytest.raises(CTError, match="'v7'"):
        reg.promote("v7", D(2025, 2, 1), "typo")
    assert reg.champion().version == "v1"
    assert reg.history() == before
    assert _status(reg) == {"v1": "champion"}


def test_promote_failing_inside_transaction_keeps_previous_champion(reg, con):
    reg.register(_record())
    reg.register(_record())
    reg.promote("v1", D(2025, 1, 28), "first")
    before = reg.history()
    # a real failure in the last statement (alias INSERT): a day DuckDB cannot cast to DATE,
    # after the UPDATEs that archive v1 and crown v2 already ran in the transaction
    with pytest.raises(duckdb.Error):
        reg.promote("v2", "not-a-date", "bad day")
    assert reg.champion().version == "v1"
    assert _status(reg) == {"v1": "champion", "v2": "contender"}
    assert reg.history() == before and before[0]["until"] is None
    # and the connection is out of the failed transaction: a good promote works
    reg.promote("v2", D(2025, 2, 1), "retry")
    assert _status(reg) == {"v1": "archived", "v2": "champion"}
    assert len(reg.history()) == 2


def test_rejected_since_champion_is_the_newest_rejection_judged_against_it(reg):
    assert reg.rejected_since_champion() is None  # no champion
    v1 = reg.register(_record())
    reg.update(v1.version, status="rejected")  # rejected before any champion existed
    v2 = reg.register(_record())
    reg.promote(v2.version, D(2025, 1, 28), "first")
    assert reg.rejected_since_champion() is None  # v1 was not judged against v2
    for _ in range(2):
        reg.update(reg.register(_record()).version, status="rejected")  # v3, v4
    reg.register(_record())  # v5: a contender not judged yet
    assert reg.rejected_since_champion().version == "v4"
    reg.promote("v5", D(2025, 2, 4), "better")
    assert reg.rejected_since_champion() is None  # a new champion starts afresh
    reg.update(reg.register(_record()).version, status="rejected")
    assert reg.rejected_since_champion().version == "v6"
