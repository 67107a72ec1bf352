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
memory; the pandas path works column by column on threads.

What the profile keeps (the reference is never rescanned; format version 2, version 1 is read):

- numeric: 20 reference-quantile PSI bins with open outer bins and a separate missing bin, and
  ~250 fine bins (quantiles on a 249-point probability grid refined towards both tails) with
  their counts and mean positions, and a cell grid over the column's core (see
  :mod:`.numeric`, :mod:`.cells`); mean and std. Fit sorts each column once; above 262,144
  values it takes the edges from a seeded sample of 2^17 and counts every value in one pass
  (:mod:`.sample`).
- categorical: counts of the 1,000 most frequent levels, an ``__other__`` pool (names kept),
  the missing count and the number of levels seen once (see :mod:`.categorical`);
- n_rows and optional feature importances.

Compare makes one pass over each current column (:mod:`.binning`: no sort, no search for 99.8%
of the values) and every metric comes from its bins. Metrics per feature (formulas and
conventions in :mod:`.metrics`): PSI, KL(current || reference), Jensen-Shannon distance (base
2), all over the PSI bins *including the missing bin* and with their finite-sample bias
removed; Wasserstein-1 / reference std over the fine bins (numeric only: NaN, "not defined",
for categoricals); missing share on both sides; unseen-level share (categoricals).

Decision rule (:class:`DriftThresholds`): a metric is compared with a limit that follows the
sample size, ``max(threshold, the null quantile of that metric at the current number of rows)``
where the null is what the reference itself produces (:mod:`.calibration`), so 30-row and
million-row periods raise false alarms at the same low rate. The report shows each limit.
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
