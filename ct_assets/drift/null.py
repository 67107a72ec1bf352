"""What the reference itself produces at n rows: simulated null distributions of the metrics.

Under "no drift" the current rows are another sample of the reference's population. The
population is estimated by the reference's own bins, so one replicate is two draws over those
bins, a reference of ``m`` rows and a current sample of ``n`` rows, and the metrics of the pair
come from the formulas the report uses (:mod:`.metrics`). Bins:

- numeric: the fine bins plus the missing bin; PSI, KL and JS use their unions (the PSI bins),
  Wasserstein-1 the fine bins with the reference's mean position per bin on both sides;
- categorical: the compare-time bins (kept levels, __other__, __unseen__, __missing__). A
  stationary stream still brings levels the reference never saw, about as often as the
  reference saw a level only once (Good-Turing), so the current sample gets that share of
  __unseen__, taken from the rare levels that the reference overrates (__other__ first);
  without it a long-tailed feature would always look drifted.

Draws (:func:`draw`): exact categorical sampling up to ``SMALL`` rows; beyond, the multinomial's
normal approximation, with Poisson draws for bins expecting fewer than ``RARE`` rows (the far
tails, where a normal would misplace rare extreme values). The reference-side draws do not
depend on n and are made once per model (:meth:`NullModel.reference`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .metrics import cdf_integrals, divergences

SMALL = 200
RARE = 10.0


def draw(rng: np.random.Generator, rows: int, p: np.ndarray, replicates: int) -> np.ndarray:
    """``replicates`` count vectors of ``rows`` rows over bins of probability ``p``."""
    if rows <= SMALL:
        at = np.searchsorted(np.cumsum(p), rng.random((replicates, rows)) * p.sum())
        at = np.minimum(at, p.size - 1) + p.size * np.arange(replicates)[:, None]
        return np.bincount(at.ravel(), minlength=replicates * p.size).reshape(
            replicates, p.size).astype(np.float64)
    expected = rows * p
    rare = expected < RARE
    counts = np.zeros((replicates, p.size))
    counts[:, rare] = rng.poisson(expected[rare], size=(replicates, int(rare.sum())))
    q, n = p[~rare] / p[~rare].sum(), expected[~rare].sum()
    z = rng.standard_normal((replicates, q.size)) * np.sqrt(q)
    counts[:, ~rare] = np.maximum(n * q + np.sqrt(n) * (z - np.outer(z.sum(1), q)), 0.0)
    return counts


@dataclass
class NullModel:
    """The reference's bins as a population (see the module docstring)."""

    shares: np.ndarray  # reference share of each draw bin (the last one: missing)
    psi_starts: np.ndarray | None  # draw bins -> PSI bins (np.add.reduceat); None: the same
    m: int  # reference rows
    fine: tuple | None = None  # numeric: (edges, mean positions, std) for Wasserstein
    p_unseen: float = 0.0  # categorical: Good-Turing share of unseen levels (bin -2)
    _reference: dict = field(default_factory=dict, repr=False)

    @classmethod
    def numeric(cls, spec: dict) -> NullModel:
        fine = spec["fine"]
        counts = np.append(np.asarray(fine["counts"], dtype=np.float64), spec["n_missing"])
        at = np.searchsorted(np.asarray(fine["edges"]), spec["edges"])
        wasserstein = None
        if fine["edges"] and spec["std"] is not None and spec["std"] > 0:
            wasserstein = (np.asarray(fine["edges"]), np.asarray(fine["means"]), spec["std"])
        return cls(counts / counts.sum(), np.concatenate(([0], at + 1, [counts.size - 1])),
                   int(spec["n"]), wasserstein)

    @classmethod
    def categorical(cls, spec: dict, ref_counts: np.ndarray) -> NullModel:
        counts = np.asarray(ref_counts, dtype=np.float64)
        p_unseen = min(spec.get("n_singletons", 0) / max(spec["n"], 1), 0.5)
        return cls(counts / counts.sum(), None, int(spec["n"]), None, p_unseen)

    def reference(self, replicates: int, seed: list[int]) -> dict:
        """The reference-side draws, made once: PSI-bin counts, missing share, CDF integrals."""
        if self._reference.get("drawn") != (replicates, *seed):
            ref = draw(np.random.default_rng([*seed, 0]), self.m, self.shares, replicates)
            self._reference.clear()
            self._reference["drawn"] = (replicates, *seed)
            rows = np.maximum(ref.sum(1), 1.0)  # Poisson draws: totals vary a little
            self._reference.update(psi=self._psi_bins(ref), missing=ref[:, -1] / rows)
            if self.fine is not None:
                edges, means, _ = self.fine
                self._reference["integrals"] = cdf_integrals(edges, ref[:, :-1], means)
        return self._reference

    def statistics(self, n: int, replicates: int, seed: list[int]) -> dict:
        """Null samples of every metric at ``n`` current rows: ``{metric: (replicates,)}``;
        ``seed``: the entropy of the draws (the reference's, then the current sample's at n)."""
        ref = self.reference(replicates, seed)
        cur = draw(np.random.default_rng([*seed, 1, n]), n, self._current_shares(), replicates)
        rows = np.maximum(cur.sum(1), 1.0)
        out = {"wasserstein": np.zeros(replicates)}  # a constant reference: always 0
        if self.fine is not None:
            edges, means, std = self.fine
            diff = ref["integrals"] - cdf_integrals(edges, cur[:, :-1], means)
            out["wasserstein"] = np.abs(diff).sum(1) / std
        psi = divergences(ref["psi"], self._psi_bins(cur))
        out.update(psi=psi["psi"], kl=psi["kl"], js=psi["js"],
                   missing=np.abs(cur[:, -1] / rows - ref["missing"]),
                   unseen=cur[:, -2] / rows if self.p_unseen > 0 else np.zeros(replicates))
        return out

    def _current_shares(self) -> np.ndarray:
        """The current side's population: the reference's shares with the Good-Turing share of
        unseen levels moved to __unseen__ from __other__ (the rarest levels), then from all."""
        p = self.shares.copy()
        if self.p_unseen > 0:
            take = min(self.p_unseen, p[-3])
            p[-3] -= take
            p[:-2] *= 1.0 - (self.p_unseen - take) / max(p[:-2].sum(), 1e-300)
            p[-2] += self.p_unseen
        return p

    def _psi_bins(self, counts: np.ndarray) -> np.ndarray:
        return counts if self.psi_starts is None else np.add.reduceat(
            counts, self.psi_starts, axis=1)


def joint_quantiles(stats: dict[str, np.ndarray], false_alarm: float) -> dict[str, float]:
    """Per-metric limits such that a null replicate exceeds *any* of them with probability
    ``false_alarm``: each metric at the same level of its own null distribution, the level
    set on the distribution of each replicate's most extreme rank (a max-statistic)."""
    if not stats:
        return {}
    reps = len(next(iter(stats.values())))
    ranks = [np.searchsorted(np.sort(v), v, side="right") / reps for v in stats.values()]
    level = float(np.quantile(np.max(ranks, axis=0), 1.0 - false_alarm))
    return {m: float(np.quantile(v, level)) for m, v in stats.items()}
