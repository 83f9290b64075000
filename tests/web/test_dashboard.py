"""The dashboard in a real Chromium against a real tocsin server on loopback."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest

from .conftest import devserver, free_port
from .fixtures import INCIDENTS, T0, XSS_TITLE, make_db, make_key

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


def test_canvas_redraw_after_its_context_is_gone(fixture_server, make_page):
    """Leaflet may run a queued canvas redraw after a page change destroyed the renderer's
    drawing context (seen once in CI as "reading 'clearRect'"); the dashboard skips it."""
    page, watch = open_events(make_page, fixture_server)
    page.evaluate("""() => {
      const renderer = window.L.canvas();
      renderer._redrawRequest = 1;  // as if a frame had been queued before the removal
      renderer._redraw();           // no context: it was never attached, or was destroyed
      if (renderer._redrawRequest !== null) throw new Error('request not cleared');
    }""")
    assert watch.page_errors == []


def test_phone_width(fixture_server, make_page, artifacts):
    page, watch = open_events(make_page, fixture_server, width=390, height=844)
    assert len(list_ids(page)) == N_INCIDENTS
    # nothing wider than the screen: no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "dashboard-events-phone.png"), full_page=True)
    page.goto(fixture_server.url + "/event/ev-flood-dhaka")
    page.wait_for_selector("#provenance")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "dashboard-event-phone.png"), full_page=True)
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
    # draw a box with the mouse over the map's left part (the Americas at this world view)
    page.goto(fixture_server.url + "/?map=2/20/10")
    page.wait_for_selector("main[data-loaded='1']")
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
    # the report the title comes from is marked, and only that one
    marked = page.locator("#provenance tbody tr.representative")
    assert marked.count() == 1
    assert marked.get_attribute("data-id") == "ev-quake-izmir-r1"
    assert marked.locator(".title-mark").text_content() == "title"
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
    # raw text needs a key with the read scope: the page asks for one, kept per tab only
    key = make_key(fixture_server.db, ["read"])
    page.click("#show-text")
    page.wait_for_selector("#key-panel:not([hidden])")
    page.fill("#key-input", key)
    page.press("#key-input", "Enter")
    page.wait_for_selector("#provenance .report-text")  # shown once the key is given
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
        # an alert on the stream shows as a notice that links to its event (text only)
        req = urllib.request.Request(srv.url + "/_test/alert", method="POST", data=json.dumps({
            "id": "al-1", "event_id": "ev-xss-lyon", "kind": "new", "tier": "flash",
            "event": {"title": "<img src=x onerror=alert(2)> bridge"}}).encode(),
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).close()
        page.wait_for_selector("#toasts .toast a[href='/event/ev-xss-lyon']")
        assert "<img src=x onerror=alert(2)> bridge" in page.text_content("#toasts")
        assert page.locator("img[src='x']").count() == 0
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


def test_subscriptions_page(fixture_server, make_page, artifacts):
    page, watch = make_page(fixture_server.url)
    page.goto(fixture_server.url + "/subscriptions")
    # no key: the API answers 401 and the page asks for a key (sessionStorage only)
    page.wait_for_selector("#key-panel:not([hidden])")
    assert "API key" in page.text_content("#subs-status")
    page.fill("#key-input", make_key(fixture_server.db, ["subscribe"]))
    page.press("#key-input", "Enter")
    page.wait_for_selector("#sub-form")
    page.wait_for_function("() => document.querySelector('#subs-status + div').textContent"
                           ".includes('No subscriptions yet')")
    assert page.evaluate("sessionStorage.getItem('tocsin.apiKey')").startswith("tk_")
    assert page.evaluate("localStorage.length") == 0
    page.fill("#s-name", "Floods in Bangladesh")
    page.select_option("#s-area", "bbox")
    page.fill("#s-bbox", "88,20,93,27")
    page.check("input[name='hazards'][value='flood']")
    page.check("input[name='needs'][value='water']")
    page.select_option("#s-tier", "urgent")
    page.select_option("#s-channel", "atom")
    page.click("#sub-form button[type='submit']")
    page.wait_for_selector("#subs-table tbody tr")
    subs = page.evaluate("""async () => (await (await fetch('/api/v1/subscriptions', {headers:
        {Authorization: 'Bearer ' + sessionStorage.getItem('tocsin.apiKey')}})).json())""")
    (sub,) = subs["subscriptions"]
    assert sub["name"] == "Floods in Bangladesh"
    assert sub["area"] == {"bbox": [88, 20, 93, 27]}
    assert sub["hazards"] == ["flood"] and sub["needs"] == ["water"]
    assert sub["min_tier"] == "urgent" and sub["channel"]["type"] == "atom"
    # edit
    page.click("#subs-table tbody tr button:text('Edit')")
    assert page.input_value("#s-bbox") == "88,20,93,27"
    page.fill("#s-name", "Floods, Bangladesh and NE India")
    page.click("#sub-form button[type='submit']")
    page.wait_for_function("() => document.querySelector('#subs-table').textContent"
                           ".includes('NE India')")
    # test-fire: the server sends a sample alert through the channel and says how it went
    page.click("#subs-table tbody tr button:text('Test')")
    page.wait_for_function("() => /Test alert for .*: (delivered|failed)/"
                           ".test(document.querySelector('#subs-status').textContent)")
    page.screenshot(path=str(artifacts / "dashboard-subscriptions.png"), full_page=True)
    # delete (confirm() is accepted)
    page.once("dialog", lambda d: d.accept())
    page.remove_listener("dialog", watch._dialog)
    page.click("#subs-table tbody tr button:text('Delete')")
    page.wait_for_function("() => document.querySelector('#subs-status').textContent"
                           " === 'Deleted.'")
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


CONTRAST_JS = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0.9) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const bad = []; let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.leaflet-container, svg, noscript, [hidden]')) continue;
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
    if (!text) continue;
    const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    if (!r.width || !r.height || cs.visibility === 'hidden' || r.left < -1000) continue;
    const fg = parse(cs.color); const b = bg(el);
    const l1 = lum(fg), l2 = lum(b); const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize); const bold = Number(cs.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    checked += 1;
    if (ratio < need && !(el.disabled || el.closest(':disabled'))) bad.push(`${el.tagName}.${el.className} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return {checked, bad};
}"""


