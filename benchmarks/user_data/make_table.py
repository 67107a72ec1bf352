"""Write N days of the built-in simulator as one plain CSV, as a user's table would look:
a time column, a label, 23 feature columns and nothing else (no entity, no label times)."""

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from ct_assets.simulation import EventSimulator


def main(out: Path, days: int, rows_per_day: int, seed: int = 11) -> None:
    sim = EventSimulator(seed=seed, rows_per_day=rows_per_day)
    frames = [sim.labeled_events(sim.start + dt.timedelta(days=i)) for i in range(days)]
    frame = pd.concat(frames).drop(columns=["entity_id", "label_ts"])
    frame.rename(columns={"event_ts": "ts", "label": "y"}).to_csv(out, index=False)
    print(f"{out}: {len(frame):,} rows over {days} days")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
