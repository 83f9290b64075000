"""Server-side request forgery guard for URLs that tocsin will fetch or post to.

A webhook URL is chosen by whoever holds a ``subscribe`` key; without this guard it could
make tocsin post to its own admin endpoints, a cloud metadata service (169.254.169.254) or a
printer on the LAN. Two checks: ``check_url_syntax`` when the URL is accepted (scheme, no
credentials, literal IPs), and ``resolve_and_check`` right before each delivery (every address
the name resolves to must be public), because DNS can change after acceptance.

Private, loopback, link-local, CGNAT, multicast, reserved and unspecified ranges are refused
unless the operator sets ``alerts.allow_private_urls = true`` (tests, a LAN-only deployment).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class UnsafeURL(ValueError):
    """The URL points somewhere tocsin must not send requests to."""


def ip_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip_is_public(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    bad = (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
           or ip.is_reserved or ip.is_unspecified)
    if isinstance(ip, ipaddress.IPv6Address):
        bad = bad or ip.is_site_local
    return not bad


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # inet_aton accepts legacy forms such as "2130706433" or "0x7f.1" for 127.0.0.1
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def check_url_syntax(url: str, *, allow_private: bool = False) -> tuple[str, int]:
    """Refuse bad schemes, embedded credentials and literal non-public addresses.

    Returns (host, port). Names such as ``localhost`` are refused here too; other names are
    checked by ``resolve_and_check`` at delivery time.
    """
    if len(url) > 2048:
        raise UnsafeURL("URL longer than 2048 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise UnsafeURL(f"not a valid URL: {e}") from e
    if parts.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"scheme must be http or https, not {parts.scheme!r}")
    if parts.username or parts.password:
        raise UnsafeURL("credentials in the URL are not allowed (use the channel secret)")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL("URL has no host")
    port = port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return host, port
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local") \
            or host.endswith(".internal"):
        raise UnsafeURL(f"{host} is a local name")
    ip = _literal_ip(host)
    if ip is not None and not ip_is_public(ip):
        raise UnsafeURL(f"{ip} is not a public address")
    return host, port


async def resolve_and_check(url: str, *, allow_private: bool = False) -> None:
    """Resolve the host now and refuse if *any* address it maps to is not public."""
    host, port = check_url_syntax(url, allow_private=allow_private)
    if allow_private:
        return
    if _literal_ip(host) is not None:
        return
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise UnsafeURL(f"cannot resolve {host}: {e}") from e
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip_is_public(ip):
            raise UnsafeURL(f"{host} resolves to {ip}, which is not a public address")
