"""Retraining policy: every branch of the drift and periodic decisions, with their reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from ct_assets.policy import degradation, drift_decision, periodic_decision
from ct_assets.records import DriftSummary, PerformanceSummary
from ct_assets.settings import Settings

D = dt.date
S = Settings(start=D(2025, 1, 1), warmup_days=14, min_train_rows=5000, drift_share=0.3,
             min_new_labels=3000, cooldown_days=7, periodic_every_days=28)
DAY = D(2025, 3, 1)


def _report(**over) -> DriftSummary:
    """A drift report's metadata as the sensor reads it back."""
    base = {"champion_version": "v3", "drift_share": 0.42, "drifted": True,
            "new_labels_since_champion": 4000, "drifted_features": "amount,merchant"}
    return DriftSummary.from_metadata({**base, **over})


def _perf_of(metadata: dict, metric: str = "roc_auc") -> PerformanceSummary | None:
    """A performance report's metadata as the sensor reads it back."""
    return PerformanceSummary.from_metadata({"metric": metric, **metadata} if metadata else {})


# --- drift_decision ----------------------------------------------------------------------------


@pytest.mark.parametrize("report", [DriftSummary(), _report(champion_version="none")])
def test_drift_no_champion(report):
    d = drift_decision(DAY, report, None, S)
    assert d.retrain is False
    assert "no champion" in d.reason and "2025-03-01" in d.reason


def test_drift_not_drifted_names_share_and_threshold():
    d = drift_decision(DAY, _report(drifted=False, drift_share=0.12), None, S)
    assert d.retrain is False
    assert "0.12" in d.reason and "0.3" in d.reason


def test_drift_too_few_new_labels():
    d = drift_decision(DAY, _report(new_labels_since_champion=2999), None, S)
    assert d.retrain is False
    assert "2999" in d.reason and "min_new_labels 3000" in d.reason and "0.42" in d.reason
    # missing count counts as zero
    report = DriftSummary.from_metadata({"champion_version": "v3", "drift_share": 0.42,
                                         "drifted": True})
    d = drift_decision(DAY, report, None, S)
    assert d.retrain is False and "only 0 labels" in d.reason


def test_drift_enough_labels_boundary_retrains():
    d = drift_decision(DAY, _report(new_labels_since_champion=3000), None, S)
    assert d.retrain is True


def test_drift_cooldown_blocks_then_passes_at_boundary():
    blocked = drift_decision(DAY, _report(), DAY - dt.timedelta(days=6), S)
    assert blocked.retrain is False
    assert "cooldown_days 7" in blocked.reason and "2025-02-23" in blocked.reason
    passed = drift_decision(DAY, _report(), DAY - dt.timedelta(days=7), S)
    assert passed.retrain is True


def test_drift_retrains_with_reason_naming_share_threshold_and_features():
    d = drift_decision(DAY, _report(drifted_features="x" * 200), None, S)
    assert d.retrain is True
    assert d.reason.startswith("drift share 0.42 >= 0.3 on 2025-03-01")
    assert "x" * 80 in d.reason and "x" * 81 not in d.reason  # features truncated


def test_drift_cooldown_zero_never_blocks():
    s = S.model_copy(update={"cooldown_days": 0})
    assert drift_decision(DAY, _report(), DAY, s).retrain is True


# --- periodic_decision -------------------------------------------------------------------------


def test_periodic_warming_up_counts_days_inclusively():
    d = periodic_decision(D(2025, 1, 13), 10_000, None, S)  # day 13 of 14
    assert d.retrain is False
    assert "13 of warmup_days 14" in d.reason
    assert periodic_decision(D(2025, 1, 14), 10_000, None, S).retrain is True  # day 14 of 14


def test_periodic_waits_for_labels_for_first_model():
    d = periodic_decision(D(2025, 2, 1), 6999, None, S)  # 5000 to train + 2000 to judge
    assert d.retrain is False
    assert "6999 of min_train_rows + min_holdout_rows 7000" in d.reason


def test_periodic_first_model():
    d = periodic_decision(D(2025, 2, 1), 7000, None, S)
    assert d.retrain is True
    assert d.reason == "first model: 7000 labels known on 2025-02-01"


