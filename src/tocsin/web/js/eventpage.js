// One event: summary, timeline, counts, places, languages, sources and provenance.

import { api, ApiError } from './api.js';
import {
  clear, fill, countBars, fmtTime, h, isExternalLink, label, svg, tierBadge,
} from './dom.js';
import { createMap, tierColour, tooltipNode } from './map.js';
import { askForKey } from './key.js';

function timelineChart(points) {
  if (!points || !points.length) return h('p', { class: 'muted', text: 'No timeline yet.' });
  const W = 600;
  const H = 120;
  const pad = 18;
  const max = Math.max(...points.map((p) => p.count));
  const bw = (W - 2 * pad) / points.length;
  const bars = points.map((p, i) => {
    const bh = Math.max(1, ((H - 2 * pad) * p.count) / max);
    return svg('rect', { x: (pad + i * bw + bw * 0.1).toFixed(1), y: (H - pad - bh).toFixed(1),
      width: Math.max(1, bw * 0.8).toFixed(1), height: bh.toFixed(1), class: 'tl-bar' },
    svg('title', { text: `${fmtTime(p.t)}: ${p.count} reports` }));
  });
  const total = points.reduce((a, p) => a + p.count, 0);
  return h('figure', { class: 'timeline' },
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'tl',
      'aria-label': `Reports per hour: ${total} reports in ${points.length} hours, at most ${max} in one hour` },
    svg('line', { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, class: 'tl-axis' }),
    bars,
    svg('text', { x: pad, y: H - 4, class: 'tl-label', text: fmtTime(points[0].t) }),
    svg('text', { x: W - pad, y: H - 4, class: 'tl-label end', text: fmtTime(points[points.length - 1].t) }),
    svg('text', { x: pad, y: 12, class: 'tl-label', text: `max ${max}/h` })),
    h('figcaption', { class: 'muted', text: 'Reports per hour' }));
}

// the report the event's title comes from (its representative report) is marked, so that an
// analyst can see which post speaks for the event
function provenance(reports, withText, titleReport) {
  if (!reports.length) return h('p', { class: 'muted', text: 'No reports stored for this event.' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'provenance', id: 'provenance' },
    h('caption', { class: 'sr-only', text: 'Reports of this event' }),
    h('thead', {}, h('tr', {}, ['Time', 'Source', 'Language', 'Information', 'Needs', 'Link']
      .concat(withText ? ['Text'] : []).map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, reports.map((r) => h('tr', { dataset: { id: r.id },
      class: r.id === titleReport ? 'representative' : null },
      h('td', {}, h('time', { datetime: r.published_at, text: fmtTime(r.published_at) }),
        r.id === titleReport ? h('span', { class: 'title-mark', text: 'title',
          title: "The event's title is taken from this report" }) : null),
      h('td', { text: r.source || '—' }),
      h('td', { text: r.lang || '—' }),
      h('td', { text: label(r.info_type || '—') }),
      h('td', { text: (r.needs || []).map(label).join(', ') || '—' }),
      h('td', {}, isExternalLink(r.url)
        ? h('a', { href: r.url, rel: 'noopener noreferrer nofollow', target: '_blank',
          text: new URL(r.url).hostname, title: r.url })
        : h('span', { class: 'muted', text: 'no link' })),
      withText ? h('td', { class: 'report-text', dir: 'auto', text: r.text ?? '(text expired)' }) : null,
    )))));
}

