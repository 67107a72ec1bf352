"""Each feature's limits at the current sample size: fixed, or calibrated on the reference.

A calibrated limit is ``max(null quantile at n rows, floor)``: the null quantile (from
:mod:`.null`) keeps the false-alarm rate at ``false_alarm`` per feature however small the
period, and the floor (the configured threshold, e.g. PSI 0.1) keeps million-row periods from
alarming on shifts too small to matter. The metrics of one feature are calibrated jointly, so
"any metric above its limit" is what has the rate ``false_alarm``.

Cheap by construction: when large-sample bounds say that even the null's 1-in-10,000 quantile
is below every floor (:mod:`.bounds`), the limits are the floors and nothing is simulated;
otherwise a few hundred vectorised replicates are drawn, seeded by (seed, feature) so that
reports are deterministic. Null models and quantiles are kept in a bounded in-process cache
keyed by the feature and its reference statistics, so a replay that compares many periods
with one profile simulates each (feature, n-bucket) once. Sample sizes above ``EXACT_N`` are
rounded down to steps of 2^(1/8) (about 9%), which errs on the safe side.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import zlib
from collections import OrderedDict

import numpy as np

from .bounds import negligible
from .null import NullModel, joint_quantiles

EXACT_N = 256
CACHED = 4096
_cache: OrderedDict = OrderedDict()  # (kind, feature, fingerprint, ...) -> model or limits
_lock = threading.Lock()


def bucket(n: int) -> int:
    """The sample size the null is simulated at: ``n`` itself up to ``EXACT_N``, else the
    largest ``2^(k/8)`` not above it."""
    return n if n <= EXACT_N else int(2.0 ** (math.floor(8 * math.log2(n)) / 8))


def _cached(key: tuple, make):
    """``_cache[key]``, made on a miss; least recently used entries go first (thread-safe)."""
    with _lock:
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
        size, key = bucket(n), (name, self.fingerprints[name])  # the name seeds the draws
        if spec["kind"] == "categorical":
            key += (hash(np.asarray(ref_counts).tobytes()),)
            model = _cached(("model", *key), lambda: NullModel.categorical(spec, ref_counts))
        else:
            model = _cached(("model", *key), lambda: NullModel.numeric(spec))
        if negligible(model, size, {m: limits[m] for m in tuned}):
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
