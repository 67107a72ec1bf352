"""Reference profiles of a champion: calendar features are monitored but do not count toward the
dataset drift share (a Saturday against a week-long reference is the calendar, not drift)."""

from __future__ import annotations

import pandas as pd
import pytest

from ct_assets.drift import ReferenceProfile
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet
from ct_assets.training import TrainedModel
from ct_assets.training.reference import reference_profiles

SIM = EventSimulator(seed=1, rows_per_day=2500)
FSET = FeatureSet(tuple(SIM.numeric), tuple(SIM.categorical), tuple(SIM.calendar))
SATURDAY = next(SIM.date_of(i) for i in range(7, 14) if SIM.date_of(i).weekday() == 5)


def _rows(days) -> pd.DataFrame:
    frames = [SIM.labeled_events(d) for d in days]
    return pd.concat([FSET.transform(f).assign(label=f["label"].to_numpy()) for f in frames],
                     ignore_index=True)


@pytest.fixture(scope="module")
def fitted():
    week = _rows([SIM.date_of(i) for i in range(7)])  # a whole weekly cycle, as a holdout is
    model = TrainedModel.fit(week, FSET.schema, rounds=40, threads=1)
    saturday = FSET.transform(SIM.events(SATURDAY))
    return model, week, saturday


def _report(model, week, saturday, calendar):
    profile = reference_profiles(model, week, FSET.monitored, calendar)
    return ReferenceProfile.from_dict(profile["features"]).compare(saturday[FSET.monitored])


def test_simulator_declares_hour_as_calendar():
    assert FSET.calendar == ("hour",) and "hour" in FSET.monitored
    assert FSET.version == FeatureSet(FSET.numeric, FSET.categorical).version  # same features


def test_calendar_feature_is_reported_but_weighs_nothing(fitted):
    model, week, saturday = fitted
    counted = _report(model, week, saturday, calendar=())
    uncounted = _report(model, week, saturday, calendar=FSET.calendar)
    # later hours at weekends: the hour of a Saturday drifts against the week either way
    assert counted.features.loc["hour", "drifted"] and uncounted.features.loc["hour", "drifted"]
    weight = counted.features.loc["hour", "importance"]
    assert weight > 0 and uncounted.features.loc["hour", "importance"] == 0
    others = uncounted.features.drop(index="hour")
    assert uncounted.share == pytest.approx(float((others["importance"] * others["drifted"]).sum()))
    assert uncounted.share < counted.share
