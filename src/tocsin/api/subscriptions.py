"""Subscriptions and alerts: ``/api/v1/subscriptions``, ``/api/v1/alerts``.

A key sees and edits the subscriptions it created; an admin key sees all. The webhook
secret is returned once, in the response that creates (or replaces) the subscription.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response

from ..alerts.alert import Alert
from ..alerts.atom import atom_feed
from ..alerts.cap import to_cap
from ..alerts.keys import ApiKey, verify_key
from ..alerts.service import AlertService
from ..alerts.subscriptions import Subscription, SubscriptionError, subscription_from_dict
from ..alerts.webhook import RetryPolicy
from ..model import utcnow
from .auth import current_key, public_or, require
from .state import AppState, get_state

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"])
alerts_router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


def service(st: Annotated[AppState, Depends(get_state)]) -> AlertService:
    svc = st.extras.get("alerts")
    if svc is None:
        raise HTTPException(503, "alerts are not enabled in this process")
    return svc


Svc = Annotated[AlertService, Depends(service)]
Subscriber = Annotated[ApiKey, Depends(require("subscribe"))]


def _owned(svc: AlertService, sub_id: str, key: ApiKey) -> Subscription:
    sub = svc.get(sub_id)
    if sub is None or not (key.is_admin or sub.owner == key.id):
        raise HTTPException(404, f"no subscription {sub_id!r}")
    return sub


def _validate(body: Any, svc: AlertService, **kw: Any) -> Subscription:
    try:
        return subscription_from_dict(body, allow_private=svc.allow_private, **kw)
    except SubscriptionError as e:
        raise HTTPException(422, str(e)) from e


@router.post("", status_code=201)
def create(svc: Svc, key: Subscriber, body: Annotated[Any, Body()]) -> dict[str, Any]:
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("id", "owner", "created_at")}
    sub = _validate(body, svc, owner=key.id)
    svc.save(sub)
    return sub.to_dict(reveal_secret=True)


@router.get("")
def list_subs(svc: Svc, key: Subscriber) -> dict[str, Any]:
    subs = [s.to_dict() for s in svc.list() if key.is_admin or s.owner == key.id]
    return {"total": len(subs), "subscriptions": subs}


@router.get("/{sub_id}")
def get_sub(sub_id: str, svc: Svc, key: Subscriber) -> dict[str, Any]:
    return _owned(svc, sub_id, key).to_dict()


@router.put("/{sub_id}")
def replace(sub_id: str, svc: Svc, key: Subscriber,
            body: Annotated[Any, Body()]) -> dict[str, Any]:
    old = _owned(svc, sub_id, key)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("id", "owner", "created_at")}
        ch = body.get("channel")
        # keep the existing webhook secret unless a new one is given
        if (isinstance(ch, dict) and ch.get("type") == "webhook" and not ch.get("secret")
                and old.channel.type == "webhook"):
            body["channel"] = {**ch, "secret": old.channel.secret}
    sub = _validate(body, svc, id=sub_id, owner=old.owner)
    sub.created_at = old.created_at
    svc.save(sub)
    return sub.to_dict(reveal_secret=True)


@router.delete("/{sub_id}", status_code=204)
def delete(sub_id: str, svc: Svc, key: Subscriber) -> Response:
    _owned(svc, sub_id, key)
    svc.delete(sub_id)
    return Response(status_code=204)


def sample_alert(sub: Subscription) -> Alert:
    now = utcnow()
    lon, lat = 0.0, 0.0
    a = sub.area
    if a is not None and a.kind != "countries":
        w, s, e, n = a.index_bboxes()[0]
        lon, lat = (w + e) / 2, (s + n) / 2
    return Alert(
        id="al_test_" + now.strftime("%Y%m%d%H%M%S%f"), subscription_id=sub.id,
        event_id="ev_test", kind="test", tier=sub.min_tier, severity=0.0, fired_at=now,
        reasons=["test alert requested through the API"], channel=sub.channel.type,
        event={"id": "ev_test", "title": "tocsin test alert — not a real event",
               "summary": "test", "hazard": None, "places": [
                   {"name": "test location", "lat": lat, "lon": lon, "country": None}],
               "bbox": [lon, lat, lon, lat], "report_count": 0, "source_count": 0,
               "first_seen": now.isoformat(), "last_seen": now.isoformat()})


@router.post("/{sub_id}/test")
async def test_fire(sub_id: str, svc: Svc, key: Subscriber) -> dict[str, Any]:
    """Send a clearly-labelled sample alert through the channel now (no retries)."""
    sub = _owned(svc, sub_id, key)
    alert = sample_alert(sub)
    disp = svc.dispatcher
    if disp._client is None:
        await disp.start()
    out = await disp.deliver(sub, alert, RetryPolicy(attempts=1,
                                                     timeout_s=disp.policy.timeout_s))
    return {"ok": out.ok, "attempts": out.attempts, "error": out.error or None,
            "status": out.status, "alert": alert.to_dict()}


@router.get("/{sub_id}/feed.atom")
def feed(sub_id: str, request: Request, svc: Svc,
         st: Annotated[AppState, Depends(get_state)],
         key_param: Annotated[str | None, Query(alias="key", description=(
             "API key for feed readers that cannot send headers"))] = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Response:
    """Open when public read is on (the random subscription id is the capability);
    otherwise the owner's key or an admin key, as a header or ``?key=``."""
    sub = svc.get(sub_id)
    if sub is None:
        raise HTTPException(404, f"no subscription {sub_id!r}")
    if not st.cfg.public_read:
        key = current_key(request) or verify_key(st.store, key_param)
        if key is None or not key.allows("read") or not (key.is_admin or sub.owner == key.id):
            raise HTTPException(401, "this feed needs its subscription's API key",
                                headers={"WWW-Authenticate": "Bearer"})
    alerts = svc.store.list_alerts(subscription_ids=[sub_id], limit=limit)
    base = svc.base_url or str(request.base_url).rstrip("/")
    return Response(atom_feed(sub.to_dict(), alerts, base_url=base),
                    media_type="application/atom+xml; charset=utf-8")


