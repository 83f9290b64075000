// The main view: filters, a live map and a list of events, all reflected in the URL.

import { api, ApiError, qs } from './api.js';
import { askForKey } from './key.js';
import {
  clear, fill, fmtTime, h, HAZARDS, INFO_TYPES, label, NEEDS, tierBadge, TIERS,
} from './dom.js';
import { createMap, eventPoint, markerRadius, tierColour, tooltipNode } from './map.js';

const PAGE = 1000; // the API's largest page
const WINDOWS = { '': 'any time', '1h': 'last hour', '6h': 'last 6 hours',
  '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' };
const WINDOW_MS = { '1h': 3.6e6, '6h': 2.16e7, '24h': 8.64e7, '7d': 6.048e8, '30d': 2.592e9 };
const ORDERS = { recent: 'most recent', severity: 'most severe', reports: 'most reports' };
const FILTER_KEYS = ['hazard', 'info', 'need', 'tier', 'lang', 'window', 'bbox', 'order'];
const LIST_STEP = 200;

export function readFilters(search = location.search) {
  const p = new URLSearchParams(search);
  const f = {};
  for (const k of FILTER_KEYS) f[k] = p.get(k) || '';
  if (!ORDERS[f.order]) f.order = 'recent';
  if (!(f.window in WINDOWS)) f.window = '';
  f.bbox = parseBbox(f.bbox) ? f.bbox : '';
  f.sel = p.get('sel') || '';
  f.map = p.get('map') || '';
  return f;
}

function parseBbox(s) {
  const v = String(s || '').split(',').map(Number);
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x))) return null;
  const [w, so, e, n] = v;
  if (w < -180 || e > 180 || so < -90 || n > 90 || so > n) return null;
  return v;
}

function round(x, d = 3) { return Number(x.toFixed(d)); }

/** Whether an event passes the filters the API cannot apply (info type, need, language). */
function passesClient(ev, f) {
  if (ev.status === 'merged') return false;
  if (f.info && !((ev.info_counts || {})[f.info] > 0)) return false;
  if (f.need && !((ev.needs_counts || {})[f.need] > 0)) return false;
  if (f.lang && !((ev.languages || {})[f.lang] > 0)) return false;
  return true;
}

/** The same test the server applies, for events that arrive over the stream. */
function passesServer(ev, f, since) {
  if (f.hazard && !f.hazard.split(',').includes(ev.hazard)) return false;
  if (f.tier && !f.tier.split(',').includes(ev.tier)) return false;
  if (since && new Date(ev.last_seen) < since) return false;
  const bb = parseBbox(f.bbox);
  if (bb) {
    if (!Array.isArray(ev.bbox)) return false;
    const [w, s, e, n] = bb;
    if (ev.bbox[2] < w || ev.bbox[0] > e || ev.bbox[3] < s || ev.bbox[1] > n) return false;
  }
  return true;
}

const ORDER_FNS = {
  recent: (a, b) => (b.last_seen > a.last_seen ? 1 : b.last_seen < a.last_seen ? -1 : 0)
    || (a.id < b.id ? -1 : 1),
  severity: (a, b) => (b.severity - a.severity) || ORDER_FNS.recent(a, b),
  reports: (a, b) => (b.report_count - a.report_count) || (a.id < b.id ? -1 : 1),
};

function version(ev) {
  return [ev.updated_at, ev.report_count, ev.source_count, ev.tier, ev.status, ev.title,
    ev.last_seen].join('|');
}

function select(name, id, options, value) {
  return h('div', { class: 'field' },
    h('label', { for: id, text: name }),
    h('select', { id, name: id },
      Object.entries(options).map(([v, text]) => h('option', { value: v, selected: v === value, text }))));
}

function opts(values, any = 'any') {
  const o = { '': any };
  for (const v of values) o[v] = label(v);
  return o;
}

