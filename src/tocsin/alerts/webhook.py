"""Webhook delivery: signed JSON POSTs with retries, back-off and a dead-letter list.

Signature (Stripe-style, so receivers can reuse familiar code):
``X-Tocsin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``.
Signing the timestamp with the body lets a receiver refuse replays of old deliveries.
``Idempotency-Key`` is the alert id: retries of the same alert carry the same key, so a
receiver that got the first attempt (but whose answer was lost) can drop the repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from .ssrf import UnsafeURL, resolve_and_check

SIGNATURE_HEADER = "X-Tocsin-Signature"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


def sign(secret: str, body: bytes, t: int | None = None) -> str:
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, tolerance_s: int = 300,
           now: float | None = None) -> bool:
    """What a receiver runs: constant-time check of the signature and its freshness."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance_s:
        return False
    want = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, given)


@dataclass(slots=True)
class RetryPolicy:
    attempts: int = 6
    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 300.0
    timeout_s: float = 10.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential back-off: many subscribers failing together do not
        retry in lock-step against a recovering endpoint."""
        cap = min(self.max_s, self.base_s * self.factor ** (attempt - 1))
        return random.uniform(cap / 2, cap)


@dataclass(slots=True)
class Outcome:
    ok: bool
    attempts: int
    error: str = ""
    status: int | None = None


async def post_alert(client: httpx.AsyncClient, url: str, secret: str, payload: dict[str, Any],
                     *, policy: RetryPolicy, allow_private: bool = False) -> Outcome:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    last = ""
    status = None
    for attempt in range(1, policy.attempts + 1):
        try:
            await resolve_and_check(url, allow_private=allow_private)
        except UnsafeURL as e:
            return Outcome(False, attempt, f"refused: {e}")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "tocsin-alerts/1",
            "Idempotency-Key": str(payload.get("id", "")),
            "X-Tocsin-Alert-Id": str(payload.get("id", "")),
            "X-Tocsin-Attempt": str(attempt),
            SIGNATURE_HEADER: sign(secret, body),
        }
        try:
            r = await client.post(url, content=body, headers=headers, timeout=policy.timeout_s)
            status = r.status_code
            if 200 <= r.status_code < 300:
                return Outcome(True, attempt, status=status)
            last = f"HTTP {r.status_code}"
            if r.status_code not in RETRY_STATUS:
                return Outcome(False, attempt, last + " (not retried)", status)
        except httpx.HTTPError as e:
            last = f"{type(e).__name__}: {e}"
        if attempt < policy.attempts:
            await asyncio.sleep(policy.delay(attempt))
    return Outcome(False, policy.attempts, last, status)
