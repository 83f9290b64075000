"""In-process fan-out of event changes to live listeners (the SSE stream, the dashboard).

Each listener has its own bounded queue. A listener that cannot keep up loses its oldest
messages (counted in ``dropped``) instead of slowing the pipeline or other listeners: a slow
browser tab must never delay an alert.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any

Message = tuple[int, str, dict[str, Any], str | None]


class Listener:
    """One live client. ``audience`` names the private topics (subscription ids) it may see;
    messages published for an audience never reach a listener outside it."""

    def __init__(self, maxsize: int, audience: frozenset[str] = frozenset()):
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)
        self.audience = audience
        self.dropped = 0

    def accepts(self, msg: Message) -> bool:
        return msg[3] is None or msg[3] in self.audience


class Broadcaster:
    def __init__(self, maxsize: int = 1000, history: int = 1000):
        self.maxsize = maxsize
        self._listeners: set[Listener] = set()
        self._seq = itertools.count(1)
        # Recent messages, so a client reconnecting with Last-Event-ID misses nothing.
        self._history: deque[Message] = deque(maxlen=history)
        self.loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self, last_id: int | None = None,
                  audience: frozenset[str] = frozenset()) -> Listener:
        """A new listener; with ``last_id``, first replays what it missed (as far as kept)."""
        listener = Listener(self.maxsize, audience)
        if last_id is not None:
            for msg in self._history:
                if msg[0] > last_id and listener.accepts(msg) and not listener.queue.full():
                    listener.queue.put_nowait(msg)
        self._listeners.add(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    def publish(self, kind: str, data: dict[str, Any], audience: str | None = None) -> None:
        """Deliver to every listener allowed to see it; call from the event loop thread.

        ``audience`` (a subscription id) keeps a message private to the listeners that
        proved they own that subscription; public messages (event changes) reach everyone.
        """
        msg = (next(self._seq), kind, data, audience)
        self._history.append(msg)
        for listener in list(self._listeners):
            if not listener.accepts(msg):
                continue
            q = listener.queue
            if q.full():
                try:
                    q.get_nowait()
                    listener.dropped += 1
                except asyncio.QueueEmpty:
                    pass
            q.put_nowait(msg)

    def publish_threadsafe(self, kind: str, data: dict[str, Any]) -> None:
        """Publish from a worker thread (the enrichment thread) onto the loop."""
        if self.loop is None:
            self.publish(kind, data)
        else:
            self.loop.call_soon_threadsafe(self.publish, kind, data)
