"""``tocsin subscriptions``, ``tocsin keys``, ``tocsin alerts`` and ``tocsin export``.

These work on the database directly (no server needed), so an operator can create the first
admin key before anything is exposed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import fail, load_cli_config, stderr

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML config file")]
DbOpt = Annotated[Path | None, typer.Option("--db", help="SQLite database file")]
Out = Annotated[Path | None, typer.Option("-o", "--output", help="file (default stdout)")]
Limit = Annotated[int, typer.Option(help="most recent N events")]


def _open(config: Path | None, db: Path | None):
    from ..runtime import open_store

    cfg = load_cli_config(config, db)
    return cfg, open_store(cfg)


def _floats(s: str, n: int, what: str) -> list[float]:
    try:
        v = [float(x) for x in s.split(",")]
    except ValueError:
        fail(f"{what} must be {n} comma-separated numbers, not {s!r}")
    if len(v) != n:
        fail(f"{what} must be {n} comma-separated numbers, not {s!r}")
    return v


def _out(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        stderr.print(f"tocsin: wrote {out}")


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    subs = typer.Typer(help="Alert subscriptions (stored in the database).",
                       no_args_is_help=True)
    keys = typer.Typer(help="API keys with scopes read, subscribe, admin (stored hashed).",
                       no_args_is_help=True)
    alerts = typer.Typer(help="Alerts that fired.", no_args_is_help=True)
    export = typer.Typer(help="Export events as GeoJSON or HXL-tagged CSV.",
                         no_args_is_help=True)
    app.add_typer(subs, name="subscriptions")
    app.add_typer(keys, name="keys")
    app.add_typer(alerts, name="alerts")
    app.add_typer(export, name="export")

    @subs.command("add")
    def subs_add(
        name: Annotated[str, typer.Option(help="a label for people")] = "",
        bbox: Annotated[str | None, typer.Option(help="west,south,east,north")] = None,
        polygon: Annotated[Path | None, typer.Option(help="GeoJSON Polygon file")] = None,
        point: Annotated[str | None, typer.Option(help="lon,lat (with --radius-km)")] = None,
        radius_km: Annotated[float | None, typer.Option("--radius-km")] = None,
        countries: Annotated[str | None, typer.Option(help="ISO codes, e.g. HT,DO")] = None,
        hazard: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
        info_type: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
        need: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
        language: Annotated[list[str] | None, typer.Option(help="repeatable")] = None,
        min_tier: Annotated[str, typer.Option(help="routine|urgent|flash")] = "routine",
        min_sources: Annotated[int, typer.Option(help="independent sources")] = 1,
        webhook: Annotated[str | None, typer.Option(help="webhook URL")] = None,
        secret: Annotated[str | None, typer.Option(help="webhook secret (default: generated)")]
        = None,
        email: Annotated[str | None, typer.Option(help="email address")] = None,
        channel: Annotated[str | None, typer.Option(help="sse or atom")] = None,
        from_json: Annotated[Path | None, typer.Option("--json", help="full body as JSON")]
        = None,
        config: ConfigOpt = None, db: DbOpt = None,
    ) -> None:
        """Add a subscription; prints it as JSON (with the webhook secret, shown once)."""
        from ..alerts.service import AlertService
        from ..alerts.subscriptions import SubscriptionError, subscription_from_dict

        if from_json is not None:
            body: dict[str, Any] = json.loads(from_json.read_text(encoding="utf-8"))
        else:
            area: dict[str, Any] | None = None
            if bbox:
                area = {"bbox": _floats(bbox, 4, "--bbox")}
            elif polygon:
                area = {"polygon": json.loads(polygon.read_text(encoding="utf-8"))}
            elif point:
                area = {"point": _floats(point, 2, "--point"), "radius_km": radius_km}
            elif countries:
                area = {"countries": [c.strip() for c in countries.split(",") if c.strip()]}
            if webhook:
                ch: dict[str, Any] = {"type": "webhook", "url": webhook, "secret": secret}
            elif email:
                ch = {"type": "email", "to": email}
            elif channel:
                ch = {"type": channel}
            else:
                fail("choose a channel: --webhook URL, --email ADDRESS or --channel sse|atom")
            body = {"name": name, "area": area, "hazards": hazard or [],
                    "info_types": info_type or [], "needs": need or [],
                    "languages": language or [], "min_tier": min_tier,
                    "min_sources": min_sources, "channel": ch}
        cfg, store = _open(config, db)
        svc = AlertService(store, settings=cfg.extra.get("alerts") or {})
        try:
            sub = subscription_from_dict(body, allow_private=svc.allow_private)
        except SubscriptionError as e:
            fail(f"subscription refused: {e}")
        svc.save(sub)
        print(json.dumps(sub.to_dict(reveal_secret=True), ensure_ascii=False, indent=2))

    @subs.command("list")
    def subs_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
        """Subscriptions as JSON lines (secrets masked)."""
        _, store = _open(config, db)
        from ..alerts.subscriptions import subscription_from_dict

        for body in store.list_subscription_bodies():
            sub = subscription_from_dict(body, allow_private=True)
            print(json.dumps(sub.to_dict(), ensure_ascii=False))

    @subs.command("rm")
    def subs_rm(sub_id: str, config: ConfigOpt = None, db: DbOpt = None) -> None:
        """Remove a subscription (its past alerts stay in the database)."""
        _, store = _open(config, db)
        if not store.delete_subscription(sub_id):
            fail(f"no subscription {sub_id!r} (see `tocsin subscriptions list`)")
        stderr.print(f"tocsin: removed {sub_id}")

    @keys.command("create")
    def keys_create(
        name: Annotated[str, typer.Option(help="what the key is for, e.g. 'newsroom-bot'")],
        scope: Annotated[list[str], typer.Option(help="read, subscribe or admin; repeatable")],
        config: ConfigOpt = None, db: DbOpt = None,
    ) -> None:
        """Create a key; the key itself is printed once and cannot be recovered."""
        from ..alerts.keys import KeyError_, create_key

        _, store = _open(config, db)
        try:
            plain, rec = create_key(store, name, scope)
        except KeyError_ as e:
            fail(str(e))
        print(plain)
        stderr.print(f"tocsin: key {rec.id} ({', '.join(sorted(rec.scopes))}) created; "
                     "store it now, it is not shown again")

    @keys.command("list")
    def keys_list(config: ConfigOpt = None, db: DbOpt = None) -> None:
        _, store = _open(config, db)
        for k in store.list_api_keys():
            print(json.dumps(k))

    @keys.command("revoke")
    def keys_revoke(key_id: str, config: ConfigOpt = None, db: DbOpt = None) -> None:
        from ..model import utcnow

        _, store = _open(config, db)
        if not store.revoke_api_key(key_id, utcnow().isoformat()):
            fail(f"no active key {key_id!r} (see `tocsin keys list`)")
        stderr.print(f"tocsin: revoked {key_id}")

    @alerts.command("list")
    def alerts_list(
        subscription: Annotated[str | None, typer.Option(help="a subscription id")] = None,
        limit: Annotated[int, typer.Option()] = 100,
        config: ConfigOpt = None, db: DbOpt = None,
    ) -> None:
        """Alerts as JSON lines, newest first."""
        _, store = _open(config, db)
        for a in store.list_alerts(subscription_ids=[subscription] if subscription else None,
                                   limit=limit):
            a.pop("event", None)
            print(json.dumps(a, ensure_ascii=False))

    @alerts.command("cap")
    def alerts_cap(alert_id: str, config: ConfigOpt = None, db: DbOpt = None) -> None:
        """One alert as a CAP 1.2 document."""
        from ..alerts.alert import Alert
        from ..alerts.cap import to_cap

        cfg, store = _open(config, db)
        d = store.get_alert(alert_id)
        if d is None:
            fail(f"no alert {alert_id!r} (see `tocsin alerts list`)")
        sender = (cfg.extra.get("alerts") or {}).get("sender", "tocsin@localhost")
        print(to_cap(Alert.from_dict(d), sender=sender))

    def _export_events(config: Path | None, db: Path | None, limit: int):
        from ..store.base import EventQuery

        _, store = _open(config, db)
        return store.list_events(EventQuery(limit=limit))[0]

    @export.command("geojson")
    def export_geojson(output: Out = None, limit: Limit = 10_000, config: ConfigOpt = None,
                       db: DbOpt = None) -> None:
        """Events as a GeoJSON FeatureCollection."""
        from ..alerts.exports import events_geojson

        fc = events_geojson(_export_events(config, db, limit))
        _out(json.dumps(fc, ensure_ascii=False) + "\n", output)

    @export.command("csv")
    def export_csv(output: Out = None, limit: Limit = 10_000, config: ConfigOpt = None,
                   db: DbOpt = None) -> None:
        """Events as CSV with an HXL hashtag row."""
        from ..alerts.exports import events_hxl_csv

        _out(events_hxl_csv(_export_events(config, db, limit)), output)
