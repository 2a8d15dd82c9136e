"""Verified tokens are remembered, never past their expiry."""

from __future__ import annotations

import time

import pytest

from app.auth import AuthenticationError, TokenService

SECRET = "unit-test-secret-long-enough-for-hs256"


def test_a_remembered_token_still_expires() -> None:
    tokens = TokenService(SECRET)
    token = tokens.mint("admin", ttl_seconds=1)
    assert tokens.verify(token).subject == "admin"
    assert tokens.verify(token).subject == "admin"  # remembered
    time.sleep(max(0.0, tokens._verified[token][1] - time.time()) + 0.05)
    with pytest.raises(AuthenticationError, match="expired"):
        tokens.verify(token)


def test_a_bad_token_is_refused_every_time() -> None:
    tokens = TokenService(SECRET)
    forged = TokenService("another-secret-long-enough-for-hs256").mint("admin")
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="signature"):
            tokens.verify(forged)
