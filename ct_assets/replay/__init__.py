"""Replaying days through the real graph: the demo today, the backtest later."""

from ct_assets.replay.driver import DayDriver, RunOutcome

__all__ = ["DayDriver", "RunOutcome"]
