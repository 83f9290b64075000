"""API-key authentication: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

Scopes (see ``tocsin.alerts.keys``): read, subscribe (implies read), admin (everything).
Creating subscriptions and reading raw report text always need a key; whether event
summaries (lists, exports, the stream) are public is the ``public_read`` setting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from ..alerts.keys import ApiKey, verify_key
from .state import AppState, get_state

#: GET paths that stay open even when public_read is off (health for load balancers).
ALWAYS_OPEN = ("/healthz", "/docs", "/openapi.json", "/redoc")


def presented_key(request: Request) -> str | None:
    h = request.headers.get("authorization")
    if h and h.lower().startswith("bearer "):
        return h[7:].strip()
    return request.headers.get("x-api-key")


def current_key(request: Request) -> ApiKey | None:
    """The request's valid key, or None; cached on the request."""
    if hasattr(request.state, "tocsin_key"):
        return request.state.tocsin_key
    st: AppState = get_state(request)
    key = verify_key(st.store, presented_key(request))
    request.state.tocsin_key = key
    return key


def _deny(request: Request, scope: str) -> HTTPException:
    if presented_key(request) is None:
        return HTTPException(401, f"an API key with '{scope}' scope is required "
                                  "(Authorization: Bearer <key>)",
                             headers={"WWW-Authenticate": "Bearer"})
    if current_key(request) is None:
        return HTTPException(401, "invalid or revoked API key",
                             headers={"WWW-Authenticate": "Bearer"})
    return HTTPException(403, f"this API key lacks the '{scope}' scope")


def require(scope: str) -> Callable[[Request], ApiKey]:
    """FastAPI dependency: the request's key, which must allow ``scope``."""

    def dep(request: Request) -> ApiKey:
        key = current_key(request)
        if key is None or not key.allows(scope):
            raise _deny(request, scope)
        return key

    dep.__name__ = f"require_{scope}"
    return dep


def public_or(scope: str) -> Callable[[Request], ApiKey | None]:
    """Open when the deployment allows public read, else like ``require(scope)``."""

    def dep(request: Request) -> ApiKey | None:
        st: AppState = get_state(request)
        if st.cfg.public_read:
            return current_key(request)
        return require(scope)(request)

    dep.__name__ = f"public_or_{scope}"
    return dep


def raw_text_allowed(request: Request) -> str:
    """Hook for ``api.events``: raw report text needs a read key; returns the audit actor."""
    key = require("read")(request)
    return f"key:{key.id}"


def install(state: AppState) -> None:
    """Register the auth hook and the alert/export routers on apps built from ``state``."""
    state.extras["raw_text_allowed"] = raw_text_allowed
    exts: list[Any] = state.extras.setdefault("app_extensions", [])
    if _extend not in exts:
        exts.append(_extend)


def _extend(app: FastAPI) -> None:
    from . import exports, subscriptions

    app.include_router(subscriptions.router)
    app.include_router(subscriptions.alerts_router)
    app.include_router(exports.router)

    @app.middleware("http")
    async def public_read_gate(request: Request, call_next):
        """With ``public_read = false`` every API read needs a read key."""
        st: AppState = request.app.state.tocsin
        path = request.url.path
        if (not st.cfg.public_read and request.method == "GET"
                and path.startswith("/api/") and not path.startswith(ALWAYS_OPEN)
                and not path.endswith((".atom", ".cap"))):  # these check keys themselves
            key = current_key(request)
            if key is None or not key.allows("read"):
                e = _deny(request, "read")
                return JSONResponse({"detail": e.detail}, status_code=e.status_code,
                                    headers=e.headers)
        return await call_next(request)
