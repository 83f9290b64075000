"""Lighthouse-style basics with 5,000 stored events: no console errors, no outside requests,
and a load-time budget measured with the browser's own navigation timing.

The issue asks for "usable in under 2 s on loopback". The figure (navigation start to the
event list and map markers rendered, ``performance.mark('tocsin:list-ready')``) is written
to ``test-artifacts/budget.json`` and printed. The assertion allows 2.5x the budget (5 s)
so that a loaded CI machine does not fail a test that measures the product, not the machine;
the figure itself is what to watch.
"""

from __future__ import annotations

import json

from .conftest import free_port, serve
from .fixtures import make_db

BUDGET_MS = 2000
MARGIN = 2.5


def test_5000_events_load_budget(tmp_path, make_page, artifacts):
    db = make_db(tmp_path / "big.db", extra_events=4995)
    srv = serve(db, free_port(), tmp_path / "serve.log").start()
    try:
        # one warm-up load (the first ever start of Chromium's renderer is not the page's cost)
        page, watch = make_page(srv.url)
        page.goto(srv.url + "/")
        page.wait_for_selector("main[data-loaded='1']")
        page.close()

        page, watch = make_page(srv.url)
        page.goto(srv.url + "/")
        page.wait_for_selector("main[data-loaded='1']")
        t = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const ready = performance.getEntriesByName('tocsin:list-ready')[0];
            return {dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                    load_event_ms: nav.loadEventEnd,
                    list_ready_ms: ready ? ready.startTime : null,
                    transferred_kb: performance.getEntriesByType('resource')
                        .reduce((a, r) => a + (r.transferSize || 0), nav.transferSize) / 1024};
        }""")
        shown = page.locator("#event-list li").count()
        count = page.text_content("#event-count")
        t.update(events_stored=5000, list_items_rendered=shown,
                 markers=int(page.get_attribute("#events-map", "data-markers")))
        (artifacts / "budget.json").write_text(json.dumps(t, indent=2))
        print("load budget:", json.dumps(t))
        assert "5000" in count
        assert t["markers"] == 1000  # the API's largest page, most recent first
        assert t["list_ready_ms"] is not None
        assert t["list_ready_ms"] < BUDGET_MS * MARGIN, t
        # usable: the list responds to the keyboard
        page.focus("#event-list li:first-child")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.matches('#event-list li:nth-child(2)')")
        page.wait_for_timeout(500)  # let late requests (basemap) happen before checking
        assert watch.console_errors == [], watch.console_errors
        assert watch.page_errors == [], watch.page_errors
        assert watch.outside == [], f"requests to outside hosts: {watch.outside}"
    finally:
        srv.stop()
