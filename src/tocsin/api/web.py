"""The dashboard: one HTML shell and its static assets, served with strict security headers.

Everything the page needs ships inside the package (``tocsin/web``): vendored Leaflet, the
Natural Earth basemap, our ES modules and CSS. Nothing is built or fetched at run time, so
the dashboard works offline and the Content-Security-Policy can forbid every other host and
every inline script or style. The only optional outside host is a raster tile server that an
operator configures (``[web] tile_url`` in the TOML config, or ``TOCSIN_TILE_URL``); its
origin is then added to ``img-src`` and nothing else.

Posts are untrusted: the page renders every outside text with ``textContent``, and the CSP
below is the second wall should a bug ever slip through.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, JSONResponse, Response

from .state import AppState, get_state

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

router = APIRouter(include_in_schema=False)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}


def web_settings(st: AppState) -> dict[str, Any]:
    """What the page may know about its deployment: an optional online tile layer."""
    extra = getattr(st.cfg, "extra", None) or {}
    web = extra.get("web") if isinstance(extra.get("web"), dict) else {}
    tile_url = os.environ.get("TOCSIN_TILE_URL") or web.get("tile_url") or None
    attribution = (os.environ.get("TOCSIN_TILE_ATTRIBUTION") or web.get("tile_attribution")
                   or "")
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme not in ("https", "http") or not parts.netloc:
            tile_url = None  # refuse anything that is not a plain web URL
    return {"tile_url": tile_url, "tile_attribution": attribution if tile_url else ""}


def _tile_origin(tile_url: str | None) -> str:
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    host = parts.netloc
    if "{s}" in host:  # Leaflet subdomains: {s}.tile.example.org -> *.tile.example.org
        host = "*" + host[host.index("{s}") + 3:]
    return f" {parts.scheme}://{host}"


def security_headers(st: AppState | None = None) -> dict[str, str]:
    tiles = _tile_origin(web_settings(st)["tile_url"]) if st is not None else ""
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{tiles}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    }


def _shell(st: AppState) -> Response:
    headers = security_headers(st)
    headers["Cache-Control"] = "no-cache"
    return FileResponse(WEB_DIR / "index.html", media_type=_TYPES[".html"], headers=headers)


@router.api_route("/", methods=["GET", "HEAD"])
def index(st: Annotated[AppState, Depends(get_state)]) -> Response:
    return _shell(st)


@router.api_route("/event/{event_id}", methods=["GET", "HEAD"])
def event_page(event_id: str, st: Annotated[AppState, Depends(get_state)]) -> Response:
    return _shell(st)


@router.api_route("/subscriptions", methods=["GET", "HEAD"])
def subscriptions_page(st: Annotated[AppState, Depends(get_state)]) -> Response:
    return _shell(st)


@router.api_route("/sources", methods=["GET", "HEAD"])
def sources_page(st: Annotated[AppState, Depends(get_state)]) -> Response:
    return _shell(st)


@router.api_route("/web-config.json", methods=["GET", "HEAD"])
def web_config(st: Annotated[AppState, Depends(get_state)]) -> Response:
    return JSONResponse(web_settings(st), headers={**security_headers(st),
                                                   "Cache-Control": "no-cache"})


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
def static(path: str, st: Annotated[AppState, Depends(get_state)]) -> Response:
    root = WEB_DIR.resolve()
    target = (root / path).resolve()
    # no traversal out of the web folder, no dotfiles, no directories, no index.html here
    if (not target.is_relative_to(root) or not target.is_file()
            or any(p.startswith(".") for p in target.relative_to(root).parts)):
        raise HTTPException(404, "no such asset")
    media = _TYPES.get(target.suffix.lower())
    if media is None:
        raise HTTPException(404, "no such asset")
    headers = security_headers(st)
    # vendored files never change within a release; our own modules may during development
    headers["Cache-Control"] = ("public, max-age=86400" if "vendor" in target.parts
                                else "no-cache")
    return FileResponse(target, media_type=media, headers=headers)
