"""The built-in event source: a seeded, day-addressable card-fraud stream that changes.

A continuous-training loop has to be shown reacting to something, so the default stream is a
scripted story on top of realistic noise (the day indices are fields of `EventSimulator` and are
listed by `EventSimulator().scenario`):

* every day: a few thousand card transactions (2,500 on average; more on Fridays and
  Saturdays), 19 numeric features of varied shapes and 4 categorical ones, and a fraud label
  (about 3-8 % positive) from a noisy logistic function of both;
* days 0 onwards: a slow covariate shift; amounts, 24 h counts, distance from home and credit
  utilisation creep up and the share of foreign countries grows, so that by day 90 a profile
  fitted on days 0-20 shows clear PSI drift on them;
* days 35-37: a data-quality incident; `merchant_risk_score` is missing for whole days;
* day 55: a concept change; a new fraud pattern (small amounts on digital goods and gift cards
  through online and the app) replaces the old one, and the channel and merchant mixes jump,
  so both drift monitoring and the realised AUC of an old model react;
* always: labels arrive late (days to weeks, fraud later than legitimate traffic), and
  `labels(day)` returns only those whose `label_ts` falls within `day`.

    from ct_assets.simulation import EventSimulator
    sim = EventSimulator(seed=0)
    events = sim.events(date(2025, 1, 1))   # entity_id, event_ts, features
    labels = sim.labels(date(2025, 1, 9))   # entity_id, event_ts, label, label_ts
"""

from .catalog import CATEGORICAL, NUMERIC
from .simulator import DayOutOfRange, EventSimulator

__all__ = ["CATEGORICAL", "NUMERIC", "DayOutOfRange", "EventSimulator"]
