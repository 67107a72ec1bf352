"""A uniform grid of cells over the core of a numeric feature: binning without sort or search.

A value's cell is ``trunc(clamp((x - lo) * scale, 0, cells + 1))``: four arithmetic passes over
the values, where a sort or a binary search costs 10-50 times more per value. Cells
``1 .. cells`` cover the core ``[lo + 1/scale, lo + (cells + 1)/scale)`` (the core spans the
reference's 0.1% to 99.9% quantiles); cell 0 collects values below it, NaN and -inf, and cell
``cells + 1`` values above it and +inf. Those few values are binned exactly, one by one (see
:mod:`.binning`). ``scale`` is a power of two, so for integer data (and any data on a binary
grid) the cell starts are the values themselves and edges stay round numbers.

Exactness: each IEEE operation rounds monotonically, so the cell is a non-decreasing function
of ``x``. An edge placed at the first double of a cell (:meth:`CellGrid.cell_start`) therefore
splits values exactly as ``np.searchsorted(edges, x, "right")`` would, with no value ever on
the wrong side because of rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .doubles import first_at_least

CELLS = 1 << 13  # 8,192: bin edges of ordinary columns stay apart; tables stay in L2 cache
MAX_CELLS = 1 << 17  # for peaked columns whose edges would otherwise share cells
CORE = 0.001  # the core leaves out this share of the reference at each end


@dataclass(frozen=True)
class CellGrid:
    """``cells`` cells of width ``1 / scale`` from ``lo``; JSON as ``{"lo", "scale", "cells"}``."""

    lo: float
    scale: float
    cells: int = CELLS

    def positions(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``(x - lo) * scale`` into ``out``: a value's position in cells from ``lo``."""
        np.subtract(x, self.lo, out=out)
        return np.multiply(out, self.scale, out=out)

    def cells_into(self, x: np.ndarray, u: np.ndarray, cell: np.ndarray) -> np.ndarray:
        """Cell of each value into ``cell`` (``u``: scratch of the same length)."""
        self.positions(x, u)
        np.fmax(u, 0.0, out=u)  # fmax/fmin, unlike clip, send NaN to the bound
        np.fmin(u, self.cells + 1.0, out=u)
        np.copyto(cell, u, casting="unsafe")  # truncation
        return cell

    def cells_of(self, x: np.ndarray) -> np.ndarray:
        """Cell of each value (0: below the core, NaN or -inf; ``cells + 1``: above, +inf)."""
        x = np.asarray(x, dtype=np.float64)
        return self.cells_into(x, np.empty(x.shape), np.empty(x.shape, dtype=np.intp))

    def in_core(self, cells: np.ndarray) -> np.ndarray:
        return (cells >= 1) & (cells <= self.cells)

    def cell_start(self, j: np.ndarray) -> np.ndarray:
        """The smallest double whose cell is ``>= j``, for core cells ``j`` (exact).

        The guess is where ``x - lo`` starts to round to ``t = j / scale``: ``lo + t`` less
        half the gap below ``t`` (near 0, where doubles are far denser than around ``t``,
        ``lo + t`` alone is thousands of doubles off). It is moved by single doubles until it
        qualifies and its predecessor does not (with the arithmetic of :meth:`positions`, so
        no rounding can put it on the wrong side); the rare guess that does not settle so is
        bisected.
        """
        j = np.asarray(j, dtype=np.float64)
        t = j / self.scale
        x = (self.lo + t) - (t - np.nextafter(t, -np.inf)) * 0.5
        for _ in range(4):
            x = np.where(self._at(x) >= j, x, np.nextafter(x, np.inf))
        for _ in range(4):
            below = np.nextafter(x, -np.inf)
            x = np.where(self._at(below) >= j, below, x)
        settled = (self._at(x) >= j) & (self._at(np.nextafter(x, -np.inf)) < j)
        if not settled.all():
            x[~settled] = self._bisect(j[~settled])
        return x + 0.0  # -0.0 -> 0.0 (equal as an edge, clearer in a label)

    def _at(self, x: np.ndarray) -> np.ndarray:
        return self.positions(x, np.empty(np.shape(x)))

    def _bisect(self, j: np.ndarray) -> np.ndarray:
        """:meth:`cell_start` by bisection over all doubles."""
        lo, scale = self.lo, self.scale
        return first_at_least(self._at, lambda x: (x - lo) * scale, j)  # as positions()

    def midpoints(self) -> np.ndarray:
        """Where values of each cell count as lying (Wasserstein): the cell's middle."""
        return self.lo + (np.arange(self.cells + 2) + 0.5) / self.scale

    def to_dict(self) -> dict:
        return {"lo": self.lo, "scale": self.scale, "cells": self.cells}


def fit_grid(sorted_values: np.ndarray, edges: np.ndarray) -> CellGrid | None:
    """The grid for a sorted finite reference: a core between its 0.1% and 99.9% quantiles
    (1% and 99% if outliers stretch it too far), holding most of ``edges`` (the PSI bin
    edges), with enough cells that they keep distinct cells.

    A peaked column's core falls back to its full range, a constant column's to
    ``c +/- max(1, |c| 1e-6)``. None when no grid keeps the edges apart: the column is then
    binned exactly (``np.searchsorted``, several times slower), never with merged bins.
    """
    n, edges = sorted_values.size, np.unique(edges)
    for trim in (CORE, 10 * CORE):
        lo, hi = float(sorted_values[int(trim * n)]), float(sorted_values[n - 1 - int(trim * n)])
        if not hi > lo:
            lo, hi = float(sorted_values[0]), float(sorted_values[-1])
        if not hi > lo:
            half = max(1.0, abs(lo) * 1e-6)
            lo, hi = lo - half, hi + half
        cells = CELLS
        while cells <= MAX_CELLS:
            with np.errstate(over="ignore", divide="ignore"):
                scale = 2.0 ** np.floor(np.log2(cells / (hi - lo)))  # cells / range, rounded down
            if not (np.isfinite(scale) and scale > 0 and np.isfinite(lo - 2.0 / scale)):
                break
            grid = CellGrid(lo, float(scale), int(np.ceil((hi - lo) * scale)))
            c = grid.cells_of(edges)
            inside = c[grid.in_core(c)]
            if 2 * inside.size < edges.size:
                break  # the core is not where the edges are: outliers stretch it
            if np.unique(inside).size == inside.size:
                return grid
            cells *= 4
    return None
