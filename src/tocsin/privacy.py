"""Pseudonymisation of post authors, at ingestion, before anything is stored or logged.

A platform handle becomes ``HMAC-SHA256(secret, platform + ":" + handle)``, truncated to 16
hex characters. The key is a per-deployment secret generated on first run and kept beside
the database (mode 0600), so pseudonyms cannot be reversed by hashing a list of known
handles without the secret, and two deployments cannot join their pseudonyms. The only use
of the pseudonym is counting *independent* sources of an event; no API filters or groups by it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """Read the deployment secret, creating it (0600) on first run."""
    path = Path(path)
    if path.exists():
        data = path.read_bytes().strip()
        if len(data) < 32:
            raise ValueError(f"{path}: pseudonymisation secret is too short; delete it to regenerate")
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(SECRET_BYTES).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    return value


class Pseudonymiser:
    """Turns raw handles into keyed pseudonyms; the raw handle goes no further than here."""

    def __init__(self, secret: bytes):
        if len(secret) < 16:
            raise ValueError("secret must be at least 16 bytes")
        self._key = secret
        # HMAC's keyed inner and outer states, derived once: each pseudonym then costs one
        # copy and one update instead of re-deriving the key pads (a third cheaper).
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)

    def __repr__(self) -> str:  # never print the key
        return "Pseudonymiser(<secret>)"

    def pseudonym(self, handle: str, platform: str = "") -> str:
        norm = handle.strip().lstrip("@").casefold()
        msg = f"{platform.casefold()}:{norm}".encode()
        mac = self._mac.copy()
        mac.update(msg)
        return "a_" + mac.hexdigest()[:16]
