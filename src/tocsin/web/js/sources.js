// Sources and their health, refreshed every few seconds.

import { api } from './api.js';
import { clear, fill, fmtAgo, fmtTime, h } from './dom.js';

export function mountSources(root) {
  const status = h('p', { class: 'muted', id: 'sources-status', role: 'status' });
  const wrap = h('div', { class: 'table-wrap' });
  root.append(h('section', { class: 'page' }, h('h1', { text: 'Sources' }),
    h('p', { class: 'muted', text: 'Inputs this tocsin reads, and whether they are healthy. Refreshes every 10 seconds.' }),
    status, wrap));
  let timer = null;
  async function load() {
    try {
      const { sources } = await api('/api/v1/sources');
      status.textContent = `${sources.length} source${sources.length === 1 ? '' : 's'}, updated ${fmtTime(new Date().toISOString())}`;
      fill(wrap, sources.length ? h('table', { class: 'sources', id: 'sources-table' },
        h('thead', {}, h('tr', {}, ['Source', 'Kind', 'Health', 'Last success', 'Last error', 'Items/min', 'Items (bad)']
          .map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, sources.map((s) => h('tr', {},
          h('th', { scope: 'row' }, s.name, s.url ? h('div', { class: 'muted small', text: s.url }) : null),
          h('td', { text: s.kind }),
          h('td', {}, h('span', { class: `health ${s.healthy ? 'ok' : 'bad'}`,
            text: s.enabled === false ? 'disabled' : s.healthy ? 'healthy' : (s.consecutive_failures ? `failing (${s.consecutive_failures})` : 'no data yet') })),
          h('td', {}, s.last_success ? h('time', { datetime: s.last_success, title: fmtTime(s.last_success), text: fmtAgo(s.last_success) }) : '—'),
          h('td', {}, s.last_error ? [h('span', { text: s.last_error }), s.last_error_at ? h('div', { class: 'muted small', text: fmtTime(s.last_error_at) }) : null] : '—'),
          h('td', { class: 'num', text: Number(s.items_per_min || 0).toFixed(1) }),
          h('td', { class: 'num', text: `${s.items_total ?? 0} (${s.items_bad ?? 0})` }),
        )))) : h('p', { text: 'No sources configured.' }));
    } catch (err) {
      status.textContent = `Could not load sources: ${err.detail || err.message}`;
    }
  }
  load();
  timer = setInterval(load, 10000);
  return { unmount() { clearInterval(timer); } };
}
