"""The simulated world's vocabulary: feature names, category levels and their base mixes.

Kept apart from the generator so that the schema (what downstream code, the feature store and
the serving schema see) can be read in one place, and so that a change to a mix is a change to
data, not to code. Every mix here is the weekday mix before any drift; `scenario.py` bends it
for weekends, for the slow covariate shift and for the concept change.
"""

from __future__ import annotations

import numpy as np

#: Numeric features, in column order. All are emitted as float64 so that a day with missing
#: values (the data-quality incident) has the same column types as any other day.
NUMERIC: tuple[str, ...] = (
    "amount",  # lognormal spend; drifts upwards (inflation), higher at weekends
    "hour",  # hour of the event time (0-23), later at weekends
    "customer_age",  # near-normal integer, 18-90
    "account_age_days",  # gamma; ~1% missing always
    "txn_count_1h",  # Poisson, mostly 0
    "txn_count_24h",  # Poisson; drifts upwards
    "txn_count_7d",  # Poisson, correlated with txn_count_24h
    "minutes_since_last_txn",  # exponential
    "distance_from_home_km",  # lognormal, bimodal with foreign countries; drifts upwards
    "distance_from_last_txn_km",  # lognormal, wide
    "amount_to_avg_ratio",  # lognormal ratio around 1
    "credit_utilization",  # beta, bounded in [0, 1]; drifts upwards
    "merchant_risk_score",  # near-normal score from an upstream feed; the incident feature
    "device_trust_score",  # beta, bounded in [0, 1]; ~1% missing always
    "ip_risk_score",  # near-normal score
    "failed_logins_24h",  # zero-inflated Poisson
    "num_cards_on_device",  # low-cardinality integer 1-5
    "amount_velocity_24h",  # heavy-tailed (Pareto) spend over the last day
    "share_online_30d",  # beta, bounded in [0, 1], higher for online channels
)

#: Numeric features read off the event time: a day's distribution follows the weekly cycle.
CALENDAR: tuple[str, ...] = ("hour",)

CATEGORICAL: tuple[str, ...] = ("merchant_category", "channel", "country", "card_type")

MERCHANT_CATEGORIES = (
    "grocery", "restaurant", "fuel", "retail", "electronics", "travel",
    "entertainment", "digital_goods", "health", "utilities", "jewelry", "gift_cards",
)  # fmt: skip
MERCHANT_WEIGHTS = np.array(
    [0.20, 0.14, 0.09, 0.15, 0.06, 0.04, 0.06, 0.05, 0.07, 0.08, 0.02, 0.02]
)
#: Weekend multipliers: people eat out and go out, and pay fewer bills.
MERCHANT_WEEKEND = np.array([1.1, 1.4, 0.9, 1.1, 1.0, 1.0, 1.6, 1.0, 0.6, 0.4, 1.0, 1.0])
#: After the concept change a new fraud ring works through digital goods and gift cards, and
#: their legitimate volume grows too (a marketplace launch): the mix moves visibly.
MERCHANT_CHANGED = np.array([0.9, 0.9, 0.9, 1.0, 1.3, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 4.5])
#: Log-amount offset by merchant: a flight costs more than a coffee.
MERCHANT_AMOUNT = np.array([0.0, -0.4, -0.1, 0.2, 0.8, 1.0, 0.0, -0.6, 0.1, 0.3, 1.2, 0.2])
#: Mean of the merchant risk score by merchant (the upstream feed knows something).
MERCHANT_SCORE = np.array([-0.4, -0.2, -0.1, 0.0, 0.5, 0.3, 0.0, 0.3, -0.3, -0.5, 0.7, 0.4])

CHANNELS = ("pos", "contactless", "online", "mobile_app", "atm")
CHANNEL_WEIGHTS = np.array([0.45, 0.25, 0.19, 0.07, 0.04])
CHANNEL_WEEKEND = np.array([1.2, 1.2, 0.8, 0.9, 0.9])
#: The concept change comes with a jump in online and in-app share.
CHANNEL_CHANGED = np.array([0.8, 0.8, 2.4, 2.6, 1.0])

#: "US" is home; the share of foreign transactions grows slowly (the covariate shift).
COUNTRIES = ("US", "GB", "CA", "DE", "FR", "MX", "ES", "IT", "BR", "NG")
COUNTRY_WEIGHTS = np.array([0.64, 0.06, 0.06, 0.04, 0.04, 0.05, 0.03, 0.03, 0.03, 0.02])

CARD_TYPES = ("debit", "credit", "prepaid", "corporate")
CARD_WEIGHTS = np.array([0.50, 0.38, 0.07, 0.05])

#: Weekday volume multipliers, Monday first; mean 1 so rows_per_day stays the weekly mean.
WEEKLY_VOLUME = np.array([0.92, 0.94, 0.97, 1.00, 1.08, 1.12, 0.97])

#: Features with a small base rate of missing values on every day.
BASE_MISSING: dict[str, float] = {"account_age_days": 0.01, "device_trust_score": 0.012}

LEVELS: dict[str, tuple[str, ...]] = {
    "merchant_category": MERCHANT_CATEGORIES,
    "channel": CHANNELS,
    "country": COUNTRIES,
    "card_type": CARD_TYPES,
}
