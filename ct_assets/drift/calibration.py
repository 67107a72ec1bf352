"""Each feature's limits at the current sample size: fixed, or calibrated on the reference.

A calibrated limit is ``max(null quantile at n rows, floor)``: the null quantile (from
:mod:`.null`) keeps the false-alarm rate at ``false_alarm`` per feature however small the
period, and the floor (the configured threshold, e.g. PSI 0.1) keeps million-row periods from
alarming on shifts too small to matter. The metrics of one feature are calibrated jointly, so
"any metric above its limit" is what has the rate ``false_alarm``.

Cheap by construction: when large-sample bounds say that even the null's 1-in-10,000 quantile
is below every floor, the limits are the floors and nothing is simulated; otherwise a few
hundred vectorised replicates are drawn, seeded by (seed, feature) so that reports are
deterministic. Null models and quantiles are kept in a bounded in-process cache keyed by the
feature's reference statistics, so a replay that compares many periods with one profile
simulates each (feature, n-bucket) once. Sample sizes above ``EXACT_N`` are rounded down to
steps of 2^(1/8) (about 9%), which errs on the safe side.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import zlib
from collections import OrderedDict

import numpy as np
from scipy.stats import chi2

from .null import NullModel, joint_quantiles

EXACT_N = 256
TAIL = 1e-4  # tail probability of the large-sample bounds
_Z = 3.9  # normal quantile of TAIL
_BRIDGE = 0.8 + 4.3  # mean + Borell-TIS deviation (sqrt(2 ln 1/TAIL)) of the bridge integral
CACHED = 4096
_cache: OrderedDict = OrderedDict()


def bucket(n: int) -> int:
    """The sample size the null is simulated at: ``n`` itself up to ``EXACT_N``, else the
    largest ``2^(k/8)`` not above it."""
    return n if n <= EXACT_N else int(2.0 ** (math.floor(8 * math.log2(n)) / 8))


def _cached(key: tuple, make):
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    value = _cache[key] = make()
    if len(_cache) > CACHED:
        _cache.popitem(last=False)
    return value


def fingerprint(spec: dict) -> str:
    """A digest of a feature's reference statistics: the cache key of its null model."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Calibrator:
    """Limits per feature for one :class:`.DriftThresholds`; ``fingerprints``: the profile's
    cache of :func:`fingerprint` per feature (filled here on first use)."""

    def __init__(self, thresholds, fingerprints: dict[str, str]):
        self.thresholds, self.fingerprints = thresholds, fingerprints

    def limits(self, name: str, spec: dict, n: int,
               ref_counts: np.ndarray | None = None) -> tuple[dict, bool]:
        """``({metric: limit or None}, calibrated?)`` of one feature at ``n`` current rows;
        ``ref_counts``: a categorical's compare-time reference bins. A metric that does not
        apply to the feature's kind (Wasserstein of a categorical) has no limit."""
        th, applicable = self.thresholds, _applicable(spec)
        limits = {m: v if m in applicable else None for m, v in th.for_feature(name).items()}
        tuned = th.calibrated_metrics(name) & applicable
        if not tuned or spec["n"] == 0:
            return limits, False
        if name not in self.fingerprints:
            self.fingerprints[name] = fingerprint(spec)
        size, key = bucket(n), (self.fingerprints[name],)
        if spec["kind"] == "categorical":
            key += (hash(np.asarray(ref_counts).tobytes()),)
            model = _cached(("model", *key), lambda: NullModel.categorical(spec, ref_counts))
        else:
            model = _cached(("model", *key), lambda: NullModel.numeric(spec))
        if _negligible(model, size, {m: limits[m] for m in tuned}):
            return limits, True
        seed = [th.seed, zlib.crc32(name.encode())]
        quantiles = _cached(
            ("limits", *key, size, tuple(sorted(tuned)), th.false_alarm, th.replicates, th.seed),
            lambda: joint_quantiles(
                {m: v for m, v in model.statistics(size, th.replicates, seed).items()
                 if m in tuned}, th.false_alarm))
        for metric, quantile in quantiles.items():
            limits[metric] = max(limits[metric], quantile)
        return limits, True


def _applicable(spec: dict) -> set[str]:
    if spec["kind"] == "categorical":
        return {"psi", "kl", "js", "missing", "unseen"}
    return {"psi", "kl", "js", "missing", "wasserstein"}


def _negligible(model: NullModel, n: int, floors: dict[str, float]) -> bool:
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
