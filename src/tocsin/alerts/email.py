"""Email delivery over SMTP, one message per alert, with the CAP document attached.

Updates thread under the first alert in mail clients: ``Message-ID`` is derived from the
alert id and ``In-Reply-To``/``References`` from ``update_of``. smtplib is blocking, so it
runs in a small dedicated thread pool: a dead mail server ties up those threads, never the
pipeline's or the API's.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage

from .alert import Alert
from .cap import to_cap


@dataclass(slots=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "tocsin@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = 15.0
    domain: str = "tocsin.local"

    @classmethod
    def from_dict(cls, d: dict) -> SmtpConfig:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def message_id(alert_id: str, domain: str) -> str:
    return f"<{alert_id}@{domain}>"


def build_message(alert: Alert, to: str, cfg: SmtpConfig, *, web: str | None = None
                  ) -> EmailMessage:
    ev = alert.event
    where = ", ".join(p.get("name") or "" for p in (ev.get("places") or [])[:3]) or "unlocated"
    hazard = (ev.get("hazard") or "crisis").replace("_", " ")
    msg = EmailMessage()
    subject = f"[tocsin {alert.tier.upper()}] {hazard} — {where} ({alert.kind})"
    msg["Subject"] = " ".join(subject.split())  # no header injection through place names
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Message-ID"] = message_id(alert.id, cfg.domain)
    if alert.update_of:
        ref = message_id(alert.update_of, cfg.domain)
        msg["In-Reply-To"] = ref
        msg["References"] = ref
    msg["X-Tocsin-Alert-Id"] = alert.id
    lines = [
        f"{ev.get('title') or hazard}",
        "",
        f"Tier: {alert.tier} (severity {alert.severity:.2f}) — {alert.kind}",
        f"Why: {'; '.join(alert.reasons)}",
        f"Where: {where}",
        f"Reports: {ev.get('report_count', 0)} from {ev.get('source_count', 0)} independent "
        "sources",
        f"Summary: {ev.get('summary', '')}",
        f"Stream time: {alert.fired_at.isoformat()}",
        f"Alert: {alert.id}" + (f" (update of {alert.update_of})" if alert.update_of else ""),
    ]
    if web:
        lines.append(f"Event: {web}")
    lines += ["", "Automated detection from public reports; verify before acting."]
    msg.set_content("\n".join(lines))
    msg.add_attachment(to_cap(alert, sender=cfg.sender).encode(), maintype="application",
                       subtype="cap+xml", filename=f"{alert.id}.cap.xml")
    return msg


class Mailer:
    def __init__(self, cfg: SmtpConfig, threads: int = 2):
        self.cfg = cfg
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tocsin-smtp")

    def _send(self, msg: EmailMessage) -> None:
        c = self.cfg
        with smtplib.SMTP(c.host, c.port, timeout=c.timeout_s) as s:
            if c.starttls:
                s.starttls(context=ssl.create_default_context())
            if c.username:
                s.login(c.username, c.password or "")
            s.send_message(msg)

    async def send(self, msg: EmailMessage) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, self._send, msg)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
