"""Bad settings files and bad tables: one clear line, exit code 2, nothing written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from ct_assets.cli.main import main
from ct_assets.config import load_project


def events(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    ts = pd.date_range("2024-06-01", periods=n, freq="2h")
    return pd.DataFrame({"ts": ts.strftime("%Y-%m-%dT%H:%M:%S"), "amount": rng.gamma(2, 20, n),
                         "shop": rng.choice(["a", "b"], n), "y": rng.integers(0, 2, n)})


def write(tmp_path: Path, frame: pd.DataFrame | dict, **settings) -> Path:
    """The table as events.csv, or (a dict) files by name with their bytes; and ct.yaml."""
    if isinstance(frame, pd.DataFrame):
        frame.to_csv(tmp_path / "events.csv", index=False)
    for name, data in frame.items() if isinstance(frame, dict) else ():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    config = tmp_path / "ct.yaml"
    config.write_text(yaml.safe_dump({"source": "events.csv", "time_column": "ts",
                                      "label_column": "y", **settings}))
    return config


def bad(frame=None, **settings):
    """A settings change or a table change, and the words the error must contain."""
    return frame, settings


def with_bad_time(frame):
    frame.loc[7, "ts"] = "yesterday-ish"
    return frame


def with_bad_time_far_down(frame):
    frame = events(9_000)
    frame.loc[7_777, "ts"] = "2024-13-45 25:00"
    return frame


def parquet(frame: pd.DataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as con:
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{folder}/part.parquet' (FORMAT parquet)")
        return (Path(folder) / "part.parquet").read_bytes()


def with_corrupt_part(frame):
    return {"parts/a.parquet": parquet(frame), "parts/b.parquet": b"PAR1 not really PAR1"}


def in_latin1(frame):
    return {"events.csv": frame.assign(shop="café").to_csv(index=False).encode("latin-1")}


CASES = {
    "typo in a key": (None, {"lable_column": "y"},
                      "unknown setting 'lable_column'; did you mean 'label_column'?"),
    "missing column": (None, {"time_column": "tz"},
                       "time_column: source", "has no column 'tz'; did you mean 'ts'?"),
    "unparsable times": (with_bad_time, {},
                         "time_column 'ts': 1 of 300 values are not times",
                         "'yesterday-ish'", "row 7"),
    "three classes for binary": (lambda f: f.assign(y=np.arange(len(f)) % 3), {"task": "binary"},
                                 "label column 'y' has 3 classes", "but task is binary"),
    "no rows in range": (None, {"start": "2030-01-01"},
                         "has no rows from 2030-01-01", "300 rows span 2024-06-01"),
    "value out of range": (None, {"drift_share": 2}, "setting 'drift_share'", "less than"),
    "metric of another task": (None, {"metric": "rmse", "task": "binary"},
                               "metric 'rmse' does not fit task 'binary'"),
    "unknown period": (None, {"period": "2w"}, "period '2w' is not one of 1d, 7d, 30d"),
    "missing label column setting": (None, {"label_column": None}, "needs `label_column`"),
    "empty file": (lambda f: {"events.csv": b""}, {}, "events.csv has no rows"),
    "header only": (lambda f: {"events.csv": b"ts,y\n"}, {}, "events.csv has no rows"),
    "a bad time in row 7,777": (with_bad_time_far_down, {},
                                "time_column 'ts': 1 of 9,000 values are not times",
                                "'2024-13-45 25:00'", "row 7,777"),
    "corrupt Parquet part": (with_corrupt_part, {"source": "parts"},
                             "parts cannot be read", "b.parquet"),
    "not utf-8": (in_latin1, {}, "This file is not utf-8 encoded", "`encoding: latin-1`"),
    "few whole-number classes and no task": (lambda f: f.assign(y=np.arange(len(f)) % 3), {},
                                             "label column 'y' has 3 distinct whole numbers "
                                             "(0, 1, 2)", "`task: regression`",
                                             "`positive_label: 2`"),
    "positive label that is no class": (None, {"positive_label": "yes"},
                                        "positive_label 'yes' is not a value of label column"),
    "all labels missing": (lambda f: f.assign(y="N/A"), {},
                           "label column 'y'", "no values"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("command", ["demo", "backtest"])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, case, command):
    change, settings, *words = CASES[case]
    frame = events()
    config = write(tmp_path, change(frame) if change else frame, **settings)
    home, out = tmp_path / "home", tmp_path / "out"
    args = ["--config", str(config), "--home", str(home)]
    code = main([command, *args, *(["--out", str(out)] if command == "backtest" else [])])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("ct: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err
    assert not home.exists() and not out.exists()


def test_missing_settings_file_and_broken_yaml(tmp_path, capsys):
    assert main(["demo", "--config", str(tmp_path / "nope.yaml"), "--home",
                 str(tmp_path / "h")]) == 2
    assert "nope.yaml does not exist" in capsys.readouterr().err
    (tmp_path / "broken.yaml").write_text("source: [unclosed\n")
    assert main(["demo", "--config", str(tmp_path / "broken.yaml")]) == 2
    assert "is not valid YAML (line" in capsys.readouterr().err
    assert not (tmp_path / "h").exists()


def test_a_csv_with_time_and_label_only_resolves_everything_else(tmp_path):
    project = load_project(write(tmp_path, events()))
    s = project.settings
    assert (s.task, s.metric, s.gate_floor) == ("binary", "roc_auc", 0.55)
    assert (str(s.start), str(s.end)) == ("2024-06-01", "2024-06-25")
    assert s.numeric == ["amount"] and s.categorical == ["shop"]
    assert Path(s.source).is_absolute() and project.home is None
    regression = load_project(write(tmp_path, events().assign(y=lambda f: f["amount"] * 2),
                                    period="7d", home="h"))
    assert (regression.settings.task, regression.settings.metric) == ("regression", "rmse")
    assert regression.settings.gate_floor is None and regression.home == tmp_path / "h"


def test_ct_config_environment_variable_names_the_settings_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CT_CONFIG", str(write(tmp_path, events(), exclud=["shop"])))
    assert main(["demo", "--home", str(tmp_path / "home")]) == 2
    assert "did you mean 'exclude'?" in capsys.readouterr().err
