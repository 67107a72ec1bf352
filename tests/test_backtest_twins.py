"""Policies that differ only by a periodic schedule share one replay until the schedule fires:
who follows whom, and a follower whose leader failed is told so instead of waiting forever."""

from __future__ import annotations

import pytest

from ct_assets.backtest.run import plan
from ct_assets.backtest.twins import await_home, give_up, leaders
from ct_assets.errors import CTError
from ct_assets.settings import Settings


def test_a_policy_with_a_schedule_follows_the_same_settings_without_it():
    runs = plan(Settings(), ["never", "periodic", "drift", "drift+periodic"], {}, every=7,
                window="dynamic", days=30, full=False)
    assert leaders(runs) == {"periodic": "never", "drift+periodic": "drift"}


def test_variants_follow_only_their_own_variant():
    variants = {"drift_share=0.2": {"drift_share": 0.2}, "drift_share=0.3": {"drift_share": 0.3}}
    runs = plan(Settings(), ["drift", "drift+periodic"], variants, every=7, window="dynamic",
                days=30, full=False)
    assert leaders(runs) == {"drift+periodic drift_share=0.2": "drift drift_share=0.2",
                             "drift+periodic drift_share=0.3": "drift drift_share=0.3"}


def test_a_follower_whose_leader_failed_is_told_why(tmp_path):
    home = tmp_path / "homes" / "periodic"
    home.parent.mkdir()
    give_up(home, "RuntimeError: the disk is full")
    with pytest.raises(CTError, match="'periodic' follows failed: RuntimeError: the disk is full"):
        await_home(home)
