"""Serving: the champion in the BentoML model store, its bento, a local server, and the
prediction log the server writes and ingest reads.

Pure package (no Dagster import). Every function takes the BentoML home (or home folder)
explicitly.
"""

from .build import bento_for, build_bento, pinned_model
from .predlog import ServedLog, prediction_log_dir, read_served
from .probe import probe, records_from_frame, stop_orphan_probes
from .server import BentoServer, serve_command
from .store import find_champion, save_champion, sha256_file, training_info

__all__ = [
    "BentoServer",
    "ServedLog",
    "bento_for",
    "build_bento",
    "find_champion",
    "pinned_model",
    "prediction_log_dir",
    "probe",
    "read_served",
    "records_from_frame",
    "save_champion",
    "serve_command",
    "stop_orphan_probes",
    "sha256_file",
    "training_info",
]
