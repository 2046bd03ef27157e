"""Webhook tokens of phone systems: made once, shown once, stored only as a hash.

A token is 32 random URL-safe bytes, so a plain SHA-256 is enough to store it (no salt or slow hash is
needed against guessing a value with 256 bits of chance); the hash is what the webhook looks up.
"""

import hashlib
import secrets

TOKEN_BYTES = 32
HINT_LENGTH = 4


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hint(token: str) -> str:
    """The last characters, to tell tokens apart on the manager's page."""
    return token[-HINT_LENGTH:]
