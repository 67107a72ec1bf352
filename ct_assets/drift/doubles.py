"""IEEE doubles in their integer order, for exact bisection over all doubles.

Reinterpreting a double's bits as an int64 and flipping the non-sign bits of negative ones
gives integers in the same order as the doubles (-inf < ... < -0.0 < 0.0 < ... < +inf), so the
smallest double with a property is found by bisecting an integer range in at most 64 steps.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

import numpy as np

_FLIP = np.int64(0x7FFF_FFFF_FFFF_FFFF)


def key(x: np.ndarray) -> np.ndarray:
    """Doubles (not NaN) as int64 in the same order: negative ones have their bits flipped."""
    k = np.asarray(x, dtype=np.float64).view(np.int64)
    return np.where(k < 0, k ^ _FLIP, k)


def key_of(x: float) -> int:
    """:func:`key` of one Python float."""
    k = struct.unpack("<q", struct.pack("<d", x))[0]
    return k ^ 0x7FFF_FFFF_FFFF_FFFF if k < 0 else k


def double_of(k: int) -> float:
    return struct.unpack("<d", struct.pack("<q", k ^ 0x7FFF_FFFF_FFFF_FFFF if k < 0 else k))[0]


def value(k: np.ndarray) -> np.ndarray:
    return np.where(k < 0, k ^ _FLIP, k).view(np.float64)


def first_at_least(f: Callable[[np.ndarray], np.ndarray], f_scalar: Callable[[float], float],
                   targets: np.ndarray) -> np.ndarray:
    """For each target, the smallest double ``x`` with ``f(x) >= target`` (``f`` monotone,
    ``f_scalar`` the same function on one Python float). A few targets are bisected in plain
    Python, where numpy calls on tiny arrays would cost more than the arithmetic."""
    targets = np.asarray(targets, dtype=np.float64)
    if targets.size > 16:
        lo = np.full(targets.shape, key(np.array(-np.inf)))
        hi = np.full(targets.shape, key(np.array(np.inf)))
        for _ in range(64):
            mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1)  # the floor of the mean, no overflow
            up = f(value(mid)) >= targets
            hi, lo = np.where(up, mid, hi), np.where(up, lo, mid)
        return value(hi)
    out = []
    for target in targets.tolist():
        lo, hi = key_of(-math.inf), key_of(math.inf)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if f_scalar(double_of(mid)) >= target else (mid, hi)
        out.append(double_of(hi))
    return np.array(out, dtype=np.float64)
