"""Defaults that follow the data's volume: how many rows a model needs, how big a holdout is,
how many fresh labels make a retrain worth it, how long to warm up.

Fixed numbers sized for one stream fail the others: 5,000 training rows and a 2,000-row holdout
are a day of a busy stream and nineteen years of a stream of 30 rows a month. Here each size is
a number of periods of the stream's own labelled rows, clamped to the old fixed values at the
top (more rows than that add little to a decision) and to a floor that still trains and judges
a model at the bottom. Explicit settings always win; only the ones left out are sized.

    sized_defaults(rows_per_day=143, period="7d", positive_rate=0.2, task="binary")
    -> {"min_train_rows": 4000, "min_holdout_rows": 2000, "min_holdout_positives": 50, ...}
"""

from __future__ import annotations

PERIOD_DAYS = {"1d": 1, "7d": 7, "30d": 30}
SIZED = ("min_train_rows", "min_holdout_rows", "min_holdout_positives", "min_new_labels",
         "warmup_days")
#: (periods of labelled rows, floor, ceiling) per sized row count
RULES = {"min_holdout_rows": (2, 50, 2000), "min_train_rows": (4, 100, 5000),
         "min_new_labels": (1, 30, 3000)}


def _clamp(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(value))))


def sized_defaults(rows_per_day: float, period: str, positive_rate: float | None,
                   task: str) -> dict[str, int]:
    """Every sized setting for a stream of `rows_per_day` labelled rows a day replayed by
    `period`, whose positive class (binary) has `positive_rate` (None: unknown)."""
    per_period = rows_per_day * PERIOD_DAYS[period]
    sizes = {name: _clamp(periods * per_period, low, high)
             for name, (periods, low, high) in RULES.items()}
    if task != "binary" or positive_rate is None:
        sizes["min_holdout_positives"] = 50 if task == "binary" else 0
    else:  # half the positives a minimal holdout should hold, of the rarer class
        rarer = min(positive_rate, 1 - positive_rate)
        sizes["min_holdout_positives"] = _clamp(0.5 * sizes["min_holdout_rows"] * rarer, 5, 50)
    sizes["warmup_days"] = PERIOD_DAYS[period]  # the first model waits for labels, not days
    return sizes


def describe(sizes: dict[str, int], rows_per_day: float, period: str) -> str:
    """The note a command prints about the sizes it chose."""
    per_period = rows_per_day * PERIOD_DAYS[period]
    chosen = ", ".join(f"{name} {sizes[name]}" for name in SIZED if name in sizes)
    return (f"sized for ~{per_period:,.0f} labelled rows a period ({period}): {chosen} "
            "(set any of them to override)")