def test_periodic_too_recent_then_due_at_boundary():
    last = D(2025, 2, 1)
    early = periodic_decision(last + dt.timedelta(days=27), 0, last, S)
    assert early.retrain is False
    assert "27 days ago" in early.reason and "periodic_every_days 28" in early.reason
    due = periodic_decision(last + dt.timedelta(days=28), 0, last, S)
    assert due.retrain is True
    assert "28 days ago" in due.reason and "every 28 days" in due.reason


def test_periodic_after_first_model_ignores_warmup_and_labels():
    s = S.model_copy(update={"periodic_every_days": 1})
    d = periodic_decision(D(2025, 1, 3), 0, D(2025, 1, 2), s)
    assert d.retrain is True


def test_settings_reject_bad_values():
    with pytest.raises(ValueError):
        Settings(drift_share=1.5)
    with pytest.raises(ValueError):
        Settings(periodic_every_days=0)
    with pytest.raises(ValueError):
        Settings(unknown_field=1)


# --- degradation: the champion's realised metric against its holdout metric -------------------


def _perf(**over) -> PerformanceSummary:
    base = {"champion_version": "v3", "champion_roc_auc": 0.80, "champion_holdout_roc_auc": 0.86,
            "champion_rows": 9000, "champion_positives": 120}
    return _perf_of({**base, **over})


def test_degradation_retrains_without_covariate_drift():
    d = drift_decision(DAY, _report(drifted=False, drift_share=0.05), None, S, _perf())
    assert d.retrain is True
    assert d.reason.startswith("performance on 2025-03-01: realised roc_auc 0.800 is 0.060 worse "
                               "than the champion's holdout 0.860")


def test_degradation_boundary_is_perf_drop():
    s = S.model_copy(update={"perf_drop": 0.05})
    quiet = _report(drifted=False, drift_share=0.05)
    assert drift_decision(DAY, quiet, None, s, _perf(champion_roc_auc=0.811)).retrain is False
    assert drift_decision(DAY, quiet, None, s, _perf(champion_roc_auc=0.81)).retrain is True
    assert degradation(_perf(), "v3", s.model_copy(update={"perf_drop": None})) is None


def test_degradation_needs_a_holdouts_worth_of_evidence():
    s = S.model_copy(update={"min_holdout_rows": 2000, "min_holdout_positives": 50})
    assert degradation(_perf(champion_rows=1999), "v3", s) is None
    assert degradation(_perf(champion_positives=49), "v3", s) is None
    assert degradation(_perf(champion_rows=2000, champion_positives=50), "v3", s) is not None


def test_degradation_of_another_model_or_without_numbers_does_not_count():
    assert degradation(_perf(champion_version="v2"), "v3", S) is None  # a stale report
    assert degradation(_perf_of({}), "v3", S) is None
    perf = _perf_of({"champion_version": "v3", "champion_holdout_roc_auc": 0.86,
                     "champion_rows": 9000, "champion_positives": 120})
    assert degradation(perf, "v3", S) is None  # labels of one class only: no realised metric


def test_degradation_of_a_lower_is_better_metric():
    s = S.model_copy(update={"metric": "log_loss", "perf_drop": 0.02})
    worse = {"champion_version": "v3", "champion_log_loss": 0.30,
             "champion_holdout_log_loss": 0.25, "champion_rows": 9000, "champion_positives": 120}
    assert "0.050 worse" in degradation(_perf_of(worse, "log_loss"), "v3", s)
    better = _perf_of({**worse, "champion_log_loss": 0.20}, "log_loss")
    assert degradation(better, "v3", s) is None


def test_degradation_still_needs_labels_and_cooldown():
    quiet = _report(drifted=False, drift_share=0.05, new_labels_since_champion=10)
    d = drift_decision(DAY, quiet, None, S, _perf())
    assert d.retrain is False
    assert "realised roc_auc 0.800" in d.reason and "only 10 labels" in d.reason
    d = drift_decision(DAY, _report(drifted=False), DAY - dt.timedelta(days=1), S, _perf())
    assert d.retrain is False and "cooldown_days 7" in d.reason


def test_no_drift_and_no_degradation_names_both_numbers():
    d = drift_decision(DAY, _report(drifted=False, drift_share=0.12), None, S,
                       _perf(champion_roc_auc=0.85))
    assert d.retrain is False
    assert "0.12" in d.reason and "realised roc_auc 0.850 vs holdout 0.860" in d.reason


