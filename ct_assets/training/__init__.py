"""Training, scoring and promotion gates: plain data in, plain data out, no Dagster."""

from ct_assets.training.gates import GateDecision, promotion_gates
from ct_assets.training.metrics import evaluate
from ct_assets.training.model import TrainedModel, split_by_time

__all__ = ["GateDecision", "TrainedModel", "evaluate", "promotion_gates", "split_by_time"]
