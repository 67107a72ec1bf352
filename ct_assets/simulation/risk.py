"""The fraud label: a noisy logistic function of the true features, with two regimes.

Before the concept change the fraud is the classic kind: large amounts at night, far from home,
abroad, on electronics, jewelry and travel, through online and ATM, on prepaid cards. After it a
new ring does card testing: small amounts on digital goods and gift cards, through online and
the mobile app, from new accounts and devices that hold many cards. Some signals (IP risk,
failed logins, device trust) keep working in both regimes, so an old model degrades rather than
collapses. A Gaussian term on the logit stands for what no feature sees; it keeps the best
achievable ROC AUC in the high 0.8s, like real fraud data.
"""

from __future__ import annotations

import numpy as np

from . import catalog as cat
from .scenario import AMOUNT_DRIFT, Day


def _by_level(levels: tuple[str, ...], weights: dict[str, float]) -> np.ndarray:
    return np.array([weights.get(level, 0.0) for level in levels])


# Logit offsets per category level, (before, after) the concept change.
MERCHANT = (
    _by_level(cat.MERCHANT_CATEGORIES, {"electronics": 1.0, "jewelry": 1.3, "travel": 0.7,
                                        "grocery": -0.5, "utilities": -0.7, "health": -0.4}),
    _by_level(cat.MERCHANT_CATEGORIES, {"digital_goods": 1.5, "gift_cards": 1.8,
                                        "grocery": -0.5, "utilities": -0.7, "health": -0.4}),
)  # fmt: skip
CHANNEL = (
    _by_level(cat.CHANNELS, {"online": 0.8, "atm": 0.9, "contactless": -0.5, "pos": -0.3}),
    _by_level(cat.CHANNELS, {"online": 0.7, "mobile_app": 1.2, "contactless": -0.5, "pos": -0.6}),
)
COUNTRY = (
    _by_level(cat.COUNTRIES, {c: 0.5 for c in cat.COUNTRIES[1:]} | {"NG": 1.2, "BR": 0.8}),
    _by_level(cat.COUNTRIES, {"BR": 0.3}),
)
CARD = (
    _by_level(cat.CARD_TYPES, {"prepaid": 0.9, "corporate": -0.4}),
    _by_level(cat.CARD_TYPES, {"prepaid": 0.4, "credit": 0.5}),
)
INTERCEPT = (-5.6, -7.0)
#: After the change the classic fraud does not vanish; it thins out by this much (log-odds).
CLASSIC_DAMPING = 0.9
NOISE_SD = 0.9


def _shared(f: dict[str, np.ndarray], r: int) -> np.ndarray:
    """Signals that work in both regimes, plus the regime's category offsets and intercept."""
    return (
        0.6 * f["ip_risk_score"]
        + 0.45 * f["failed_logins_24h"]
        - 2.0 * (f["device_trust_score"] - 0.71)
        + MERCHANT[r][f["merchant_category"]]
        + CHANNEL[r][f["channel"]]
        + COUNTRY[r][f["country"]]
        + CARD[r][f["card_type"]]
        + INTERCEPT[r]
    )


def classic_logit(f: dict[str, np.ndarray], day: Day) -> np.ndarray:
    """Big spend at night, far from home, abroad, on resaleable goods."""
    z_amount = np.log(f["amount"]) - 3.7 - AMOUNT_DRIFT * day.progress  # relative to prices
    return (
        _shared(f, 0)
        + 0.7 * z_amount
        + 1.1 * (f["hour"] < 5)
        + 0.35 * (np.log1p(f["distance_from_home_km"]) - 2.5)
        + 0.35 * f["txn_count_1h"]
        + 0.4 * np.log(f["amount_to_avg_ratio"])
        + 0.5 * f["merchant_risk_score"]
        - 0.25 * (np.log1p(f["account_age_days"]) - 6.3)
    )


def card_testing_logit(f: dict[str, np.ndarray], day: Day) -> np.ndarray:
    """Small amounts in quick succession from new accounts and card-laden devices."""
    z_amount = np.log(f["amount"]) - 3.7 - AMOUNT_DRIFT * day.progress
    return (
        _shared(f, 1)
        - 0.8 * z_amount
        + 0.6 * f["txn_count_1h"]
        + 0.7 * (f["num_cards_on_device"] - 1.0)
        - 0.6 * (np.log1p(f["account_age_days"]) - 6.3)
        - 0.3 * (np.log1p(f["minutes_since_last_txn"]) - 5.5)
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def fraud_probability(rng: np.random.Generator, f: dict[str, np.ndarray], day: Day) -> np.ndarray:
    """P(fraud) per row, with unobserved noise on each logit: classic fraud, plus card testing
    once the concept change has happened (either pattern makes a row fraudulent)."""
    n = len(f["amount"])
    damping = CLASSIC_DAMPING if day.changed else 0.0
    p = _sigmoid(classic_logit(f, day) - damping + rng.normal(0.0, NOISE_SD, n))
    if day.changed:
        q = _sigmoid(card_testing_logit(f, day) + rng.normal(0.0, NOISE_SD, n))
        p = 1.0 - (1.0 - p) * (1.0 - q)
    return p


def draw_labels(rng: np.random.Generator, f: dict[str, np.ndarray], day: Day) -> np.ndarray:
    """Bernoulli fraud labels (int8)."""
    p = fraud_probability(rng, f, day)
    return (rng.random(len(p)) < p).astype(np.int8)
