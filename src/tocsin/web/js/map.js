// Leaflet maps with the offline Natural Earth basemap (or an operator's tile server).

import { h } from './dom.js';

let settingsPromise = null;
let worldPromise = null;

export function webSettings() {
  if (!settingsPromise) {
    settingsPromise = fetch('/web-config.json', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  }
  return settingsPromise;
}

/** Country shapes as GeoJSON, loaded once per page and shared by every map. */
function world() {
  if (!worldPromise) {
    worldPromise = fetch('/static/vendor/world-atlas/countries-50m.json')
      .then((r) => r.json())
      .then((topo) => window.topojson.feature(topo, topo.objects.countries))
      .catch(() => null);
  }
  return worldPromise;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A map in `el`; resolves the basemap in the background so markers never wait for it. */
export function createMap(el, { center = [20, 10], zoom = 2, minZoom = 1 } = {}) {
  const L = window.L;
  const map = L.map(el, {
    center, zoom, minZoom, maxZoom: 12, worldCopyJump: true, preferCanvas: true,
    attributionControl: false, keyboard: true,
  });
  const attribution = L.control.attribution({ prefix: false }).addTo(map);
  map.createPane('basemap');
  map.getPane('basemap').classList.add('pane-basemap');
  webSettings().then((cfg) => {
    if (cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { maxZoom: 18 }).addTo(map);
      // Leaflet renders attributions as HTML: the operator's text is escaped first.
      attribution.addAttribution(escapeHtml(cfg.tile_attribution || 'Map tiles'));
      return;
    }
    attribution.addAttribution('Leaflet · Natural Earth');
    world().then((geo) => {
      if (!geo) return;
      L.geoJSON(geo, {
        pane: 'basemap', interactive: false,
        renderer: L.canvas({ pane: 'basemap', padding: 0.5 }),
        style: { color: '#8a97a5', weight: 0.6, fillColor: '#eef1ea', fillOpacity: 1 },
      }).addTo(map);
    });
  });
  return map;
}

export function tierColour(tier) {
  return { flash: '#b71c1c', urgent: '#c25100', routine: '#1d4f91' }[tier] || '#1d4f91';
}

export function markerRadius(reports) {
  return Math.min(28, 5 + 3 * Math.log2(1 + (reports || 0)));
}

/** The point to draw an event at: its bbox centre, else its first located place. */
export function eventPoint(ev) {
  if (Array.isArray(ev.bbox) && ev.bbox.length === 4) {
    const [w, s, e, n] = ev.bbox;
    return [(s + n) / 2, (w + e) / 2];
  }
  const p = (ev.places || []).find((x) => typeof x.lat === 'number' && typeof x.lon === 'number');
  return p ? [p.lat, p.lon] : null;
}

/** Tooltip content as a DOM node (a string would be parsed as HTML by Leaflet). */
export function tooltipNode(text) {
  return h('span', { text });
}
