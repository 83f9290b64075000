"""The running alert service: engine + store + dispatcher, attached to a pipeline.

``attach(state)`` is what ``runtime.build_state`` calls: it loads subscriptions from the
store, restores what each subscriber was already told (so a restart does not re-alert),
hooks the engine onto the pipeline and exposes the service to the API as
``state.extras["alerts"]``.

Settings live in the config's ``[alerts]`` table::

    [alerts]
    allow_private_urls = false   # true only for tests or LAN-only deployments
    sender = "tocsin@example.org"   # CAP <sender> and email From
    base_url = "https://tocsin.example.org"   # links in feeds and emails
    drain_timeout_s = 10
    [alerts.smtp]
    host = "127.0.0.1"
    port = 25
    [alerts.retry]
    attempts = 6
    base_s = 1.0
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from typing import Any

from ..model import EventChange
from .alert import Alert
from .dispatch import Dispatcher
from .email import SmtpConfig
from .engine import AlertEngine
from .subscriptions import Subscription, subscription_from_dict
from .trigger import TriggerRules
from .webhook import RetryPolicy

log = logging.getLogger("tocsin.alerts")
STATE_KEY = "alerts.trigger"
#: channels that need a push; Atom reads the store, the built-in default goes nowhere
LIVE_CHANNELS = frozenset({"webhook", "email", "sse"})
SNAPSHOT_EVERY_S = 30.0
RELOAD_CHECK_S = 5.0


class AlertService:
    def __init__(self, store: Any, *, settings: dict[str, Any] | None = None,
                 broadcaster: Any = None):
        s = dict(settings or {})
        self.settings = s
        self.store = store
        self.allow_private = bool(s.get("allow_private_urls", False))
        self.sender = str(s.get("sender", "tocsin@localhost"))
        self.base_url = str(s.get("base_url", "")).rstrip("/")
        self.drain_timeout_s = float(s.get("drain_timeout_s", 10.0))
        rules = TriggerRules()
        if "min_update_interval_s" in s:
            rules.min_update_interval = timedelta(seconds=float(s["min_update_interval_s"]))
        if "new_area_km" in s:
            rules.new_area_km = float(s["new_area_km"])
        self.engine = AlertEngine(self._load(), rules=rules, default_all=False)
        data = store.get_state(STATE_KEY)
        if data:
            try:
                self.engine.restore_state(data)
            except Exception:
                log.exception("could not restore alert trigger state; subscribers may get a "
                              "repeat of their last alerts")
        retry = s.get("retry") or {}
        policy = RetryPolicy(**{k: float(v) if k != "attempts" else int(v)
                                for k, v in retry.items() if k in RetryPolicy.__slots__})
        self.dispatcher = Dispatcher(
            store=store, lookup=self.get, broadcaster=broadcaster,
            smtp=SmtpConfig.from_dict({"sender": self.sender, **(s.get("smtp") or {})}),
            policy=policy, allow_private=self.allow_private, web_base=self.base_url)
        self._last_snapshot = time.monotonic()
        self._snap_lock = threading.Lock()
        self._subs_version = self._version()
        self._last_version_check = time.monotonic()
        self.fired = 0

    def _version(self) -> bytes | None:
        getter = getattr(self.store, "subscriptions_version", None)
        return getter() if getter else None

    def reload_if_changed(self) -> bool:
        """Pick up subscriptions added or removed by another process (the CLI, ``tocsin
        serve``) sharing this database."""
        self._last_version_check = time.monotonic()
        v = self._version()
        if v == self._subs_version:
            return False
        self._subs_version = v
        self.engine.replace_all(self._load())
        log.info("subscriptions reloaded: %d", len(self.engine.index))
        return True

    def _load(self) -> list[Subscription]:
        out = []
        for body in self.store.list_subscription_bodies():
            try:
                # the URL was checked when it was accepted; delivery re-checks DNS
                out.append(subscription_from_dict(body, allow_private=True))
            except ValueError as e:
                log.error("stored subscription %s is invalid and ignored: %s",
                          body.get("id"), e)
        return out

    # -- subscriptions (API/CLI) -------------------------------------------------------------
    def save(self, sub: Subscription) -> None:
        self.store.put_subscription(sub.id, sub.owner, sub.created_at.isoformat(),
                                    sub.to_dict(reveal_secret=True))
        self.engine.add(sub)
        self._subs_version = self._version()  # our own write: nothing to reload

    def delete(self, sub_id: str) -> bool:
        gone = self.store.delete_subscription(sub_id)
        self.engine.remove(sub_id)
        self._subs_version = self._version()
        return gone

    def get(self, sub_id: str) -> Subscription | None:
        return self.engine.index.get(sub_id)

    def list(self) -> list[Subscription]:
        return sorted(self.engine.subscriptions(), key=lambda s: (s.created_at, s.id))

    # -- the pipeline hook (worker thread) ---------------------------------------------------
    def on_changes(self, changes: list[EventChange]) -> list[Alert]:
        if time.monotonic() - self._last_version_check > RELOAD_CHECK_S:
            self.reload_if_changed()
        alerts = self.engine.process(changes)
        if alerts:
            self.fired += len(alerts)
            self.store.add_alerts(*alert_rows(alerts))
            live = [a for a in alerts if a.channel in LIVE_CHANNELS]
            if live:
                self.dispatcher.submit_threadsafe(live)
        if time.monotonic() - self._last_snapshot > SNAPSHOT_EVERY_S:
            self.save_state()
        return alerts

    def save_state(self) -> None:
        with self._snap_lock:
            self._last_snapshot = time.monotonic()
            self.store.set_state(STATE_KEY, self.engine.snapshot())

    # -- lifecycle (event loop) --------------------------------------------------------------
    async def start(self) -> None:
        await self.dispatcher.start()

    async def stop(self) -> None:
        ok = await self.dispatcher.drain(self.drain_timeout_s)
        if not ok:
            log.warning("stopping with %d alert deliveries unfinished",
                        self.dispatcher.pending)
        await self.dispatcher.stop(0)
        self.save_state()


def alert_rows(alerts: list[Alert]) -> tuple[list[tuple], dict[str, str]]:
    """Rows for ``store.add_alerts`` and the event snapshots they point to.

    Built directly, not through ``to_dict``: when one change fires thousands of alerts,
    everything they share (the event JSON, the time stamps, the usual reasons) is
    serialised once — the per-alert cost is what keeps 10,000 subscriptions cheap."""
    snaps: dict[int, tuple[str, str]] = {}
    snapshots: dict[str, str] = {}
    reasons_json: dict[tuple[str, ...], str] = {}
    rows = []
    for a in alerts:
        shared = snaps.get(id(a.event))
        if shared is None:
            fired = a.fired_at.isoformat()
            key = f"{a.event_id}@{fired}"
            snapshots[key] = json.dumps(a.event, ensure_ascii=False, separators=(",", ":"))
            shared = snaps[id(a.event)] = (key, fired)
        rk = tuple(a.reasons)
        rj = reasons_json.get(rk)
        if rj is None:
            rj = reasons_json[rk] = json.dumps(a.reasons, ensure_ascii=False)
        rows.append((a.id, a.subscription_id, a.event_id, a.kind, a.tier, shared[1],
                     a.update_of,
                     a.update_of_fired_at.isoformat() if a.update_of_fired_at else None,
                     a.seq, round(a.severity, 4), a.channel, rj, shared[0]))
    return rows, snapshots


#: what a store needs for alerts (SQLiteStore has them; see docs/alerts.md)
STORE_METHODS = ("put_subscription", "delete_subscription", "list_subscription_bodies",
                 "add_alerts", "get_alert", "list_alerts", "put_api_key", "get_api_key",
                 "list_api_keys", "revoke_api_key", "add_dead_letter", "list_dead_letters")


def attach(state: Any) -> AlertService | None:
    """Build the service for an AppState and hook it onto its pipeline (if any)."""
    missing = [m for m in STORE_METHODS if not hasattr(state.store, m)]
    if missing:
        # a store without alert tables: run without alerts rather than not at all
        log.error("alerts disabled: %s lacks %s", type(state.store).__name__,
                  ", ".join(missing))
        return None
    settings = state.cfg.extra.get("alerts") or {}
    svc = AlertService(state.store, settings=settings, broadcaster=state.broadcaster)
    state.extras["alerts"] = svc
    if state.pipeline is not None:
        state.pipeline.add_hook(svc.on_changes)
    from ..api import auth

    auth.install(state)
    return svc
