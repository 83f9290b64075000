// Subscriptions: who wants to be alerted about what. Create, edit, test-fire, delete.

import { api, ApiError } from './api.js';
import { clear, fill, h, HAZARDS, INFO_TYPES, label, NEEDS, TIERS } from './dom.js';
import { askForKey } from './key.js';

const CHANNELS = ['webhook', 'email', 'sse', 'atom'];

function checkboxes(name, values, chosen) {
  return h('fieldset', { class: 'checks' }, h('legend', { text: label(name) }),
    values.map((v) => h('label', {}, h('input', { type: 'checkbox', name, value: v,
      checked: (chosen || []).includes(v) }), ` ${label(v)}`)));
}

function field(labelText, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: input.id, text: labelText }), input,
    hint ? h('span', { class: 'muted small', text: hint }) : null);
}

function areaKind(area) {
  if (!area) return 'none';
  if (area.bbox) return 'bbox';
  if (area.point) return 'point';
  if (area.countries) return 'countries';
  if (area.polygon) return 'polygon';
  return 'none';
}

function describeArea(a) {
  switch (areaKind(a)) {
    case 'bbox': return `box ${a.bbox.join(', ')}`;
    case 'point': return `${a.radius_km} km around ${a.point.join(', ')}`;
    case 'countries': return `countries ${a.countries.join(', ')}`;
    case 'polygon': return 'polygon';
    default: return 'anywhere';
  }
}

