"""Mistakes a user can make on the command line: one clear line, exit code 2, no traceback."""

import subprocess
import sys

import pytest

CT = [sys.executable, "-m", "ct_assets.cli.main"]


def ct(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CT, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["registry", "list", "--home", "{tmp}/nowhere"], "nowhere"),
        (["serve", "--home", "{tmp}/nowhere"], "nowhere"),
        (["demo", "--home", "/etc/hostname/home"], "/etc/hostname/home"),
        (["demo", "--days", "zero", "--home", "{tmp}/h"], "--days"),
        (["demo", "--days", "0", "--home", "{tmp}/h"], "--days"),
        (["serve", "--port", "70000", "--home", "{tmp}"], "--port"),
        (["serve", "--host", "no-such-host.invalid", "--home", "{tmp}"], "no-such-host.invalid"),
        (["serve", "--host", "192.0.2.1", "--home", "{tmp}"], "192.0.2.1"),  # not ours
        (["registry", "nosuch"], "nosuch"),
    ],
)
def test_bad_input_is_one_line_naming_it(tmp_path, args, names):
    done = ct(*[a.format(tmp=tmp_path) for a in args])
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ct: error:") and names.format(tmp=tmp_path) in lines[0]
    assert "Traceback" not in done.stderr


def test_demo_refuses_a_home_made_with_another_seed(tmp_path):
    (tmp_path / "settings.json").write_text('{"seed": 5}')
    done = ct("demo", "--days", "1", "--seed", "6", "--home", str(tmp_path))
    assert done.returncode == 2 and "seed 5" in done.stderr
    assert not (tmp_path / "ct.duckdb").exists()


def test_a_broken_settings_file_names_the_setting(tmp_path):
    (tmp_path / "settings.json").write_text('{"seed": 0, "cooldown_days": -3}')
    done = ct("demo", "--days", "1", "--home", str(tmp_path))
    assert done.returncode == 2 and "cooldown_days" in done.stderr


def test_help_lists_the_commands():
    done = ct("--help")
    assert done.returncode == 0
    for command in ("demo", "registry", "serve"):
        assert command in done.stdout


def test_serve_defaults_to_a_port_the_dagster_ui_does_not_take():
    done = ct("serve", "--help")
    assert "--host" in done.stdout and "[default: 8000;" in done.stdout
