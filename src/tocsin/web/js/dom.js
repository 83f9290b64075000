// Building DOM safely. Every outside string goes in through textContent or a vetted
// attribute; the dashboard never parses a string as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' || k.startsWith('on')) throw new Error(`refusing attribute ${k}`);
    else if (k === 'href' || k === 'src') el.setAttribute(k, safeUrl(v, k === 'href'));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** h('a', {href, class, text}, ...children): an element; strings become text nodes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Only same-origin paths and http(s) links; anything else (javascript:, data:) becomes '#'. */
export function safeUrl(url, allowExternal = true) {
  const s = String(url ?? '');
  if (s.startsWith('/') && !s.startsWith('//')) return s;
  if (s.startsWith('#') || s.startsWith('?')) return s;
  if (!allowExternal) return '#';
  try {
    const u = new URL(s, location.href);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch { /* not a URL */ }
  return '#';
}

export function isExternalLink(url) {
  try {
    const u = new URL(String(url ?? ''));
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch { return false; }
}

export function clear(el) { el.replaceChildren(); return el; }

// -- formatting -------------------------------------------------------------------------

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((now - t) / 1000);
  if (s < 0) return fmtTime(iso);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400 * 2) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} days ago`;
  return fmtTime(iso);
}

export function label(key) {
  return String(key ?? '').replaceAll('_', ' ');
}

export const TIERS = ['flash', 'urgent', 'routine'];
export const TIER_COLOURS = { flash: '#b71c1c', urgent: '#a84300', routine: '#1d4f91' };

export const HAZARDS = ['earthquake', 'flood', 'storm', 'wildfire', 'explosion', 'armed_conflict',
  'disease_outbreak', 'transport_accident', 'landslide', 'drought_or_food_insecurity', 'other'];
export const INFO_TYPES = ['casualties', 'missing_or_found', 'displacement',
  'infrastructure_damage', 'urgent_needs', 'relief_efforts', 'caution_and_advice',
  'sympathy_and_support', 'other_relevant'];
export const NEEDS = ['water', 'food', 'shelter', 'medical', 'search_and_rescue', 'evacuation',
  'power', 'communications', 'protection', 'cash'];

export function tierBadge(tier) {
  const t = TIERS.includes(tier) ? tier : 'routine';
  return h('span', { class: `tier tier-${t}`, text: t });
}

/** A labelled bar list for counts ({key: n}), largest first. */
export function countBars(counts, { empty = 'none' } = {}) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (!entries.length) return h('p', { class: 'muted', text: empty });
  const max = entries[0][1];
  return h('ul', { class: 'bars' }, entries.map(([k, n]) => {
    const bar = h('span', { class: 'bar' });
    bar.style.width = `${Math.max(2, Math.round((100 * n) / max))}%`; // CSSOM, allowed by CSP
    return h('li', {}, h('span', { class: 'bar-label', text: label(k) }),
      h('span', { class: 'bar-track' }, bar), h('span', { class: 'bar-n', text: String(n) }));
  }));
}

/** Replace el's children; null/undefined/false children are skipped (DOM append would print them). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
