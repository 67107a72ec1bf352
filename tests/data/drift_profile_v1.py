"""How drift_profile_v1.json was made: with the drift package of commit 159133b (format 1)::

    git archive 159133b ct_assets | tar -x -C /tmp/v1
    PYTHONPATH=/tmp/v1 python tests/data/drift_profile_v1.py tests/data/drift_profile_v1.json

It holds a version-1 profile and the version-1 report of a fixed current frame, so that the
tests can check that profiles saved in homes by that version still read and compare alike.
"""

import json
import sys

import numpy as np
import pandas as pd

from ct_assets.drift import ReferenceProfile


def frame(n: int, seed: int, shift: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.3 * shift, 1.0, n)
    x[rng.random(n) < 0.1] = np.nan
    level = np.array(["a", "b", "c", "d", "e"], dtype=object)
    return pd.DataFrame({
        "x": x,
        "amount": rng.lognormal(0.2 * shift, 1.0, n),
        "count": rng.poisson(3 + shift, n),
        "flag": rng.random(n) < 0.3,
        "shop": level[rng.choice(5, n, p=[0.4, 0.3, 0.15, 0.1, 0.05])],
    })


if __name__ == "__main__":
    ref, cur = frame(3000, 1, 0), frame(2000, 2, 1)
    profile = ReferenceProfile.fit(ref, categorical=["shop"])
    assert profile.to_dict()["version"] == 1, "run with the version-1 package (see above)"
    report = profile.compare(cur)
    cols = ["psi", "kl", "js", "wasserstein", "missing_cur", "unseen_share", "psi_raw", "kl_raw"]
    out = {"profile": json.loads(profile.to_json()),
           "report": json.loads(report.features[cols].to_json(orient="index", double_precision=15))}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, separators=(",", ":"))
