"""Draw one day's transactions: event times, categorical codes and numeric features.

Features are drawn from shapes a real tabular model meets (lognormal amounts, Poisson counts,
bounded beta ratios, a Pareto tail, a low-cardinality integer) and are tied together where a
real world would tie them: a latent customer activity drives the counts, the merchant drives the
amount and its risk score, a foreign country means a long distance from home. The values here
are the *true* ones; missing values are applied afterwards (`mask_missing`) so that the label,
which depends on the truth, is unaffected by a broken feed, as it would be in life.
"""

from __future__ import annotations

import numpy as np

from . import catalog as cat
from .scenario import AMOUNT_DRIFT, Day, mixes

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR

# Time-of-day mixture, indexed by weekend: three peaks (commute, midday, evening) given by means,
# sds and weights, and a uniform share for the night.
_TOD_MEANS = (np.array([8.5, 13.0, 19.0]), np.array([10.5, 14.5, 21.0]))
_TOD_SDS = (np.array([1.5, 3.0, 2.5]), np.array([2.0, 3.0, 2.5]))
_TOD_WEIGHTS = (np.array([0.18, 0.53, 0.29]), np.array([0.11, 0.49, 0.40]))
_TOD_NIGHT = (0.05, 0.08)


def _time_of_day_us(rng: np.random.Generator, day: Day, n: int) -> np.ndarray:
    """Sorted microseconds since midnight; weekends start later and run later into the night."""
    w = int(day.weekend)
    means, sds, night = _TOD_MEANS[w], _TOD_SDS[w], _TOD_NIGHT[w]
    comp = _codes(rng, np.append(_TOD_WEIGHTS[w] * (1.0 - night), night), n)
    peak = comp < len(means)
    c = np.minimum(comp, len(means) - 1)
    hours = np.where(peak, rng.normal(means[c], sds[c]), rng.uniform(0.0, 24.0, n)) % 24.0
    us = np.minimum((hours * US_PER_HOUR).astype(np.int64), US_PER_DAY - 1)
    us.sort()
    return us


def _codes(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """Category codes drawn with probabilities `p` (inverse-CDF on one uniform per row)."""
    return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n), side="right"), len(p) - 1)


def draw_day(rng: np.random.Generator, day: Day, n: int) -> dict[str, np.ndarray]:
    """One day's rows: `tod_us` (sorted), one code array per categorical, every numeric feature."""
    tod = _time_of_day_us(rng, day, n)
    mix = mixes(day)
    codes = {name: _codes(rng, mix[name], n) for name in cat.CATEGORICAL}
    merchant, channel, country = codes["merchant_category"], codes["channel"], codes["country"]
    p, wknd = day.progress, float(day.weekend)
    activity = rng.standard_normal(n)  # latent: how busy this customer is
    online = np.isin(channel, [cat.CHANNELS.index("online"), cat.CHANNELS.index("mobile_app")])

    price_level = 3.5 + 0.15 * wknd + AMOUNT_DRIFT * p  # weekends spend more; prices creep up
    log_amount = rng.normal(price_level + cat.MERCHANT_AMOUNT[merchant], 0.9)
    count_24h = rng.poisson(2.5 * (1.0 + 0.5 * p) * np.exp(0.4 * activity))
    foreign = country != 0
    distance = np.exp(rng.normal(1.8 + 0.6 * p, 1.1, n))
    distance += np.where(foreign, np.exp(rng.normal(7.0, 0.5, n)), 0.0)

    f: dict[str, np.ndarray] = {"tod_us": tod, **codes}
    f["amount"] = np.round(np.exp(log_amount), 2)
    f["hour"] = (tod // US_PER_HOUR).astype(np.float64)
    f["customer_age"] = np.clip(np.round(rng.normal(42.0, 14.0, n)), 18, 90)
    f["account_age_days"] = np.round(rng.gamma(1.5, 500.0, n))
    f["txn_count_1h"] = rng.poisson(0.3 * np.exp(0.3 * activity)).astype(np.float64)
    f["txn_count_24h"] = count_24h.astype(np.float64)
    f["txn_count_7d"] = (count_24h + rng.poisson(10.0 * np.exp(0.4 * activity))).astype(np.float64)
    f["minutes_since_last_txn"] = np.round(rng.exponential(600.0 / np.exp(0.5 * activity)), 1)
    f["distance_from_home_km"] = np.round(distance, 2)
    f["distance_from_last_txn_km"] = np.round(np.exp(rng.normal(1.0, 1.4, n)), 2)
    f["amount_to_avg_ratio"] = np.round(np.exp(rng.normal(0.0, 0.7, n)), 3)
    f["credit_utilization"] = rng.beta(2.0 + 1.2 * p, 5.0, n)
    f["merchant_risk_score"] = rng.normal(cat.MERCHANT_SCORE[merchant], 1.0)
    f["device_trust_score"] = rng.beta(5.0, 2.0, n)
    f["ip_risk_score"] = rng.normal(0.0, 1.0, n)
    f["failed_logins_24h"] = np.where(rng.random(n) < 0.15, rng.poisson(1.5, n), 0).astype(float)
    f["num_cards_on_device"] = _codes(rng, np.array([0.70, 0.18, 0.07, 0.03, 0.02]), n) + 1.0
    velocity = 50.0 * (rng.pareto(1.6, n) + 1.0) * np.exp(0.3 * activity)  # Lomax tail
    f["amount_velocity_24h"] = np.round(velocity, 2)
    f["share_online_30d"] = rng.beta(1.5 + 1.5 * online, 4.0)
    return f


def mask_missing(
    rng: np.random.Generator, f: dict[str, np.ndarray], day: Day, incident: str
) -> None:
    """Apply the always-on small missing rates and, on incident days, blank `incident` entirely."""
    n = len(f["tod_us"])
    for name, rate in cat.BASE_MISSING.items():
        f[name] = np.where(rng.random(n) < rate, np.nan, f[name])
    if day.incident:
        f[incident] = np.full(n, np.nan)
