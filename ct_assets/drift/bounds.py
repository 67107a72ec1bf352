"""When simulating the null is unnecessary: large-sample bounds of its extreme quantiles.

At large samples the null of every metric shrinks (like 1/n for PSI, 1/sqrt(n) for
Wasserstein) far below the floors, and a calibrated limit is just the floor. These bounds say
when: if even the null's 1-in-10,000 quantile (``TAIL``) is below every floor by the usual
approximations, :mod:`.calibration` uses the floors and simulates nothing (million-row periods
cost no simulation). The bounds are deliberately loose; a feature they cannot clear is simulated.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.stats import chi2

from .null import NullModel

TAIL = 1e-4  # tail probability of the large-sample bounds
_Z = 3.9  # normal quantile of TAIL
_BRIDGE = 0.8 + 4.3  # mean + Borell-TIS deviation (sqrt(2 ln 1/TAIL)) of the bridge integral


def negligible(model: NullModel, n: int, floors: dict[str, float]) -> bool:
    """Large-sample bounds of the null's 1-in-10,000 quantile all below the floors?

    PSI (KL, JS) of unshifted bins: the chi-square approximation ``chi2(k - 1) / n_eff``. A
    categorical's unseen levels add, for a share ``u`` of current rows in a bin the reference
    has not, ``u ln(2 m u)`` to PSI and KL and ``u / 2`` to JS squared; ``u`` is bounded by
    its binomial quantile. Missing shares: a normal bound. Wasserstein: :func:`_bridge_scale`.
    """
    n_eff = 1.0 / (1.0 / model.m + 1.0 / n)
    psi_shares = model.shares if model.psi_starts is None else np.add.reduceat(
        model.shares, model.psi_starts)
    k = int(np.count_nonzero(psi_shares))
    psi = max(_chi2_tail(k - 1) - (k - 1), 0.0) / n_eff if k > 1 else 0.0
    kl, js2 = psi / 2.0, psi / (8.0 * math.log(2.0))
    unseen = model.p_unseen
    if unseen > 0:
        unseen += _Z * math.sqrt(unseen * (1.0 - unseen) / n)
        extra = unseen * math.log(max(2.0 * model.m * unseen, 1.0))
        psi, kl, js2 = psi + extra, kl + extra, js2 + unseen / 2.0
    p_missing = model.shares[-1]
    bounds = {"psi": psi, "kl": kl, "js": math.sqrt(js2), "unseen": unseen,
              "missing": _Z * math.sqrt(p_missing * (1.0 - p_missing) / n_eff),
              "wasserstein": 0.0}
    if model.fine is not None:
        edges, means, std = model.fine
        values = 1.0 - p_missing
        bounds["wasserstein"] = _BRIDGE * _bridge_scale(model.shares[:-1] / values, edges,
                                                        means) / std / math.sqrt(n_eff * values)
    return all(bounds[m] <= floor for m, floor in floors.items())


@functools.lru_cache(maxsize=4096)
def _chi2_tail(dof: int) -> float:
    return float(chi2.isf(TAIL, dof))


def _bridge_scale(shares: np.ndarray, edges: np.ndarray, means: np.ndarray) -> float:
    """``integral of sqrt(F (1 - F)) dx``, bounded bin by bin: the scale of the Wasserstein
    distance between a distribution and its samples (a Brownian bridge through F)."""
    cdf = np.cumsum(shares)[:-1]  # F at each edge
    spread = np.sqrt(np.clip(cdf * (1.0 - cdf), 0.0, None))
    inner = np.maximum(spread[:-1], spread[1:]) @ np.diff(edges)
    outer = (np.sqrt(shares[0]) * (edges[0] - means[0])
             + np.sqrt(shares[-1]) * (means[-1] - edges[-1]))
    return float(inner + 2.0 * max(outer, 0.0))
