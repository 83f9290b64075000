"""The dashboard router's security headers and tile settings (no browser needed)."""

from __future__ import annotations

from types import SimpleNamespace

from tocsin.api.web import WEB_DIR, security_headers, web_settings


def _state(web: dict | None = None):
    return SimpleNamespace(cfg=SimpleNamespace(extra={"web": web} if web else {}))


def test_offline_by_default(monkeypatch):
    monkeypatch.delenv("TOCSIN_TILE_URL", raising=False)
    assert web_settings(_state()) == {"tile_url": None, "tile_attribution": ""}
    csp = security_headers(_state())["Content-Security-Policy"]
    assert "img-src 'self' data:;" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_configured_tiles_open_only_img_src(monkeypatch):
    monkeypatch.delenv("TOCSIN_TILE_URL", raising=False)
    st = _state({"tile_url": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
                 "tile_attribution": "© <b>someone</b>"})
    assert web_settings(st)["tile_url"].startswith("https://{s}.tile.example.org/")
    csp = security_headers(st)["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.org;" in csp
    assert "connect-src 'self';" in csp and "script-src 'self';" in csp


def test_non_web_tile_url_is_refused(monkeypatch):
    monkeypatch.setenv("TOCSIN_TILE_URL", "javascript:alert(1)//{z}")
    assert web_settings(_state())["tile_url"] is None


def test_assets_ship_in_the_package():
    for rel in ("index.html", "js/app.js", "css/app.css", "vendor/leaflet/leaflet.js",
                "vendor/world-atlas/countries-50m.json", "vendor/leaflet/LICENSE"):
        assert (WEB_DIR / rel).is_file(), rel
    total = sum(p.stat().st_size for p in (WEB_DIR / "vendor").rglob("*") if p.is_file())
    assert total < 2_000_000
    # no innerHTML, eval or inline handlers in our own code
    for js in (WEB_DIR / "js").glob("*.js"):
        src = js.read_text(encoding="utf-8")
        for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function",
                    "document.write"):
            assert bad not in src, f"{bad} in {js.name}"
