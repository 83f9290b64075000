"""SSRF guard and webhook signatures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.alerts.ssrf import UnsafeURL, check_url_syntax, resolve_and_check
from tocsin.alerts.webhook import sign, verify


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://127.1.2.3:8080/x", "http://10.0.0.5/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
    "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/",
    "http://2130706433/", "http://0x7f000001/", "http://localhost/", "http://a.localhost/",
    "http://printer.local/", "gopher://example.org/", "file:///etc/passwd",
    "https://user:pw@example.org/", "http://[fc00::1]/", "http://224.0.0.1/",
])
def test_refused(url):
    with pytest.raises(UnsafeURL):
        check_url_syntax(url)


@pytest.mark.parametrize("url", ["https://example.org/hook", "http://93.184.216.34:8080/x",
                                 "https://[2606:4700::1111]/"])
def test_accepted(url):
    check_url_syntax(url)


def test_private_allowed_only_when_configured():
    check_url_syntax("http://127.0.0.1:9/", allow_private=True)
    with pytest.raises(UnsafeURL):
        check_url_syntax("http://127.0.0.1:9/")


async def test_names_are_resolved_before_delivery():
    with pytest.raises(UnsafeURL):
        # resolves (via /etc/hosts, no network) to loopback
        await resolve_and_check("http://localhost.:8080/")
    await resolve_and_check("http://localhost:8080/", allow_private=True)


@given(body=st.binary(max_size=2000), secret=st.text(min_size=16, max_size=64),
       t=st.integers(1_600_000_000, 2_000_000_000))
def test_signature_verifies(body, secret, t):
    assert verify(secret, sign(secret, body, t), body, now=t + 10)


@given(body=st.binary(min_size=1, max_size=500), secret=st.text(min_size=16, max_size=64),
       i=st.integers(0, 10_000), t=st.integers(1_600_000_000, 2_000_000_000))
def test_tampering_is_detected(body, secret, i, t):
    h = sign(secret, body, t)
    k = i % len(body)
    tampered = body[:k] + bytes([body[k] ^ 0x01]) + body[k + 1:]
    assert not verify(secret, h, tampered, now=t)
    assert not verify(secret + "x", h, body, now=t)
    assert not verify(secret, h, body, now=t + 3600)  # replayed an hour later
    assert not verify(secret, h.replace("t=", "t=1"), body, now=t)


@given(st.text(max_size=100))
def test_garbage_headers_never_verify(h):
    assert not verify("s" * 16, h, b"{}", now=0)