export function mountEvents(root, { live, navigate }) {
  let f = readFilters();
  let since = null;
  let total = 0;
  let events = new Map();
  let listLimit = LIST_STEP;
  let loadSeq = 0;
  let drawing = false;
  let fitted = false;
  const langsSeen = new Set(f.lang ? [f.lang] : []);
  const markers = new Map();
  const items = new Map();

  // -- skeleton ------------------------------------------------------------------------
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' });
  // On a phone the filters fold away behind one control; on a desktop they stay open.
  const filterBox = h('details', { class: 'filter-box', open: window.innerWidth > 800 },
    h('summary', { text: 'Filters' }), form);
  const mapEl = h('div', { class: 'map', id: 'events-map', role: 'region',
    'aria-label': 'Map of events (use the list for keyboard access)' });
  const countEl = h('p', { class: 'count', id: 'event-count' });
  const card = h('section', { class: 'card selected-card', 'aria-label': 'Selected event', hidden: true });
  const list = h('ul', { class: 'event-list', id: 'event-list', 'aria-label': 'Events' });
  const more = h('button', { type: 'button', class: 'more', hidden: true, text: 'Show more',
    onclick: () => { listLimit += LIST_STEP; renderList(); } });
  const listCol = h('section', { class: 'list-col', 'aria-labelledby': 'event-count' },
    countEl, card, list, more);
  root.append(h('div', { class: 'events-view' }, filterBox, h('div', { class: 'split' }, mapEl, listCol)));

  const drawBtn = h('button', { type: 'button', id: 'draw-area', 'aria-pressed': 'false',
    text: 'Draw area', title: 'Drag a rectangle on the map (Esc cancels)' });
  const viewBtn = h('button', { type: 'button', id: 'view-area', text: 'Use map view' });
  const clearBtn = h('button', { type: 'button', id: 'clear-area', text: 'Clear area' });
  const resetBtn = h('button', { type: 'button', id: 'reset-filters', class: 'linkish',
    text: 'Reset filters' });
  const areaText = h('span', { class: 'muted area-text', id: 'area-text' });

  function buildForm() {
    const langs = [...langsSeen].sort();
    fill(form, 
      select('Hazard', 'f-hazard', opts(HAZARDS), f.hazard),
      select('Information', 'f-info', opts(INFO_TYPES), f.info),
      select('Need', 'f-need', opts(NEEDS), f.need),
      select('Tier', 'f-tier', opts(TIERS), f.tier),
      select('Language', 'f-lang', opts(langs), f.lang),
      select('Time', 'f-window', WINDOWS, f.window),
      select('Sort', 'f-order', ORDERS, f.order),
      h('div', { class: 'field area' }, h('span', { class: 'field-label', text: 'Area' }),
        h('div', { class: 'buttons' }, drawBtn, viewBtn, clearBtn), areaText),
      h('div', { class: 'field' }, resetBtn),
    );
    areaText.textContent = f.bbox ? `bbox ${f.bbox}` : 'whole world';
    clearBtn.disabled = !f.bbox;
    updateSummary();
  }
  function updateSummary() {
    const active = ['hazard', 'info', 'need', 'tier', 'lang', 'window', 'bbox'].filter((k) => f[k]);
    filterBox.firstChild.textContent = active.length ? `Filters (${active.length} active)` : 'Filters';
  }
  buildForm();
  const wide = window.matchMedia('(min-width: 801px)');
  const onWide = () => { if (wide.matches) filterBox.open = true; };
  wide.addEventListener('change', onWide);

  form.addEventListener('change', (e) => {
    const k = e.target.id?.replace(/^f-/, '');
    if (!FILTER_KEYS.includes(k)) return;
    f[k] = e.target.value;
    applyFilters();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  resetBtn.addEventListener('click', () => {
    for (const k of FILTER_KEYS) f[k] = '';
    f.order = 'recent';
    buildForm();
    applyFilters();
  });

  // -- URL ------------------------------------------------------------------------------
  function urlFor() {
    const p = {};
    for (const k of FILTER_KEYS) if (f[k] && !(k === 'order' && f[k] === 'recent')) p[k] = f[k];
    if (f.sel) p.sel = f.sel;
    if (f.map) p.map = f.map;
    return `/${qs(p).replaceAll('%2C', ',').replaceAll('%2F', '/')}`;
  }
  let gone = false;
  function writeUrl(push) {
    if (gone || location.pathname !== '/') return; // never rewrite another page's URL
    const url = urlFor();
    if (url === location.pathname + location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', url);
  }
  function applyFilters() {
    listLimit = LIST_STEP;
    writeUrl(true);
    areaText.textContent = f.bbox ? `bbox ${f.bbox}` : 'whole world';
    clearBtn.disabled = !f.bbox;
    updateSummary();
    drawAreaRect();
    load();
  }

  // -- map ------------------------------------------------------------------------------
  const L = window.L;
  const map = createMap(mapEl);
  const mv = f.map.split('/').map(Number);
  if (mv.length === 3 && mv.every(Number.isFinite)) map.setView([mv[1], mv[2]], mv[0]);
  const markerLayer = L.layerGroup().addTo(map);
  let areaRect = null;
  function drawAreaRect() {
    if (areaRect) { areaRect.remove(); areaRect = null; }
    const bb = parseBbox(f.bbox);
    if (bb) {
      areaRect = L.rectangle([[bb[1], bb[0]], [bb[3], bb[2]]], {
        color: '#222', weight: 1.5, dashArray: '4 4', fill: false, interactive: false,
      }).addTo(map);
    }
  }
  drawAreaRect();
  map.on('moveend', () => {
    const c = map.getCenter();
    const view = `${map.getZoom()}/${round(c.lat, 3)}/${round(c.lng, 3)}`;
    if (!f.map && view === '2/20/10') return; // the default view needs no parameter
    f.map = view;
    writeUrl(false);
  });

  function setBboxFromBounds(b) {
    const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));
    const w = clamp(b.getWest(), -180, 180);
    const e = clamp(b.getEast(), -180, 180);
    const s = clamp(b.getSouth(), -90, 90);
    const n = clamp(b.getNorth(), -90, 90);
    f.bbox = [w, s, e, n].map((x) => round(x, 3)).join(',');
    applyFilters();
  }
  viewBtn.addEventListener('click', () => setBboxFromBounds(map.getBounds()));
  clearBtn.addEventListener('click', () => { f.bbox = ''; applyFilters(); });

  // Rectangle drawing: press the button, then drag on the map.
  let drawStart = null;
  let drawRect = null;
  function setDrawing(on) {
    drawing = on;
    drawBtn.setAttribute('aria-pressed', String(on));
    mapEl.classList.toggle('drawing', on);
    if (on) map.dragging.disable(); else map.dragging.enable();
    if (!on && drawRect) { drawRect.remove(); drawRect = null; }
    drawStart = null;
  }
  drawBtn.addEventListener('click', () => setDrawing(!drawing));
  // Pointer events on the container (not Leaflet's mouse events): touch and pen work too.
  mapEl.addEventListener('pointerdown', (e) => {
    if (!drawing || e.button !== 0 || e.target.closest('.leaflet-control')) return;
    e.preventDefault();
    e.stopPropagation();
    mapEl.setPointerCapture(e.pointerId);
    drawStart = map.mouseEventToLatLng(e);
    drawRect = L.rectangle([drawStart, drawStart], { color: '#222', weight: 1.5, fill: false,
      interactive: false }).addTo(map);
  }, true);
  mapEl.addEventListener('pointermove', (e) => {
    if (drawing && drawStart && drawRect) {
      drawRect.setBounds(L.latLngBounds(drawStart, map.mouseEventToLatLng(e)));
    }
  }, true);
  mapEl.addEventListener('pointerup', (e) => {
    if (!drawing || !drawStart) return;
    const b = L.latLngBounds(drawStart, map.mouseEventToLatLng(e));
    setDrawing(false);
    if (b.getNorth() - b.getSouth() > 1e-3 && b.getEast() - b.getWest() > 1e-3) setBboxFromBounds(b);
  }, true);
  const onKey = (e) => { if (e.key === 'Escape' && drawing) setDrawing(false); };
  document.addEventListener('keydown', onKey);

  function upsertMarker(ev) {
    const pt = eventPoint(ev);
    let m = markers.get(ev.id);
    if (!pt) { if (m) { m.remove(); markers.delete(ev.id); } return; }
    const style = {
      radius: markerRadius(ev.report_count),
      color: ev.id === f.sel ? '#000' : '#fff',
      weight: ev.id === f.sel ? 3 : 1,
      fillColor: tierColour(ev.tier),
      fillOpacity: 0.7,
    };
    if (!m) {
      m = L.circleMarker(pt, style);
      m.eventId = ev.id;
      m.on('click', () => selectEvent(m.eventId, { from: 'map' }));
      m.bindTooltip(() => tooltipNode(ev.title || 'Untitled event'));
      m.addTo(markerLayer);
      markers.set(ev.id, m);
    } else {
      m.setLatLng(pt);
      m.setStyle(style);
      m.setRadius(style.radius);
      m.setTooltipContent(tooltipNode(ev.title || 'Untitled event'));
    }
    if (ev.id === f.sel) m.bringToFront();
  }

  // -- list -----------------------------------------------------------------------------
  function fillItem(li, ev) {
    li.dataset.v = version(ev);
    li.className = `event-item tier-${ev.tier}${ev.id === f.sel ? ' selected' : ''}`;
    const langs = Object.keys(ev.languages || {}).slice(0, 4).join(', ');
    fill(li, 
      h('div', { class: 'row1' }, tierBadge(ev.tier),
        h('a', { href: `/event/${encodeURIComponent(ev.id)}`, 'data-nav': true, tabindex: '-1',
          class: 'title', dir: 'auto', text: ev.title || 'Untitled event' })),
      h('div', { class: 'meta' },
        h('span', { text: label(ev.hazard || 'unknown hazard') }),
        h('span', { text: `${ev.report_count} reports` }),
        h('span', { text: `${ev.source_count} sources` }),
        langs ? h('span', { text: langs }) : null,
        h('time', { datetime: ev.last_seen, text: fmtTime(ev.last_seen) })),
      ev.summary ? h('p', { class: 'summary', dir: 'auto', text: ev.summary }) : null,
    );
    li.setAttribute('aria-current', ev.id === f.sel ? 'true' : 'false');
  }

  function sorted() {
    return [...events.values()].filter((ev) => passesClient(ev, f)).sort(ORDER_FNS[f.order]);
  }

  function renderList() {
    const arr = sorted();
    const shown = arr.slice(0, listLimit);
    const focused = document.activeElement;
    const keep = new Set();
    let prev = null;
    for (const ev of shown) {
      let li = items.get(ev.id);
      if (!li) {
        li = h('li', { tabindex: '0', dataset: { id: ev.id } });
        items.set(ev.id, li);
        fillItem(li, ev);
      } else if (li.dataset.v !== version(ev)) {
        fillItem(li, ev);
      }
      keep.add(ev.id);
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== li) list.insertBefore(li, want);
      prev = li;
    }
    for (const [id, li] of items) {
      if (!keep.has(id)) { li.remove(); items.delete(id); }
    }
    if (focused && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
    more.hidden = arr.length <= shown.length;
    const capped = total > events.size ? ` (the ${events.size} ${ORDERS[f.order]} loaded)` : '';
    countEl.textContent = `${arr.length} event${arr.length === 1 ? '' : 's'}`
      + (arr.length !== total ? ` of ${total}` : '') + capped;
    // markers: exactly the filtered events
    const wanted = new Set(arr.map((ev) => ev.id));
    for (const [id, m] of markers) if (!wanted.has(id)) { m.remove(); markers.delete(id); }
    for (const ev of arr) upsertMarker(ev);
    mapEl.dataset.markers = String(markers.size); // for tests and the curious
    renderCard();
    let newLang = false;
    for (const ev of events.values()) {
      for (const l of Object.keys(ev.languages || {})) {
        if (!langsSeen.has(l)) { langsSeen.add(l); newLang = true; }
      }
    }
    if (newLang && !form.contains(document.activeElement)) buildForm();
  }

  function renderCard() {
    const ev = events.get(f.sel);
    if (!ev) { card.hidden = true; clear(card); return; }
    card.hidden = false;
    const needs = Object.entries(ev.needs_counts || {}).sort((a, b) => b[1] - a[1]).slice(0, 4)
      .map(([k, n]) => `${label(k)} (${n})`).join(', ');
    fill(card, 
      h('div', { class: 'row1' }, tierBadge(ev.tier),
        h('h2', { class: 'card-title', dir: 'auto', text: ev.title || 'Untitled event' })),
      ev.summary ? h('p', { dir: 'auto', text: ev.summary }) : null,
      h('dl', { class: 'facts' },
        h('dt', { text: 'Hazard' }), h('dd', { text: label(ev.hazard || 'unknown') }),
        h('dt', { text: 'Status' }), h('dd', { text: ev.status }),
        h('dt', { text: 'Reports' }), h('dd', { text: `${ev.report_count} from ${ev.source_count} independent sources` }),
        h('dt', { text: 'Seen' }), h('dd', { text: `${fmtTime(ev.first_seen)} – ${fmtTime(ev.last_seen)}` }),
        needs ? [h('dt', { text: 'Needs' }), h('dd', { text: needs })] : null),
      h('p', {}, h('a', { href: `/event/${encodeURIComponent(ev.id)}`, 'data-nav': true,
        class: 'button', id: 'open-event', text: 'Open event page →' }),
      ' ', h('button', { type: 'button', class: 'linkish', text: 'Deselect',
        onclick: () => selectEvent('') })),
    );
  }

  function selectEvent(id, { from } = {}) {
    const old = f.sel;
    f.sel = id;
    writeUrl(false);
    for (const x of [old, id]) {
      const li = items.get(x);
      const ev = events.get(x);
      if (li && ev) fillItem(li, ev);
      if (ev && markers.has(x)) upsertMarker(ev);
    }
    renderCard();
    const li = items.get(id);
    if (from === 'map' && li) li.scrollIntoView({ block: 'nearest' });
    const m = markers.get(id);
    if (from === 'list' && m && !map.getBounds().contains(m.getLatLng())) map.panTo(m.getLatLng());
  }

  list.addEventListener('click', (e) => {
    const li = e.target.closest('li[data-id]');
    if (!li || e.target.closest('a')) return;
    selectEvent(li.dataset.id, { from: 'list' });
  });
  list.addEventListener('keydown', (e) => {
    const li = e.target.closest('li[data-id]');
    if (!li) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? li.nextElementSibling : li.previousElementSibling;
      if (next) { next.focus(); selectEvent(next.dataset.id, { from: 'list' }); }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      navigate(`/event/${encodeURIComponent(li.dataset.id)}`);
    } else if (e.key === ' ') {
      e.preventDefault();
      selectEvent(li.dataset.id, { from: 'list' });
    }
  });

  // -- data -----------------------------------------------------------------------------
  async function load() {
    const seq = ++loadSeq;
    root.setAttribute('aria-busy', 'true');
    try {
      since = null;
      if (f.window) {
        // Windows end at the newest event, not the wall clock: a replayed stream from
        // 2019 is then as browsable as a live one.
        const newest = await api('/api/v1/events?order=recent&limit=1');
        const anchor = newest.events[0] ? new Date(newest.events[0].last_seen) : new Date();
        since = new Date(anchor.getTime() - WINDOW_MS[f.window]);
      }
      const clientSide = f.info || f.need || f.lang;
      const next = new Map();
      let tot = 0;
      for (let page = 0; page < (clientSide ? 5 : 1); page += 1) {
        const res = await api(`/api/v1/events${qs({
          order: f.order, hazard: f.hazard, tier: f.tier, bbox: f.bbox,
          since: since ? since.toISOString() : '', limit: PAGE, offset: page * PAGE,
        })}`);
        if (seq !== loadSeq) return;
        tot = res.total;
        for (const ev of res.events) next.set(ev.id, ev);
        if (res.events.length < PAGE) break;
      }
      if (seq !== loadSeq) return;
      events = next;
      total = tot;
      renderList();
      if (!fitted && !f.map && markers.size) {
        fitted = true;
        const b = L.latLngBounds([...markers.values()].map((m) => m.getLatLng()));
        if (b.isValid()) map.fitBounds(b.pad(0.15), { maxZoom: 5, animate: false });
        const floor = mapEl.clientWidth >= 600 ? 2 : 1; // a phone may show the whole world
        if (map.getZoom() < floor) map.setZoom(floor, { animate: false });
      }
      root.dataset.loaded = '1';
      if (!performance.getEntriesByName('tocsin:list-ready').length) {
        performance.mark('tocsin:list-ready');
      }
    } catch (err) {
      if (seq !== loadSeq) return;
      countEl.textContent = `Could not load events: ${err.detail || err.message}`;
      if (err instanceof ApiError && err.needsKey) askForKey('Reading events needs an API key on this server.');
    } finally {
      if (seq === loadSeq) root.removeAttribute('aria-busy');
    }
  }

  let pending = null;
  function onChange(e) {
    const ev = e.detail && e.detail.event;
    if (!ev || !ev.id) return;
    const had = events.has(ev.id);
    if (ev.status !== 'merged' && passesServer(ev, f, since)) {
      if (!had) total += 1;
      events.set(ev.id, ev);
    } else if (had) {
      events.delete(ev.id);
      total = Math.max(0, total - 1);
    } else {
      return;
    }
    // coalesce bursts: one re-render per animation frame at most
    if (!pending) pending = requestAnimationFrame(() => { pending = null; trim(); renderList(); });
  }
  // A long-open page must not grow without bound: keep the best-ranked events only.
  function trim() {
    if (events.size <= 2 * PAGE) return;
    const keep = [...events.values()].sort(ORDER_FNS[f.order]).slice(0, PAGE);
    events = new Map(keep.map((ev) => [ev.id, ev]));
  }
  const onResync = () => load();
  live.addEventListener('event', onChange);
  live.addEventListener('resync', onResync);
  window.addEventListener('tocsin:key', onResync);
  load();

  return {
    unmount() {
      gone = true;
      wide.removeEventListener('change', onWide);
      live.removeEventListener('event', onChange);
      live.removeEventListener('resync', onResync);
      window.removeEventListener('tocsin:key', onResync);
      document.removeEventListener('keydown', onKey);
      if (pending) cancelAnimationFrame(pending);
      map.stop();
      map.remove();
    },
    // back/forward within the events view: re-read the URL
    update() {
      const nf = readFilters();
      const changed = FILTER_KEYS.some((k) => nf[k] !== f[k]);
      const moved = nf.map && nf.map !== f.map;
      f = nf;
      const mv2 = f.map.split('/').map(Number);
      if (moved && mv2.length === 3 && mv2.every(Number.isFinite)) {
        map.setView([mv2[1], mv2[2]], mv2[0], { animate: false });
      }
      buildForm();
      drawAreaRect();
      if (changed) load(); else selectEvent(f.sel);
    },
  };
}
