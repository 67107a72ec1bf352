"""Serving: the champion in the BentoML model store, its bento, and a local server.

Pure package (no Dagster import). Every function takes the BentoML home explicitly.
"""

from .build import bento_for, build_bento, pinned_model
from .probe import probe, records_from_frame
from .server import BentoServer, serve_command
from .store import find_champion, save_champion, sha256_file

__all__ = [
    "BentoServer",
    "bento_for",
    "build_bento",
    "find_champion",
    "pinned_model",
    "probe",
    "records_from_frame",
    "save_champion",
    "serve_command",
    "sha256_file",
]