@pytest.mark.parametrize("path", ["/", "/event/ev-flood-dhaka", "/sources", "/subscriptions"])
def test_text_contrast_meets_wcag_aa(fixture_server, make_page, path):
    page, _ = make_page(fixture_server.url)
    page.goto(fixture_server.url + path)
    page.wait_for_selector("main > *")
    page.wait_for_timeout(400)
    if path == "/":
        page.focus("#event-list li")  # the focus ring and selected state are checked too
    res = page.evaluate(CONTRAST_JS)
    assert res["checked"] > 5
    assert res["bad"] == [], res["bad"]


def test_back_and_forward_restore_filters(fixture_server, make_page):
    page, watch = open_events(make_page, fixture_server)
    page.select_option("#f-hazard", "flood")
    page.wait_for_function("() => document.querySelectorAll('#event-list li').length === 1")
    page.select_option("#f-tier", "flash")
    page.wait_for_function("() => location.search.includes('tier=flash')")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('tier=')")
    assert page.input_value("#f-tier") == "" and page.input_value("#f-hazard") == "flood"
    page.go_back()
    page.wait_for_function(
        f"() => document.querySelectorAll('#event-list li').length === {N_INCIDENTS}")
    assert page.input_value("#f-hazard") == ""
    page.go_forward()
    page.wait_for_function("() => document.querySelectorAll('#event-list li').length === 1")
    assert watch.page_errors == []