@alerts_router.get("")
def list_alerts(
    svc: Svc,
    key: Annotated[ApiKey, Depends(require("read"))],
    subscription: Annotated[str | None, Query(description="a subscription id")] = None,
    since: Annotated[datetime | None, Query(description="fired at or after (stream time)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Alerts of the key's own subscriptions (all of them for an admin key)."""
    if subscription is not None:
        _owned(svc, subscription, key)
        ids: list[str] | None = [subscription]
    else:
        ids = None if key.is_admin else [s.id for s in svc.list() if s.owner == key.id]
    alerts = svc.store.list_alerts(subscription_ids=ids, since=since, limit=limit,
                                   offset=offset)
    return {"alerts": alerts, "limit": limit, "offset": offset}


@alerts_router.get("/{alert_id}.cap")
def alert_cap(alert_id: str, svc: Svc,
              _: Annotated[ApiKey | None, Depends(public_or("read"))]) -> Response:
    d = svc.store.get_alert(alert_id)
    if d is None:
        raise HTTPException(404, f"no alert {alert_id!r}")
    xml = to_cap(Alert.from_dict(d), sender=svc.sender,
                 web=f"{svc.base_url}/api/v1/events/{d['event_id']}" if svc.base_url else None)
    return Response(xml, media_type="application/cap+xml; charset=utf-8")


@alerts_router.get("/{alert_id}")
def alert_json(alert_id: str, svc: Svc,
               _: Annotated[ApiKey | None, Depends(public_or("read"))]) -> dict[str, Any]:
    d = svc.store.get_alert(alert_id)
    if d is None:
        raise HTTPException(404, f"no alert {alert_id!r}")
    return d
