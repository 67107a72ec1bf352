"""ReferenceProfile: fit once on the training data, serialise to plain JSON, compare any day."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .binning import FineBins
from .calibration import Calibrator
from .categorical import MAX_LEVELS, fit_categorical
from .columns import check_frame, check_importances, map_features, select_features
from .compare import assemble, feature_row
from .current import frame_stats
from .legacy import upgrade
from .numeric import N_BINS, fit_numeric, quantile_grid
from .report import DriftReport
from .thresholds import DriftThresholds

FORMAT = "ct-assets/drift-reference-profile"
VERSION = 2  # 2: fine bins and cell grids (numeric), singleton counts (categorical)
READS = (1, 2)  # version 1 is upgraded on reading (see .legacy)


IN_MEMORY_ROWS = 200_000  # DuckDB data this small is compared in pandas (~50 MB at 25 columns)


class ReferenceProfile:
    """Reference statistics of a frame's features (see the package docstring for what is kept)."""

    def __init__(self, features: dict[str, dict], n_rows: int, grid: Iterable[float],
                 n_bins: int = N_BINS, max_levels: int = MAX_LEVELS,
                 importances: Mapping[str, float] | None = None):
        self.features = features
        self.n_rows = int(n_rows)
        self.grid = np.asarray(list(grid), dtype=np.float64)
        self.n_bins = int(n_bins)
        self.max_levels = int(max_levels)
        self.importances = check_importances(importances, features)
        self._bins: dict[str, FineBins] = {}  # built on first compare
        self._fingerprints: dict[str, str] = {}  # keys of the calibration cache, filled by it

    def fine_bins(self) -> dict[str, FineBins]:
        """Each numeric feature's fine bins with its cell grid, built once per profile."""
        for name, spec in self.features.items():
            if spec["kind"] == "numeric" and name not in self._bins:
                self._bins[name] = FineBins.of(spec["fine"]["edges"], spec["grid"])
        return self._bins

    @property
    def numeric(self) -> list[str]:
        return [f for f, s in self.features.items() if s["kind"] == "numeric"]

    @property
    def categorical(self) -> list[str]:
        return [f for f, s in self.features.items() if s["kind"] == "categorical"]

    @classmethod
    def fit(cls, df: pd.DataFrame, categorical: Iterable[str] = (),
            numeric: Iterable[str] | None = None, importances: Mapping[str, float] | None = None,
            n_bins: int = N_BINS, max_levels: int = MAX_LEVELS) -> ReferenceProfile:
        """Profile ``df``. ``numeric=None`` means every other column of ``df`` with a numeric dtype.

        ``importances`` (feature -> weight >= 0) weight the dataset-level drift share; features
        without a weight count 0 (all features count equally when no weight is positive).
        """
        check_frame(df, "reference")
        cats, nums = select_features(df, categorical, numeric)
        if n_bins < 2 or max_levels < 1:
            raise ValueError("n_bins must be >= 2 and max_levels >= 1")
        grid = quantile_grid()
        order = [c for c in df.columns if c in set(cats) | set(nums)]

        def fit_one(c: object) -> dict:
            return fit_categorical(df[c], max_levels) if c in cats else fit_numeric(
                df[c], n_bins, grid)

        specs = map_features(fit_one, [(c,) for c in order], len(df),
                             first=lambda c: c in cats and df[c].dtype != "category")
        features = {str(c): spec for c, spec in zip(order, specs, strict=True)}
        return cls(features, len(df), grid, n_bins, max_levels, importances)

    def compare(self, data: object, thresholds: DriftThresholds | None = None, *,
                table: str | None = None, where: str | None = None,
                params: Sequence | Mapping | None = None,
                in_memory_rows: int = IN_MEMORY_ROWS) -> DriftReport:
        """Drift of the current data against this reference (see :class:`DriftReport`).

        ``data``: a pandas DataFrame; or a DuckDB connection with ``table`` (and optionally a
        SQL ``where`` condition with its ``params``, e.g. ``where="day = ?", params=[day]``); or
        a DuckDB relation. On DuckDB the counts, sums and order statistics are computed in SQL,
        so only a few hundred numbers per feature reach Python (see :mod:`.duck`); data of at
        most ``in_memory_rows`` rows is fetched and compared in pandas instead, which gives the
        same numbers and is faster than a query per feature on a small day.
        """
        thresholds = thresholds if thresholds is not None else DriftThresholds()
        if type(data).__module__.split(".")[0] in ("duckdb", "_duckdb"):
            from .duck import small_frame, sql_stats  # duckdb is imported for DuckDB input only

            frame = small_frame(data, table, where, params, in_memory_rows)
            if frame is not None:
                n_rows, stats, extra = frame_stats(self.features, self.fine_bins(), frame)
            else:
                n_rows, stats, extra = sql_stats(self, data, table, where, params)
        else:
            n_rows, stats, extra = frame_stats(self.features, self.fine_bins(), data)
        calibrator = Calibrator(thresholds, self._fingerprints)
        rows, bins = {}, {}
        for name, spec in self.features.items():
            cur, notes = stats[name]
            rows[name], bins[name] = feature_row(name, spec, cur, n_rows, calibrator, notes)
        return assemble(rows, bins, self.importances, thresholds, n_rows, self.n_rows, extra)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "n_rows": self.n_rows,
                "n_bins": self.n_bins, "max_levels": self.max_levels, "grid": self.grid.tolist(),
                "importances": dict(self.importances), "features": self.features}

    def to_json(self) -> str:
        """Plain JSON (floats with round-trip precision): ``from_json`` restores it exactly."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping) -> ReferenceProfile:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a drift reference profile (format={data.get('format')!r})")
        if data.get("version") not in READS:
            raise ValueError(
                f"unsupported drift profile version {data.get('version')!r}: this code reads "
                f"versions {', '.join(map(str, READS))}; refit the reference profile"
            )
        return cls(upgrade(data), data["n_rows"], data["grid"], data["n_bins"],
                   data["max_levels"], data.get("importances"))

    @classmethod
    def from_json(cls, text: str) -> ReferenceProfile:
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        return (
            f"ReferenceProfile(n_rows={self.n_rows}, numeric={len(self.numeric)}, "
            f"categorical={len(self.categorical)}, importances={bool(self.importances)})"
        )
