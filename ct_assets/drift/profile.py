"""ReferenceProfile: fit once on the training data, serialise to plain JSON, compare any day."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .categorical import MAX_LEVELS, fit_categorical
from .columns import check_frame, check_importances, select_features
from .compare import COLUMNS, feature_row
from .numeric import N_BINS, fit_numeric, quantile_grid
from .report import DriftReport
from .thresholds import DriftThresholds

FORMAT = "ct-assets/drift-reference-profile"
VERSION = 1


class ReferenceProfile:
    """Reference statistics of a frame's features (see the package docstring for what is kept)."""

    def __init__(
        self,
        features: dict[str, dict],
        n_rows: int,
        grid: Iterable[float],
        n_bins: int = N_BINS,
        max_levels: int = MAX_LEVELS,
        importances: Mapping[str, float] | None = None,
    ):
        self.features = features
        self.n_rows = int(n_rows)
        self.grid = np.asarray(list(grid), dtype=np.float64)
        self.n_bins = int(n_bins)
        self.max_levels = int(max_levels)
        self.importances = check_importances(importances, features)

    @property
    def numeric(self) -> list[str]:
        return [f for f, s in self.features.items() if s["kind"] == "numeric"]

    @property
    def categorical(self) -> list[str]:
        return [f for f, s in self.features.items() if s["kind"] == "categorical"]

    @classmethod
    def fit(
        cls,
        df: pd.DataFrame,
        categorical: Iterable[str] = (),
        numeric: Iterable[str] | None = None,
        importances: Mapping[str, float] | None = None,
        n_bins: int = N_BINS,
        max_levels: int = MAX_LEVELS,
    ) -> ReferenceProfile:
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
        features = {
            str(c): fit_categorical(df[c], max_levels)
            if c in cats
            else fit_numeric(df[c], n_bins, grid)
            for c in order
        }
        return cls(features, len(df), grid, n_bins, max_levels, importances)

    def compare(self, df: pd.DataFrame, thresholds: DriftThresholds | None = None) -> DriftReport:
        """Drift of ``df`` against this reference (see :class:`DriftReport`)."""
        columns = check_frame(df, "current")
        thresholds = thresholds if thresholds is not None else DriftThresholds()
        rows = {}
        for name, spec in self.features.items():
            series = df[columns[name]] if name in columns else None
            rows[name] = feature_row(spec, series, len(df), self.grid, thresholds.for_feature(name))
        table = pd.DataFrame.from_dict(rows, orient="index")
        weights = np.array([self.importances.get(f, 0.0) for f in table.index])
        if not weights.sum() > 0:
            weights = np.ones(len(table))
        table["importance"] = weights / weights.sum()
        table = table[COLUMNS]
        table.index.name = "feature"
        share = float(np.sum(table["importance"].to_numpy() * table["drifted"].to_numpy()))
        return DriftReport(
            features=table,
            share=share,
            drifted=bool(share >= thresholds.share),
            n_rows=len(df),
            n_rows_ref=self.n_rows,
            thresholds=thresholds,
            extra_columns=[c for c in columns if c not in self.features],
        )

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "n_rows": self.n_rows,
            "n_bins": self.n_bins,
            "max_levels": self.max_levels,
            "grid": self.grid.tolist(),
            "importances": dict(self.importances),
            "features": self.features,
        }

    def to_json(self) -> str:
        """Plain JSON (floats with round-trip precision): ``from_json`` restores it exactly."""
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping) -> ReferenceProfile:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a drift reference profile (format={data.get('format')!r})")
        if data.get("version") != VERSION:
            raise ValueError(
                f"unsupported profile version {data.get('version')!r} (this code reads {VERSION})"
            )
        return cls(
            dict(data["features"]),
            data["n_rows"],
            data["grid"],
            data["n_bins"],
            data["max_levels"],
            data.get("importances"),
        )

    @classmethod
    def from_json(cls, text: str) -> ReferenceProfile:
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        return (
            f"ReferenceProfile(n_rows={self.n_rows}, numeric={len(self.numeric)}, "
            f"categorical={len(self.categorical)}, importances={bool(self.importances)})"
        )
