"""The dashboard in a real Chromium against a real tocsin server on loopback."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest

from .conftest import devserver, free_port
from .fixtures import INCIDENTS, T0, XSS_TITLE, make_db

N_INCIDENTS = len(INCIDENTS)


def open_events(make_page, srv, path="/", **kw):
    page, watch = make_page(srv.url, **kw)
    page.goto(srv.url + path)
    page.wait_for_selector("main[data-loaded='1']")
    return page, watch


def list_ids(page) -> list[str]:
    return page.eval_on_selector_all("#event-list li[data-id]", "els => els.map(e => e.dataset.id)")


def markers(page) -> int:
    return int(page.get_attribute("#events-map", "data-markers") or 0)


def publish(srv, events: list[dict]) -> None:
    req = urllib.request.Request(srv.url + "/_test/publish", data=json.dumps(events).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_map_and_list_show_events(fixture_server, make_page, artifacts):
    page, watch = open_events(make_page, fixture_server)
    assert len(list_ids(page)) == N_INCIDENTS
    assert markers(page) == N_INCIDENTS
    # the basemap (Natural Earth, vendored) has drawn: its canvas is in the basemap pane
    page.wait_for_selector(".pane-basemap canvas", state="attached")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "dashboard-events-1280.png"))
    assert watch.console_errors == [] and watch.page_errors == [] and watch.outside == []


def test_phone_width(fixture_server, make_page, artifacts):
    page, watch = open_events(make_page, fixture_server, width=390, height=844)
    assert len(list_ids(page)) == N_INCIDENTS
    # nothing wider than the screen: no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "dashboard-events-phone.png"), full_page=True)
    assert watch.page_errors == []


@pytest.mark.parametrize(("control", "value", "expected"), [
    ("#f-hazard", "flood", {"ev-flood-dhaka"}),
    ("#f-tier", "flash", {"ev-flood-dhaka", "ev-xss-lyon"}),
    ("#f-info", "displacement", {"ev-flood-dhaka", "ev-fire-valparaiso"}),
    ("#f-need", "power", {"ev-storm-manila"}),
    ("#f-lang", "tr", {"ev-quake-izmir"}),
    ("#f-window", "1h", {"ev-xss-lyon", "ev-storm-manila"}),  # ends at the newest event
])
def test_filters_change_map_list_and_url(fixture_server, make_page, control, value, expected):
    page, watch = open_events(make_page, fixture_server)
    page.select_option(control, value)
    page.wait_for_function("n => document.querySelectorAll('#event-list li').length === n",
                           arg=len(expected))
    assert set(list_ids(page)) == expected
    assert markers(page) == len(expected)
    key = control.removeprefix("#f-")
    assert f"{key}={value}" in page.url
    # the URL is the view: opening it afresh shows the same thing
    page2, _ = open_events(make_page, fixture_server, path=page.url.removeprefix(
        fixture_server.url))
    assert set(list_ids(page2)) == expected
    assert page2.input_value(control) == value
    assert watch.page_errors == []


def test_drawn_area_filters(fixture_server, make_page):
    # a shared link with an area: only Lyon lies in this box
    page, _ = open_events(make_page, fixture_server, path="/?bbox=0,40,10,50")
    assert list_ids(page) == ["ev-xss-lyon"]
    assert markers(page) == 1
    page.click("#clear-area")
    page.wait_for_function(f"() => document.querySelectorAll('#event-list li').length === {N_INCIDENTS}")
    assert "bbox=" not in page.url
    # draw a box with the mouse over the map's left half (the Americas at world zoom)
    page.click("#draw-area")
    box = page.locator("#events-map").bounding_box()
    page.mouse.move(box["x"] + 6, box["y"] + 90)  # below the zoom buttons
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.95, steps=5)
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('bbox=')")
    page.wait_for_function("() => document.querySelectorAll('#event-list li').length === 1")
    assert list_ids(page) == ["ev-fire-valparaiso"]
    assert page.get_attribute("#draw-area", "aria-pressed") == "false"


def test_event_page_shows_provenance(fixture_server, make_page, artifacts):
    page, watch = open_events(make_page, fixture_server)
    page.click("#event-list li[data-id='ev-quake-izmir'] a.title")
    page.wait_for_selector("#provenance")
    assert page.url.endswith("/event/ev-quake-izmir")
    assert page.text_content("#event-title") == INCIDENTS[1][1]
    rows = page.locator("#provenance tbody tr")
    assert rows.count() == 5  # the five reports stored for this event
    links = page.locator("#provenance tbody a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all(h.startswith("https://news.example.org/") for h in hrefs)
    assert all(links.nth(i).get_attribute("rel") == "noopener noreferrer nofollow"
               for i in range(links.count()))
    # a javascript: URL from a source never becomes a link
    assert "no link" in page.text_content("#provenance")
    assert "Independent sources" in page.text_content(".facts")
    assert page.locator(".timeline rect").count() >= 1
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "dashboard-event-page.png"), full_page=True)
    # back to the list, keyboard only: the list keeps working
    page.go_back()
    page.wait_for_selector("#event-list li[data-id]")
    assert watch.page_errors == [] and watch.console_errors == []


def test_hostile_text_renders_as_text(fixture_server, make_page):
    page, watch = open_events(make_page, fixture_server)
    item = page.locator("#event-list li[data-id='ev-xss-lyon'] a.title")
    assert item.text_content() == XSS_TITLE
    page.goto(fixture_server.url + "/event/ev-xss-lyon")
    page.wait_for_selector("#provenance")
    assert page.text_content("#event-title") == XSS_TITLE
    page.click("#show-text")
    page.wait_for_selector("#provenance .report-text")
    texts = page.locator("#provenance .report-text").all_text_contents()
    assert any("<img src=x onerror=alert(1)>" in t and "<script>" in t for t in texts)
    # nothing was parsed as markup, nothing ran
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    page.wait_for_timeout(300)
    assert watch.dialogs == [] and watch.page_errors == []


def test_security_headers_and_no_inline_code(fixture_server):
    with urllib.request.urlopen(fixture_server.url + "/", timeout=5) as r:
        csp = r.headers["Content-Security-Policy"]
        html = r.read().decode()
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script in index.html: {tag}"
    assert "<style" not in html and not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler in index.html"
    for bad in ("/static/../api/web.py", "/static/%2e%2e/api/web.py", "/static/vendor/leaflet/LICENSE"):
        try:
            urllib.request.urlopen(fixture_server.url + bad, timeout=5)
            raise AssertionError(f"{bad} was served")
        except urllib.error.HTTPError as e:
            assert e.code == 404


def test_live_updates_keep_scroll_and_selection(tmp_path, make_page):
    db = make_db(tmp_path / "live.db", extra_events=60)
    srv = devserver(db, free_port(), tmp_path / "server.log").start()
    try:
        page, watch = open_events(make_page, srv)
        assert page.text_content("#live") == "Live" or page.wait_for_selector(
            "#live[data-state='live']")
        page.wait_for_selector("#live[data-state='live']")
        sel = "ev-fill-00020"
        page.click(f"#event-list li[data-id='{sel}'] .meta")
        assert f"sel={sel}" in page.url
        page.evaluate("document.querySelector('.list-col').scrollTop = 600")
        page.wait_for_timeout(100)
        top_before = page.evaluate("""() => { const c = document.querySelector('.list-col');
          const r = c.getBoundingClientRect();
          return document.elementFromPoint(r.left + 40, r.top + 80).closest('li').dataset.id; }""")
        ev = get_json(srv.url + f"/api/v1/events/{sel}")
        ev.pop("reports"), ev.pop("timeline", None)
        new = dict(ev, id="ev-live-new", title="Live: landslide blocks road in Cusco",
                   hazard="landslide", last_seen=(T0 + timedelta(hours=9)).isoformat(),
                   bbox=[-72.1, -13.6, -71.9, -13.4], places=[])
        ev["report_count"] = 99
        publish(srv, [new, ev])
        page.wait_for_selector("#event-list li[data-id='ev-live-new']", state="attached")
        page.wait_for_function(f"""() => document.querySelector("#event-list li[data-id='{sel}']")
            .textContent.includes('99 reports')""")
        assert list_ids(page)[0] == "ev-live-new"
        assert markers(page) == N_INCIDENTS + 60 + 1
        # selection and place in the list survive the update
        assert page.get_attribute(f"#event-list li[data-id='{sel}']", "aria-current") == "true"
        assert f"sel={sel}" in page.url
        assert page.evaluate("document.querySelector('.list-col').scrollTop") > 500
        top_after = page.evaluate("""() => { const c = document.querySelector('.list-col');
          const r = c.getBoundingClientRect();
          return document.elementFromPoint(r.left + 40, r.top + 80).closest('li').dataset.id; }""")
        assert top_after == top_before
        assert watch.page_errors == [] and watch.console_errors == []
    finally:
        srv.stop()


def test_keeps_working_when_server_restarts(tmp_path, make_page, artifacts):
    from tocsin.model import event_from_dict
    from tocsin.store.sqlite import SQLiteStore

    db = make_db(tmp_path / "restart.db")
    port = free_port()
    srv = devserver(db, port, tmp_path / "server.log").start()
    try:
        page, watch = open_events(make_page, srv)
        page.wait_for_selector("#live[data-state='live']")
        srv.stop()
        page.wait_for_selector("#live[data-state='reconnecting']", timeout=10_000)
        assert "reconnecting" in page.text_content("#live").lower()
        page.screenshot(path=str(artifacts / "dashboard-reconnecting.png"))
        # while it is down, an event is stored; the page must pick it up after reconnecting
        store = SQLiteStore(db)
        e = store.get_event("ev-storm-manila")
        d = e.to_dict()
        d.update(id="ev-after-restart", title="After restart: flood in Recife",
                 last_seen=(T0 + timedelta(hours=8)).isoformat())
        store.upsert_events([event_from_dict(d)])
        store.close()
        srv = devserver(db, port, tmp_path / "server2.log").start()
        page.wait_for_selector("#live[data-state='live']", timeout=20_000)
        page.wait_for_selector("#event-list li[data-id='ev-after-restart']", timeout=10_000)
        # and the stream works again
        publish(srv, [dict(d, id="ev-after-restart-2", title="Streamed after restart")])
        page.wait_for_selector("#event-list li[data-id='ev-after-restart-2']", timeout=10_000)
        assert watch.page_errors == []
    finally:
        srv.stop()


def test_sources_page(fixture_server, make_page, artifacts):
    page, watch = make_page(fixture_server.url)
    page.goto(fixture_server.url + "/sources")
    page.wait_for_selector("#sources-table")
    text = page.text_content("#sources-table")
    assert "test-feed" in text and "healthy" in text
    assert "HTTP 503 <b>Service Unavailable</b>" in text  # outside text, shown as text
    assert "failing (3)" in text
    page.screenshot(path=str(artifacts / "dashboard-sources.png"), full_page=True)
    assert watch.page_errors == [] and watch.console_errors == []


def _fake_subscriptions(page, need_key="k-test"):
    """The subscriptions API contract, faked in the browser (the real one may not exist yet)."""
    subs: dict[str, dict] = {}
    calls: list[tuple[str, str]] = []

    def handle(route):
        req = route.request
        path = req.url.split("/api/v1/subscriptions", 1)[1].split("?")[0]
        calls.append((req.method, path))
        if req.headers.get("authorization") != f"Bearer {need_key}":
            return route.fulfill(status=401, json={"detail": "API key required"})
        if req.method == "GET" and path == "":
            return route.fulfill(json={"subscriptions": list(subs.values())})
        if req.method == "POST" and path == "":
            body = json.loads(req.post_data)
            body["id"] = f"sub-{len(subs) + 1}"
            subs[body["id"]] = body
            return route.fulfill(status=201, json=body)
        sid = path.strip("/").split("/")[0]
        if sid not in subs:
            return route.fulfill(status=404, json={"detail": "no such subscription"})
        if req.method == "PUT":
            subs[sid] = dict(json.loads(req.post_data), id=sid)
            return route.fulfill(json=subs[sid])
        if req.method == "DELETE":
            subs.pop(sid)
            return route.fulfill(status=204, body="")
        if req.method == "POST" and path.endswith("/test"):
            return route.fulfill(json={"delivered": True, "channel": subs[sid]["channel"]["type"]})
        return route.fulfill(status=405, json={"detail": "no"})

    page.route(re.compile(r".*/api/v1/subscriptions.*"), handle)
    return subs, calls


def test_subscriptions_page_against_contract(fixture_server, make_page, artifacts):
    page, watch = make_page(fixture_server.url)
    subs, calls = _fake_subscriptions(page)
    page.goto(fixture_server.url + "/subscriptions")
    # 401: the page asks for a key, which lives in sessionStorage only
    page.wait_for_selector("#key-panel:not([hidden])")
    assert "API key" in page.text_content("#subs-status")
    page.fill("#key-input", "k-test")
    page.press("#key-input", "Enter")
    page.wait_for_selector("#sub-form")
    assert page.evaluate("sessionStorage.getItem('tocsin.apiKey')") == "k-test"
    assert page.evaluate("localStorage.length") == 0
    page.fill("#s-name", "Floods in Bangladesh")
    page.select_option("#s-area", "bbox")
    page.fill("#s-bbox", "88,20,93,27")
    page.check("input[name='hazards'][value='flood']")
    page.check("input[name='needs'][value='water']")
    page.select_option("#s-tier", "urgent")
    page.fill("#s-target", "https://hooks.example.org/tocsin")
    page.click("#sub-form button[type='submit']")
    page.wait_for_selector("#subs-table tbody tr")
    body = subs["sub-1"]
    assert body["area"] == {"bbox": [88, 20, 93, 27]}
    assert body["hazards"] == ["flood"] and body["needs"] == ["water"]
    assert body["min_tier"] == "urgent"
    assert body["channel"] == {"type": "webhook", "url": "https://hooks.example.org/tocsin"}
    # edit
    page.click("#subs-table tbody tr button:text('Edit')")
    page.fill("#s-name", "Floods, Bangladesh and NE India")
    page.click("#sub-form button[type='submit']")
    page.wait_for_function("() => document.querySelector('#subs-table').textContent.includes('NE India')")
    assert subs["sub-1"]["name"] == "Floods, Bangladesh and NE India"
    # test-fire
    page.click("#subs-table tbody tr button:text('Test')")
    page.wait_for_function("() => document.querySelector('#subs-status').textContent.includes('delivered')")
    assert ("POST", "/sub-1/test") in calls
    page.screenshot(path=str(artifacts / "dashboard-subscriptions.png"), full_page=True)
    assert watch.page_errors == []


def test_keyboard_navigation(fixture_server, make_page):
    page, _ = open_events(make_page, fixture_server)
    first = list_ids(page)[0]
    page.focus(f"#event-list li[data-id='{first}']")
    page.keyboard.press("ArrowDown")
    second = list_ids(page)[1]
    assert page.evaluate("document.activeElement.dataset.id") == second
    assert f"sel={second}" in page.url
    page.keyboard.press("Enter")
    page.wait_for_selector("#provenance")
    assert page.url.endswith(f"/event/{second}")
    # skip link is the first tab stop
    page.goto(fixture_server.url + "/sources")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
