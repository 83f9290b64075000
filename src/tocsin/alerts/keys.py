"""API keys with scopes, stored hashed.

A key looks like ``tk_<id>_<secret>``: the id finds the row, the secret is checked against
its SHA-256 in constant time. Keys are 256-bit random values, so a fast hash is enough — a
slow password hash protects guessable secrets, and these are not guessable. The plain key
is shown once, at creation, and never stored or logged.

Scopes: ``read`` (raw report text, alerts, feeds when public read is off), ``subscribe``
(manage one's own subscriptions; implies read), ``admin`` (everything, including other keys'
subscriptions and key management). Keys identify a client application or a team, never a
person's activity: tocsin logs the key id only where the audit log requires an actor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from ..model import utcnow

SCOPES = ("read", "subscribe", "admin")
IMPLIES = {"admin": set(SCOPES), "subscribe": {"subscribe", "read"}, "read": {"read"}}


class KeyError_(ValueError):
    """Bad scopes or a malformed key."""


@dataclass(slots=True, frozen=True)
class ApiKey:
    id: str
    name: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return any(scope in IMPLIES.get(s, set()) for s in self.scopes)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(store: Any, name: str, scopes: list[str]) -> tuple[str, ApiKey]:
    """Store a new key and return (the plain key, shown once; its record)."""
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise KeyError_(f"scopes must be a non-empty subset of {list(SCOPES)}; bad: {bad}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    store.put_api_key(key_id, name, sorted(set(scopes)), _hash(secret), utcnow().isoformat())
    return f"tk_{key_id}_{secret}", ApiKey(key_id, name, frozenset(scopes))


def verify_key(store: Any, presented: str | None) -> ApiKey | None:
    """The key's record if ``presented`` is a valid, unrevoked key; else None."""
    if not presented or not presented.startswith("tk_") or len(presented) > 200:
        return None
    parts = presented.split("_", 2)
    if len(parts) != 3:
        return None
    _, key_id, secret = parts
    row = store.get_api_key(key_id)
    if row is None or row["revoked_at"]:
        # still hash, so that a wrong id and a wrong secret take about as long
        _hash(secret)
        return None
    if not hmac.compare_digest(_hash(secret), row["hash"]):
        return None
    return ApiKey(row["id"], row["name"], frozenset(row["scopes"]))
