"""The log tokens `ct serve` hands the service: made once per home, readable by its owner only,
overridden by $CT_LOG_TOKENS, and refused in one line when too short or unreadable."""

from __future__ import annotations

import os

import pytest
from serving_helpers import unwritable

from ct_assets.errors import CTError
from ct_assets.serving.tokens import ENV_VAR, log_tokens, token_file


def test_the_first_serve_makes_one_private_token_and_keeps_it(tmp_path):
    tokens, source = log_tokens(tmp_path, {})
    assert source == str(token_file(tmp_path)) and len(tokens) == 1 and len(tokens[0]) >= 32
    assert token_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert log_tokens(tmp_path, {}) == (tokens, source)  # never replaced
    with open(token_file(tmp_path), "a") as f:
        f.write("# a second client\nsecond-client-token-0123456789\n\n")
    assert log_tokens(tmp_path, {})[0] == [tokens[0], "second-client-token-0123456789"]


def test_the_environment_wins_and_bad_tokens_are_one_line(tmp_path):
    env = {ENV_VAR: "env-token-0123456789abcdef, other-token-0123456789"}
    assert log_tokens(tmp_path, env) == (
        ["env-token-0123456789abcdef", "other-token-0123456789"], ENV_VAR)
    assert not token_file(tmp_path).exists()
    with pytest.raises(CTError, match="token 2 of CT_LOG_TOKENS must have at least 16"):
        log_tokens(tmp_path, {ENV_VAR: "env-token-0123456789abcdef,short"})
    with pytest.raises(CTError, match="letters, digits"):
        log_tokens(tmp_path, {ENV_VAR: "has spaces in it 0123456789"})


def test_a_home_that_cannot_hold_the_file_says_so(tmp_path):
    with unwritable(tmp_path), pytest.raises(CTError, match="--no-log"):
        log_tokens(tmp_path, {})
    assert not token_file(tmp_path).exists() and os.access(tmp_path, os.W_OK)