export function mountSubscriptions(root) {
  const status = h('p', { id: 'subs-status', role: 'status', class: 'muted' });
  const listWrap = h('div', { class: 'table-wrap' });
  const formWrap = h('section', { class: 'card', 'aria-labelledby': 'sub-form-h' });
  root.append(h('section', { class: 'page' }, h('h1', { text: 'Subscriptions' }),
    h('p', { class: 'muted', text: 'Alerts are sent when an event matching a subscription appears, escalates or is updated.' }),
    status, listWrap, formWrap));

  function handle(err, what) {
    if (err instanceof ApiError && err.needsKey) {
      status.textContent = `${what}: an API key is needed (${err.detail}).`;
      askForKey('Subscriptions need an API key.');
    } else if (err instanceof ApiError && err.status === 404) {
      status.textContent = `${what}: not found on this server (${err.detail}).`;
    } else {
      status.textContent = `${what}: ${err.detail || err.message}`;
    }
  }

  async function load() {
    let subs;
    try {
      const res = await api('/api/v1/subscriptions');
      subs = Array.isArray(res) ? res : (res.subscriptions || []);
    } catch (err) {
      clear(listWrap);
      handle(err, 'Could not list subscriptions');
      renderForm(null);
      return;
    }
    fill(listWrap, subs.length ? h('table', { class: 'subs', id: 'subs-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Area', 'Hazards', 'Min tier', 'Channel', 'Actions']
        .map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, subs.map((s) => h('tr', { dataset: { id: s.id } },
        h('th', { scope: 'row', text: s.name || s.id }),
        h('td', { text: describeArea(s.area) }),
        h('td', { text: (s.hazards || []).map(label).join(', ') || 'any' }),
        h('td', { text: s.min_tier || 'routine' }),
        h('td', { text: s.channel ? `${s.channel.type} ${s.channel.url || s.channel.to || ''}` : '—' }),
        h('td', { class: 'actions' },
          h('button', { type: 'button', text: 'Edit', onclick: () => renderForm(s) }),
          h('button', { type: 'button', text: 'Test', onclick: () => testFire(s) }),
          h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: () => remove(s) })),
      )))) : h('p', { text: 'No subscriptions yet.' }));
    if (!formWrap.hasChildNodes()) renderForm(null);
  }

  async function testFire(s) {
    status.textContent = `Sending a test alert for “${s.name || s.id}”…`;
    try {
      const r = await api(`/api/v1/subscriptions/${encodeURIComponent(s.id)}/test`, { method: 'POST' });
      const how = r && r.ok === false
        ? `failed${r.error ? `: ${r.error}` : ''}${r.status ? ` (HTTP ${r.status})` : ''}`
        : 'delivered';
      status.textContent = `Test alert for “${s.name || s.id}”: ${how}`
        + (r && r.attempts ? ` after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}.` : '.');
    } catch (err) { handle(err, 'Test failed'); }
  }

  async function remove(s) {
    if (!window.confirm(`Delete subscription “${s.name || s.id}”?`)) return;
    try {
      await api(`/api/v1/subscriptions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
      status.textContent = 'Deleted.';
      load();
    } catch (err) { handle(err, 'Could not delete'); }
  }

  function renderForm(sub) {
    const s = sub || { name: '', area: null, hazards: [], info_types: [], needs: [], min_tier: '',
      min_sources: 1, languages: [], channel: { type: 'webhook', url: '' } };
    const a = s.area || {};
    const kind = areaKind(s.area);
    const name = h('input', { id: 's-name', name: 'name', required: true, value: s.name || '' });
    const areaSel = h('select', { id: 's-area' }, ['none', 'bbox', 'point', 'countries', 'polygon']
      .map((k) => h('option', { value: k, selected: k === kind, text: { none: 'anywhere', bbox: 'bounding box', point: 'point and radius', countries: 'countries', polygon: 'GeoJSON polygon' }[k] })));
    const bbox = h('input', { id: 's-bbox', placeholder: 'west,south,east,north', value: a.bbox ? a.bbox.join(',') : '' });
    const point = h('input', { id: 's-point', placeholder: 'lon,lat', value: a.point ? a.point.join(',') : '' });
    const radius = h('input', { id: 's-radius', type: 'number', min: '1', step: 'any', value: a.radius_km ?? 50 });
    const countries = h('input', { id: 's-countries', placeholder: 'e.g. HT, DO', value: a.countries ? a.countries.join(', ') : '' });
    const polygon = h('textarea', { id: 's-polygon', rows: '3', placeholder: '{"type":"Polygon","coordinates":[...]}' });
    polygon.value = a.polygon ? JSON.stringify(a.polygon) : '';
    const areaFields = {
      bbox: field('Bounding box', bbox), point: h('div', {}, field('Point', point), field('Radius (km)', radius)),
      countries: field('Countries (ISO codes)', countries), polygon: field('Polygon', polygon),
    };
    const areaBox = h('div', { class: 'area-fields' });
    const showArea = () => fill(areaBox, areaFields[areaSel.value] || []);
    areaSel.addEventListener('change', showArea);
    showArea();
    const tier = h('select', { id: 's-tier' }, [...TIERS].reverse()
      .map((t) => h('option', { value: t, selected: (s.min_tier || 'routine') === t,
        text: t === 'routine' ? 'routine (all)' : t })));
    const minSources = h('input', { id: 's-min-sources', type: 'number', min: '1', value: s.min_sources ?? 1 });
    const langs = h('input', { id: 's-langs', placeholder: 'e.g. en, ar, ht (empty = any)', value: (s.languages || []).join(', ') });
    const ch = s.channel || { type: 'webhook' };
    const chType = h('select', { id: 's-channel' }, CHANNELS.map((c) => h('option', { value: c, selected: ch.type === c, text: c })));
    const chTarget = h('input', { id: 's-target', value: ch.url || ch.to || '', placeholder: 'https://… or name@example.org' });
    // the API masks stored secrets; an empty field on save keeps the stored one
    const chSecret = h('input', { id: 's-secret', type: 'password', autocomplete: 'off',
      value: ch.secret && !/^\*+$/.test(ch.secret) ? ch.secret : '',
      placeholder: sub ? 'unchanged' : 'generated if empty' });
    const msg = h('p', { role: 'status', class: 'muted' });
    const f = h('form', { class: 'sub-form', id: 'sub-form' },
      field('Name', name),
      field('Area', areaSel), areaBox,
      checkboxes('hazards', HAZARDS, s.hazards),
      checkboxes('info_types', INFO_TYPES, s.info_types),
      checkboxes('needs', NEEDS, s.needs),
      h('div', { class: 'row' }, field('Minimum tier', tier), field('Minimum sources', minSources), field('Languages', langs)),
      h('div', { class: 'row' }, field('Channel', chType), field('Webhook URL or e-mail', chTarget), field('Webhook secret', chSecret, 'optional; signs webhook bodies')),
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', text: sub ? 'Save changes' : 'Create subscription' }),
        sub ? h('button', { type: 'button', text: 'Cancel', onclick: () => renderForm(null) }) : null),
      msg);
    const list = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
    const nums = (v) => list(v).map(Number);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      let area = null;
      try {
        switch (areaSel.value) {
          case 'bbox': { const b = nums(bbox.value); if (b.length !== 4 || b.some(Number.isNaN)) throw new Error('bounding box needs four numbers'); area = { bbox: b }; break; }
          case 'point': { const p = nums(point.value); if (p.length !== 2 || p.some(Number.isNaN)) throw new Error('point needs lon,lat'); area = { point: p, radius_km: Number(radius.value) }; break; }
          case 'countries': area = { countries: list(countries.value).map((c) => c.toUpperCase()) }; break;
          case 'polygon': area = { polygon: JSON.parse(polygon.value) }; break;
          default: area = null;
        }
      } catch (err) { msg.textContent = `Area: ${err.message}`; return; }
      const checked = (n) => [...f.querySelectorAll(`input[name="${n}"]:checked`)].map((x) => x.value);
      const channel = { type: chType.value };
      if (chType.value === 'email') channel.to = chTarget.value.trim();
      else if (chTarget.value.trim()) channel.url = chTarget.value.trim();
      if (chSecret.value) channel.secret = chSecret.value;
      const body = { name: name.value.trim(), area, hazards: checked('hazards'),
        info_types: checked('info_types'), needs: checked('needs'), min_tier: tier.value,
        min_sources: Number(minSources.value) || 1, languages: list(langs.value), channel };
      try {
        const saved = sub
          ? await api(`/api/v1/subscriptions/${encodeURIComponent(sub.id)}`, { method: 'PUT', body })
          : await api('/api/v1/subscriptions', { method: 'POST', body });
        const secret = saved?.channel?.secret;
        status.textContent = (sub ? 'Saved.' : 'Created.')
          + (secret && !/^\*+$/.test(secret) && secret !== chSecret.value
            ? ` Webhook signing secret (shown once, copy it now): ${secret}` : '');
        renderForm(null);
        load();
      } catch (err) {
        handle(err, 'Could not save');
        msg.textContent = status.textContent;
      }
    });
    fill(formWrap, h('h2', { id: 'sub-form-h', text: sub ? `Edit “${sub.name || sub.id}”` : 'New subscription' }), f);
    if (sub) name.focus();
  }

  load();
  const onKey = () => load();
  window.addEventListener('tocsin:key', onKey);
  return { unmount() { window.removeEventListener('tocsin:key', onKey); } };
}
