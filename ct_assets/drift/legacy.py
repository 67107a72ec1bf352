"""Profiles saved by the first version of this package (format version 1), read as version 2.

Homes on disk hold version-1 profiles of their champions, so :meth:`.ReferenceProfile.from_dict`
upgrades them instead of refusing them:

- PSI bins, counts and missing counts are unchanged, so PSI, KL, JS and the missing and unseen
  shares are exactly what version 1 reported;
- version 1 kept, for Wasserstein, the reference quantiles on a probability grid and the mean
  of the reference inside each grid interval. They become fine bins: the edges are those
  quantiles (and the PSI edges), and each interval's rows count in the bin holding its mean,
  so Wasserstein-1 is as before up to how rows near an edge fall (well within 1%);
- there is no cell grid, so the current data is binned with ``np.searchsorted`` (exact, a few
  times slower: refit the reference for the fast path);
- categoricals gain ``n_singletons`` (levels seen once, for :mod:`.calibration`), counted from
  the kept levels; the pooled tail's levels count as singletons when the rarest kept level is.
"""

from __future__ import annotations

import numpy as np


def upgrade(profile: dict) -> dict:
    """The features of a profile dict, in version 2 (version 1 is converted)."""
    features = dict(profile["features"])
    if profile["version"] == 1:
        features = {name: _feature(spec, profile["grid"]) for name, spec in features.items()}
    return features


def _feature(spec: dict, grid: list[float]) -> dict:
    """A version-2 feature spec from a version-1 one (``grid``: the profile's probabilities)."""
    if spec["kind"] == "categorical":
        counts = np.asarray(spec["counts"], dtype=np.int64)
        singletons = int(np.count_nonzero(counts == 1))
        if spec["other_levels"] and (counts.size == 0 or counts.min() <= 1):
            singletons += len(spec["other_levels"])
        return {**spec, "n_singletons": singletons}
    out = {k: v for k, v in spec.items() if k not in ("quantiles", "means", "center")}
    if spec.get("quantiles") is None:
        return {**out, "fine": {"edges": [], "counts": [0], "means": [0.0]}, "grid": None}
    edges = np.unique(np.concatenate([spec["edges"], spec["quantiles"]]))
    mass = np.diff(np.asarray(grid, dtype=np.float64)) * (spec["n"] - spec["n_missing"])
    means = np.asarray(spec["means"], dtype=np.float64)
    at = np.searchsorted(edges, means, side="right")
    counts = np.bincount(at, weights=mass, minlength=edges.size + 1)
    sums = np.bincount(at, weights=mass * means, minlength=edges.size + 1)
    empty = np.concatenate(([edges[0]], edges))
    bin_means = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), empty)
    return {**out, "fine": {"edges": edges.tolist(), "counts": counts.tolist(),
                            "means": bin_means.tolist()}, "grid": None}
