"""Backtest: replay history through the real graph once per retraining policy, and compare."""
