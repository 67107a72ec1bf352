"""The tokens of the clients whose served predictions feed monitoring (pure: no Dagster).

Why: a served prediction that reaches the prediction log is joined with labels, compared with
the champion's profile and can trigger a retrain; a client that could write it could steer
all three (forged records moved a realised AUC from 0.856 to 0.595 and forced a retrain). So
the service logs only requests that carry a token the operator configured (``bentos/ct_auth``),
and `ct serve` hands the service the tokens: ``$CT_LOG_TOKENS`` (comma-separated) when set,
else the home's ``log-tokens`` file, one token per line (``#`` comments), created on the first
`ct serve` with one random token and readable by its owner only. Give that token to the
clients you trust; add a line for another client, delete one to revoke it (then restart).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from ct_assets.errors import CTError

ENV_VAR = "CT_LOG_TOKENS"  # what the service reads
FILE_NAME = "log-tokens"
MIN_CHARS = 16
TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]+$")  # what an HTTP header carries without quoting


def token_file(home_root: str | Path) -> Path:
    return Path(home_root) / FILE_NAME


def _create(path: Path) -> None:
    """One random token, mode 0600; an existing file is never overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        f.write("# Tokens of clients whose predictions feed monitoring (one per line); they send\n"
                "# `Authorization: Bearer <token>` to POST /predict. Restart `ct serve` after a "
                "change.\n" + secrets.token_urlsafe(32) + "\n")


def log_tokens(home_root: str | Path, environ: Mapping[str, str]) -> tuple[list[str], str]:
    """(tokens, where they came from); raises one CTError for a file it cannot read or write,
    or a token that is too short or has characters a header cannot carry."""
    if ENV_VAR in environ:
        tokens, source = [t.strip() for t in environ[ENV_VAR].split(",") if t.strip()], ENV_VAR
    else:
        path = token_file(home_root)
        try:
            _create(path)
            lines = path.read_text().splitlines()
        except OSError as exc:
            raise CTError(f"cannot read or create the log tokens file {path} ({exc.strerror}); "
                          f"set {ENV_VAR}, or serve without the prediction log (--no-log)"
                          ) from None
        tokens, source = [ln.strip() for ln in lines if ln.strip()
                          and not ln.lstrip().startswith("#")], str(path)
    for i, token in enumerate(tokens, 1):
        if len(token) < MIN_CHARS or not TOKEN.match(token):
            raise CTError(f"token {i} of {source} must have at least {MIN_CHARS} characters, "
                          "letters, digits or ._~+/=- only")
    return tokens, source
