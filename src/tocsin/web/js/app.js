// Entry point: a tiny router over the History API, the live stream and its indicator.

import { h, tierBadge } from './dom.js';
import { initKeyPanel } from './key.js';
import { Live } from './live.js';
import { mountEvents } from './events.js';
import { mountEvent } from './eventpage.js';
import { mountSources } from './sources.js';
import { mountSubscriptions } from './subscriptions.js';

const main = document.getElementById('main');
const live = new Live();
let current = null;
let currentPath = null;

const STATE_TEXT = {
  live: 'Live', connecting: 'Connecting…', reconnecting: 'Disconnected — reconnecting…',
  'needs-key': 'Live updates need an API key',
};
const indicator = document.getElementById('live');
live.addEventListener('state', (e) => {
  indicator.dataset.state = e.detail;
  indicator.textContent = STATE_TEXT[e.detail] || e.detail;
});

// Alerts fired on the stream: a short, dismissible notice linking to the event.
const toasts = document.getElementById('toasts');
live.addEventListener('alert', (e) => {
  const a = e.detail || {};
  const ev = a.event || {};
  if (!a.event_id) return;
  const item = h('div', { class: `toast tier-${['flash', 'urgent'].includes(a.tier) ? a.tier : 'routine'}` },
    tierBadge(a.tier),
    h('a', { href: `/event/${encodeURIComponent(a.event_id)}`, 'data-nav': true,
      text: ` ${a.kind === 'escalated' ? 'Escalated' : 'Alert'}: ${ev.title || a.event_id}` }),
    h('button', { type: 'button', class: 'linkish', 'aria-label': 'Dismiss', text: '×',
      onclick: () => item.remove() }));
  toasts.prepend(item);
  while (toasts.children.length > 3) toasts.lastElementChild.remove();
  setTimeout(() => item.remove(), 20000);
});

function route(path) {
  let m;
  if (path === '/' || path === '') return { page: 'events', mount: mountEvents };
  if ((m = path.match(/^\/event\/([^/]+)$/))) {
    return { page: 'events', mount: mountEvent, id: decodeURIComponent(m[1]) };
  }
  if (path === '/subscriptions') return { page: 'subscriptions', mount: mountSubscriptions };
  if (path === '/sources') return { page: 'sources', mount: mountSources };
  return null;
}

function render() {
  const path = location.pathname;
  if (current && path === currentPath && current.update) { current.update(); return; }
  if (current) current.unmount();
  current = null;
  currentPath = path;
  main.replaceChildren();
  const r = route(path);
  for (const a of document.querySelectorAll('nav a[data-page]')) {
    if (r && a.dataset.page === r.page && (r.mount !== mountEvent)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = { events: 'Events', subscriptions: 'Subscriptions', sources: 'Sources' }[r?.page] + ' — tocsin';
  if (!r) {
    const h1 = document.createElement('h1');
    h1.textContent = 'Page not found';
    main.append(h1);
    return;
  }
  main.dataset.page = r.mount === mountEvent ? 'event' : r.page;
  current = r.mount(main, { id: r.id, live, navigate });
}

export function navigate(url) {
  const before = location.pathname;
  history.pushState(null, '', url);
  render();
  if (location.pathname !== before) {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const u = new URL(a.href);
  if (u.origin !== location.origin) return;
  e.preventDefault();
  navigate(u.pathname + u.search);
});
window.addEventListener('popstate', render);

function boot() {
  initKeyPanel();
  live.start();
  render();
}

// leaflet.js and topojson-client load as deferred classic scripts, which run before modules.
boot();
