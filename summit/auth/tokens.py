"""API tokens: random, shown once, stored as a hash. No Flask here."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "smt_"


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 6]
