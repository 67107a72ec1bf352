"""Drift core: reference profiles and drift reports.

Pure: numpy, pandas, scipy and pydantic (duckdb for DuckDB input, matplotlib for the plot);
no Dagster.


    from ct_assets.drift import ReferenceProfile, DriftThresholds
    profile = ReferenceProfile.fit(train_df, categorical=["merchant"], importances=gains)
    text = profile.to_json()                      # plain JSON, stored with the model
    report = ReferenceProfile.from_json(text).compare(today_df)   # DriftThresholds() by default
    report.features, report.share, report.drifted, report.to_markdown(), report.to_dict()
    report.plot_png(top=3)                        # reference vs current bins of the worst 3

    # the same report computed inside DuckDB (a table, a partition, or a relation):
    report = profile.compare(con, table="features", where="day = ?", params=[day])

On DuckDB only aggregates leave the database (see :mod:`.duck`), so a 10M-row day fits in
memory; the pandas path works column by column on threads (numpy releases the GIL).

What the profile keeps (the reference is never rescanned):

- numeric: 20 reference-quantile bins with open outer bins and a separate missing bin (see
  :mod:`.numeric`), the quantiles and interval means on a 249-point probability grid for
  Wasserstein-1, mean and std;
- categorical: counts of the 1,000 most frequent levels, an ``__other__`` pool (names kept),
  and the missing count (see :mod:`.categorical`);
- n_rows and optional feature importances.

Metrics per feature (formulas and conventions in :mod:`.metrics`): PSI, KL(current || reference),
Jensen-Shannon distance (base 2), all over the bins *including the missing bin* and with their
finite-sample bias removed; Wasserstein-1 / reference std (numeric only: NaN, "not defined", for
categoricals); missing share on both sides; unseen-level share (categoricals). Decision rule and
default thresholds: :class:`DriftThresholds`.
"""

from .metrics import binned_wasserstein, divergences
from .profile import ReferenceProfile
from .report import DriftReport
from .thresholds import METRICS, DriftThresholds

__all__ = [
    "METRICS",
    "DriftReport",
    "DriftThresholds",
    "ReferenceProfile",
    "divergences",
    "binned_wasserstein",
]
