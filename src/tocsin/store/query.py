"""The event-list query, written once for every SQL store.

Stores differ only in a few dialect details (placeholders, list membership, how to look
into the JSON body, how times are bound); those are the ``Dialect`` methods, and the
filter logic itself lives here so the SQLite and PostgreSQL stores cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Protocol

from .base import EventQuery

ORDER_BY = {
    "recent": "last_seen DESC, id",
    "severity": "severity DESC, last_seen DESC, id",
    "reports": "report_count DESC, id",
}


class Dialect(Protocol):
    ph: str  # the parameter placeholder

    def in_list(self, column: str, values: list[str]) -> tuple[str, list[Any]]: ...

    def any_counted(self, field: str, keys: list[str]) -> tuple[str, list[Any]]:
        """Any of ``keys`` has a count above zero in the body's ``field`` object."""

    def time(self, value) -> Any: ...


class SQLiteDialect:
    ph = "?"

    def in_list(self, column, values):
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def any_counted(self, field, keys):
        # counts live in the event body; a key path per value keeps it one query
        sql = " OR ".join("coalesce(json_extract(body, ?), 0) > 0" for _ in keys)
        return f"({sql})", [f'$.{field}."{k}"' for k in keys]

    def time(self, value):
        return value.isoformat()


class PostgresDialect:
    ph = "%s"

    def in_list(self, column, values):
        return f"{column} = ANY(%s)", [list(values)]

    def any_counted(self, field, keys):
        return (f"EXISTS (SELECT 1 FROM jsonb_each_text(body->'{field}') kv"
                " WHERE kv.key = ANY(%s) AND kv.value::numeric > 0)", [list(keys)])

    def time(self, value):
        return value


def event_filters(q: EventQuery, d: Dialect) -> tuple[str, list[Any]]:
    """``(" WHERE ...", args)`` for the query's filters (empty clause when there are none)."""
    where: list[str] = []
    args: list[Any] = []

    def add(sql: str, a: list[Any]) -> None:
        where.append(sql)
        args.extend(a)

    if q.status:
        add(*d.in_list("status", q.status))
    elif not q.include_merged:
        add("status <> 'merged'", [])
    if q.since:
        add(f"last_seen >= {d.ph}", [d.time(q.since)])
    if q.hazard:
        add(*d.in_list("hazard", q.hazard))
    if q.tier:
        add(*d.in_list("tier", q.tier))
    if q.bbox:
        w, s, e, n = q.bbox
        p = d.ph
        add(f"min_lon IS NOT NULL AND max_lon >= {p} AND min_lon <= {p}"
            f" AND max_lat >= {p} AND min_lat <= {p}", [w, e, s, n])
    for field, keys in (("info_counts", q.info_type), ("needs_counts", q.needs),
                        ("languages", q.lang)):
        if keys:
            add(*d.any_counted(field, keys))
    return (" WHERE " + " AND ".join(where)) if where else "", args


def order_by(q: EventQuery) -> str:
    return ORDER_BY.get(q.order, ORDER_BY["recent"])


def alert_filters(subscription_ids: list[str] | None, since, d: Dialect
                  ) -> tuple[str, list[Any]] | None:
    """``(" WHERE ...", args)`` for the alert list; None when ``subscription_ids`` is an
    empty list, which means no subscription (so no rows), not all of them."""
    where: list[str] = []
    args: list[Any] = []
    if subscription_ids is not None:
        if not subscription_ids:
            return None
        sql, a = d.in_list("a.subscription_id", subscription_ids)
        where.append(sql)
        args.extend(a)
    if since is not None:
        where.append(f"a.fired_at >= {d.ph}")
        args.append(d.time(since))
    return (" WHERE " + " AND ".join(where)) if where else "", args