def test_covariate_drift_and_degradation_both_named():
    d = drift_decision(DAY, _report(), None, S, _perf())
    assert d.retrain is True
    assert d.reason.startswith("drift share 0.42 >= 0.3") and "; performance on" in d.reason


def test_defaults_retry_a_degraded_champion_three_days_after_a_retrain():
    s = Settings()  # after a concept change contenders fail until labels arrive: retry soon
    assert s.perf_drop == 0.03 and s.refresh_reference
    report, perf = _report(drifted=False, drift_share=0.05), _perf()
    assert drift_decision(DAY, report, DAY - dt.timedelta(days=2), s, perf).retrain is False
    assert drift_decision(DAY, report, DAY - dt.timedelta(days=3), s, perf).retrain is True


def test_degradation_of_an_error_metric_is_relative_to_the_holdout_error():
    s = Settings(task="regression", perf_drop=0.05)
    perf = {"champion_version": "v3", "champion_holdout_rmse": 20.0, "champion_rows": 9000}
    def of(rmse):
        return _perf_of({**perf, "champion_rmse": rmse}, "rmse")

    assert degradation(of(20.9), "v3", s) is None  # 4.5% worse
    assert "rmse 21.000 is 1.000 worse" in degradation(of(21.0), "v3", s)
    assert degradation(of(15.0), "v3", s) is None  # better is not worse


# --- staleness: no stuck trigger ---------------------------------------------------------------


def test_a_stale_champion_is_retrained_though_nothing_drifted():
    quiet = {"drift_share": 0.05, "drifted": False, "champion_rows": 10_000}
    fresh = drift_decision(DAY, _report(**quiet, new_labels_since_champion=4_999), None, S)
    assert not fresh.retrain and "4999 new labels" in fresh.reason
    stale = drift_decision(DAY, _report(**quiet, new_labels_since_champion=5_000), None, S)
    assert stale.retrain and stale.reason.startswith("stale: 5000 labels since the champion's")
    assert "0.5 x the 10000 rows" in stale.reason


def test_staleness_waits_for_the_cooldown_and_can_be_turned_off():
    quiet = {"drift_share": 0.05, "drifted": False, "champion_rows": 10_000,
             "new_labels_since_champion": 9_000}
    cooling = drift_decision(DAY, _report(**quiet), DAY - dt.timedelta(days=2), S)
    assert not cooling.retrain and "cooldown_days 7" in cooling.reason
    off = S.model_copy(update={"staleness": None})
    assert not drift_decision(DAY, _report(**quiet), None, off).retrain


def test_a_drift_reason_wins_over_staleness_in_the_run_tag():
    both = _report(champion_rows=1_000, new_labels_since_champion=4_000)
    d = drift_decision(DAY, both, None, S)
    assert d.retrain and d.reason.startswith("drift share 0.42") and "stale" not in d.reason


def test_an_old_champion_is_retrained_on_its_age_alone():
    quiet = {"drift_share": 0.05, "drifted": False, "champion_rows": 10_000,
             "new_labels_since_champion": 100}
    young = _report(**quiet, champion_cutoff=str(DAY - dt.timedelta(days=13)))
    old = _report(**quiet, champion_cutoff=str(DAY - dt.timedelta(days=14)))
    aged = S.model_copy(update={"max_age_days": 14, "min_new_labels": 0})
    assert not drift_decision(DAY, young, None, aged).retrain
    decision = drift_decision(DAY, old, None, aged)
    assert decision.retrain and "14 days ago (max_age_days 14)" in decision.reason
    assert Settings(period="30d").max_age_days is None  # off unless set


def test_covariate_drift_waits_until_the_data_grew_by_drift_growth():
    big = {"champion_rows": 100_000}
    few = drift_decision(DAY, _report(**big, new_labels_since_champion=19_999), None, S)
    assert not few.retrain
    assert "19999 labels since the champion's cutoff, < drift_growth 0.2 x the 100000" in few.reason
    assert drift_decision(DAY, _report(**big, new_labels_since_champion=20_000), None, S).retrain
    # a degraded metric is evidence the champion is wrong now: it does not wait
    assert drift_decision(DAY, _report(**big), None, S, _perf()).retrain
    off = S.model_copy(update={"drift_growth": None})
    assert drift_decision(DAY, _report(**big), None, off).retrain
