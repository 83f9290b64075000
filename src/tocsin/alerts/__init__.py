"""Alerts: subscriptions, the trigger that decides when an event change is worth telling
someone about, delivery channels (webhook, email, SSE, Atom) and standard exports (CAP 1.2,
GeoJSON, HXL CSV).

Subscriptions describe *events* (area, hazard, information type, needs, tier, corroboration);
nothing here can describe, filter or group by a person or an author.
"""

from .alert import Alert
from .engine import AlertEngine

__all__ = ["Alert", "AlertEngine"]
