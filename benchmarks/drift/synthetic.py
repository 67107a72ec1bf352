"""A reference/current pair like ``../shared/bench/gen_data.py`` makes, built in memory with
numpy only (no pyarrow, no files), for the regression guard: 20 numeric features of varied
shapes (heavy tails, counts, 5% missing, near-constant) and 5 categorical ones as ``category``,
8 of 25 shifted (``SHIFTED``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SHIFTED = {"num_01", "num_02", "num_04", "num_06", "num_08", "num_13", "cat_01", "cat_04"}


def _numeric(r: np.random.Generator, n: int, c: bool) -> dict[str, np.ndarray]:
    def bimodal(w, m2):
        return np.where(r.random(n) < w, r.normal(0.0, 1.0, n), r.normal(m2, 1.0, n))

    with_nan = r.normal(50.0, 10.0, n)
    with_nan[r.random(n) < 0.05] = np.nan
    near = np.where(r.random(n) < 0.001, 1.0 + r.normal(0.0, 0.01, n), 1.0)
    return {
        "num_00": r.normal(0.0, 1.0, n), "num_01": r.normal(11.0 if c else 10.0, 2.0, n),
        "num_02": r.normal(-5.0, 4.5 if c else 3.0, n), "num_03": r.lognormal(0.0, 1.0, n),
        "num_04": r.lognormal(1.2 if c else 1.0, 0.5, n), "num_05": bimodal(0.5, 4.0) - 2.0,
        "num_06": bimodal(0.7 if c else 0.5, 5.0), "num_07": r.poisson(3.0, n),
        "num_08": r.poisson(22.0 if c else 20.0, n), "num_09": r.negative_binomial(2, 0.1, n),
        "num_10": with_nan, "num_11": near, "num_12": r.random(n),
        "num_13": r.exponential(1.2 if c else 1.0, n), "num_14": r.standard_t(3.0, n),
        "num_15": r.beta(2.0, 5.0, n), "num_16": r.gamma(2.0, 2.0, n),
        "num_17": r.normal(100.0, 15.0, n), "num_18": r.integers(0, 10_000, n),
        "num_19": np.round(r.normal(0.0, 1.0, n), 2),
    }


def _categorical(r: np.random.Generator, n: int, c: bool) -> dict[str, pd.Categorical]:
    def levels(prefix: str, k: int) -> np.ndarray:
        return np.array([f"{prefix}{i:0{len(str(k - 1))}d}" for i in range(k)], dtype=object)

    def zipf(k: int, a: float) -> np.ndarray:
        p = 1.0 / np.arange(1, k + 1) ** a
        return p / p.sum()

    unseen = r.integers(0, 20, n)
    if c:
        new = r.random(n) < 0.03
        unseen[new] = 20 + r.integers(0, 5, int(new.sum()))
    codes = {
        "cat_00": (r.choice(3, n, p=[0.5, 0.3, 0.2]), np.array(["A", "B", "C"], dtype=object)),
        "cat_01": (r.choice(5, n, p=[0.2, 0.25, 0.2, 0.2, 0.15] if c else
                            [0.35, 0.25, 0.2, 0.12, 0.08]), levels("k", 5)),
        "cat_02": (r.choice(50, n, p=zipf(50, 1.0)), levels("m", 50)),
        "cat_03": (r.choice(5000, n, p=zipf(5000, 0.8)), levels("h", 5000)),
        "cat_04": (unseen, np.concatenate([levels("u", 20), levels("new", 5)])),
    }
    return {name: pd.Categorical(names[k]) for name, (k, names) in codes.items()}


def frames(n: int, seed: int = 20240601) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(reference, current)`` of ``n`` rows each."""
    out = []
    for current in (False, True):
        r = np.random.default_rng([seed, int(current)])
        out.append(pd.DataFrame({**_numeric(r, n, current), **_categorical(r, n, current)}))
    return out[0], out[1]
