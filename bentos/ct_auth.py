"""Which clients feed monitoring: those that send a token the operator configured.

Why: every logged prediction is joined with labels and compared with the champion's profile;
a client that could write the log could steer drift reports, realised metrics and retraining.
So anyone may ask for scores, but a request is logged only with
``Authorization: Bearer <token>`` for one of the tokens in ``CT_LOG_TOKENS`` (comma-separated;
``ct serve`` sets it from the home's ``log-tokens`` file). A request without the header is
scored and not logged; one with a token that is not configured is refused (401), so a
misconfigured client learns at once that its traffic would not count. Tokens are kept as
SHA-256 digests and compared in constant time; no token is ever logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac

ENV_VAR = "CT_LOG_TOKENS"
MIN_CHARS = 16


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class LogAuth:
    """``check(header)``: None without credentials, True for a configured token, else False."""

    def __init__(self, configured: str | None):
        tokens = [tok.strip() for tok in (configured or "").split(",") if tok.strip()]
        short = [tok for tok in tokens if len(tok) < MIN_CHARS]
        if short:
            raise ValueError(f"{ENV_VAR}: every token needs at least {MIN_CHARS} characters "
                             f"({len(short)} shorter)")
        self._digests = [_digest(tok) for tok in tokens]

    @property
    def count(self) -> int:
        return len(self._digests)

    def check(self, header: str | None) -> bool | None:
        if header is None:
            return None
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        digest = _digest(token.strip())
        found = False
        for known in self._digests:  # every digest compared: the time says nothing
            found |= hmac.compare_digest(known, digest)
        return found

