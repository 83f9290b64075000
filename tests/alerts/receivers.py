"""Real loopback servers for delivery tests: a webhook receiver that verifies signatures
the way a subscriber would, and helpers for aiosmtpd."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tocsin.alerts.webhook import SIGNATURE_HEADER, verify


class WebhookReceiver:
    """POST / → records the alert if its signature verifies. ``fail_first`` answers 503 to
    the first N requests; ``gate`` (an Event) holds every request until it is set."""

    def __init__(self, secret: str, *, fail_first: int = 0, status: int = 503,
                 gate: threading.Event | None = None):
        self.secret = secret
        self.fail_first = fail_first
        self.status = status
        self.gate = gate
        self.requests: list[dict[str, Any]] = []  # every attempt
        self.alerts: list[dict[str, Any]] = []  # verified, accepted deliveries
        self.bad_signatures = 0
        self.received = threading.Event()
        recv = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if recv.gate is not None:
                    recv.gate.wait(30)
                ok = verify(recv.secret, self.headers.get(SIGNATURE_HEADER, ""), body)
                recv.requests.append({"headers": dict(self.headers), "ok": ok})
                if not ok:
                    recv.bad_signatures += 1
                    self.send_response(401)
                elif len(recv.requests) <= recv.fail_first:
                    self.send_response(recv.status)
                else:
                    recv.alerts.append(json.loads(body))
                    recv.received.set()
                    self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._t = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()


class MailSink:
    """aiosmtpd handler that keeps every message."""

    def __init__(self):
        self.messages: list[Any] = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.received.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