export function mountEvent(root, { id, live }) {
  let map = null;
  let placesLayer = null;
  const mapEl = h('div', { class: 'map small', id: 'event-map', role: 'region', 'aria-label': 'Places of this event' });
  let withText = false;
  let wantText = false;
  let timer = null;
  let seq = 0;
  const head = h('div');
  const body = h('div');
  root.append(h('article', { class: 'event-page' },
    h('p', {}, h('a', { href: '/', 'data-nav': true, text: '← All events', id: 'back' })), head, body));

  async function load() {
    const my = ++seq;
    let ev;
    try {
      ev = await api(`/api/v1/events/${encodeURIComponent(id)}?limit=500${withText ? '&text=1' : ''}`);
    } catch (err) {
      if (my !== seq) return;
      if (err instanceof ApiError && err.needsKey && withText) {
        withText = false;
        wantText = true; // shown as soon as a key is given
        askForKey(`Reading raw report text needs an API key with the read scope (${err.detail}).`);
        return load();
      }
      fill(head, h('h1', { text: err.status === 404 ? 'No such event' : 'Could not load the event' }),
        h('p', { text: err.detail || err.message }));
      clear(body);
      return;
    }
    if (my !== seq) return;
    render(ev);
  }

  function render(ev) {
    document.title = `${ev.title || 'Event'} — tocsin`;
    fill(head, 
      h('div', { class: 'row1' }, tierBadge(ev.tier), h('span', { class: 'status', text: ev.status })),
      h('h1', { id: 'event-title', dir: 'auto', text: ev.title || 'Untitled event' }),
      ev.summary ? h('p', { class: 'lead', id: 'event-summary', dir: 'auto', text: ev.summary }) : null,
      ev.merged_into ? h('p', {}, 'Merged into ',
        h('a', { href: `/event/${encodeURIComponent(ev.merged_into)}`, 'data-nav': true, text: ev.merged_into })) : null,
      h('dl', { class: 'facts wide' },
        h('dt', { text: 'Hazard' }), h('dd', { text: label(ev.hazard || 'unknown') }),
        h('dt', { text: 'First seen' }), h('dd', { text: fmtTime(ev.first_seen) }),
        h('dt', { text: 'Last seen' }), h('dd', { text: fmtTime(ev.last_seen) }),
        h('dt', { text: 'Reports' }), h('dd', { id: 'event-reports', text: String(ev.report_count) }),
        h('dt', { text: 'Independent sources' }), h('dd', { text: String(ev.source_count) }),
        h('dt', { text: 'Severity' }), h('dd', { text: Number(ev.severity || 0).toFixed(2) }),
        ev.top_terms?.length ? [h('dt', { text: 'Key terms' }), h('dd', { text: ev.top_terms.join(', ') })] : null),
    );
    const placesList = (ev.places || []).filter((p) => typeof p.lat === 'number' && typeof p.lon === 'number');
    const textBtn = h('button', { type: 'button', id: 'show-text', text: withText ? 'Hide report text' : 'Show report text (audit-logged)' });
    textBtn.addEventListener('click', () => { withText = !withText; load(); });
    fill(body, 
      h('div', { class: 'grid' },
        h('section', { class: 'card' }, h('h2', { text: 'Timeline' }), timelineChart(ev.timeline)),
        h('section', { class: 'card' }, h('h2', { text: 'Places' }), mapEl,
          placesList.length ? h('ul', { class: 'inline' }, placesList.map((p) =>
            h('li', { text: [p.name || p.phrase, p.country].filter(Boolean).join(', ') })))
            : h('p', { class: 'muted', text: 'No located places.' })),
        h('section', { class: 'card' }, h('h2', { text: 'Information types' }), countBars(ev.info_counts)),
        h('section', { class: 'card' }, h('h2', { text: 'Needs' }), countBars(ev.needs_counts, { empty: 'No needs reported.' })),
        h('section', { class: 'card' }, h('h2', { text: 'Languages' }), countBars(ev.languages, { empty: 'unknown' })),
      ),
      h('section', { class: 'card', 'aria-labelledby': 'prov-h' },
        h('div', { class: 'row1 spread' }, h('h2', { id: 'prov-h', text: `Provenance: ${ev.reports.length} of ${ev.report_count} reports` }), textBtn),
        provenance(ev.reports || [], withText, ev.title_report)),
    );
    // one map for the page's life, re-attached on each render (re-creating it while a zoom
    // animation runs makes Leaflet throw)
    if (!map) {
      map = createMap(mapEl, { zoom: 2 });
      placesLayer = window.L.layerGroup().addTo(map);
    } else {
      map.invalidateSize(false);
      placesLayer.clearLayers();
    }
    const pts = [];
    for (const p of placesList) {
      pts.push([p.lat, p.lon]);
      window.L.circleMarker([p.lat, p.lon], { radius: 7, color: '#fff', weight: 1,
        fillColor: tierColour(ev.tier), fillOpacity: 0.85 })
        .bindTooltip(tooltipNode(p.name || p.phrase || '')).addTo(placesLayer);
    }
    if (Array.isArray(ev.bbox)) {
      const [w, s, e, n] = ev.bbox;
      map.fitBounds([[s, w], [n, e]], { maxZoom: 5, padding: [20, 20], animate: false });
    } else if (pts.length) {
      map.fitBounds(pts, { maxZoom: 5, padding: [20, 20], animate: false });
    }
  }

  function onChange(e) {
    if (e.detail?.event?.id !== id) return;
    clearTimeout(timer);
    timer = setTimeout(load, 1000); // coalesce a burst of updates into one refetch
  }
  const onKey = () => {
    if (wantText) { wantText = false; withText = true; }
    load();
  };
  live.addEventListener('event', onChange);
  live.addEventListener('resync', load);
  window.addEventListener('tocsin:key', onKey);
  load();
  return {
    unmount() {
      live.removeEventListener('event', onChange);
      live.removeEventListener('resync', load);
      window.removeEventListener('tocsin:key', onKey);
      clearTimeout(timer);
      if (map) { map.stop(); map.remove(); }
    },
  };
}
