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
      // Land as one filled shape and country borders as lines shared by two countries:
      // outer rings cut at the antimeridian would otherwise be stroked across the world.
      .then((topo) => ({
        land: unwrapAntimeridian(window.topojson.feature(topo, topo.objects.land)),
        borders: window.topojson.mesh(topo, topo.objects.countries, (a, b) => a !== b),
      }))
      .catch(() => null);
  }
  return worldPromise;
}

/**
 * Make rings that cross the antimeridian continuous (Chukotka, Fiji): a ring that jumps from
 * +180 to -180 would otherwise be filled as a band across the whole map. A ring that circles
 * the pole (Antarctica) cannot be unwrapped; its jump runs along -90, outside the map anyway.
 */
function unwrapRing(ring) {
  const out = [ring[0]];
  let jumped = false;
  for (let i = 1; i < ring.length; i += 1) {
    let [lon] = ring[i];
    const prev = out[i - 1][0];
    while (lon - prev > 180) { lon -= 360; jumped = true; }
    while (lon - prev < -180) { lon += 360; jumped = true; }
    out.push([lon, ring[i][1]]);
  }
  if (!jumped) return ring;
  const closes = Math.abs(out[out.length - 1][0] - out[0][0]) < 1e-6;
  return closes ? out : ring;
}

function unwrapAntimeridian(fc) {
  for (const f of fc.features || [fc]) {
    const g = f.geometry;
    if (!g) continue;
    if (g.type === 'Polygon') g.coordinates = g.coordinates.map(unwrapRing);
    if (g.type === 'MultiPolygon') g.coordinates = g.coordinates.map((p) => p.map(unwrapRing));
  }
  return fc;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Leaflet 1.9.4 can run a canvas redraw after the renderer's drawing context is gone (a page
 * change removing a map while a marker restyle or the basemap is still queued); it then throws
 * reading `clearRect` of undefined. A renderer without a context has nothing to draw.
 */
function guardCanvasRedraw(L) {
  const proto = L.Canvas.prototype;
  if (proto.tocsinGuarded) return;
  const redraw = proto._redraw;
  proto._redraw = function redrawIfAttached() {
    if (!this._ctx) {
      this._redrawRequest = null;
      return;
    }
    redraw.call(this);
  };
  proto.tocsinGuarded = true;
}

/** A map in `el`; resolves the basemap in the background so markers never wait for it. */
export function createMap(el, { center = [20, 10], zoom = 2, minZoom = 1 } = {}) {
  const L = window.L;
  guardCanvasRedraw(L);
  const map = L.map(el, {
    center, zoom, minZoom, maxZoom: 12, worldCopyJump: true, preferCanvas: true,
    attributionControl: false, keyboard: true,
  });
  const attribution = L.control.attribution({ prefix: false }).addTo(map);
  map.createPane('basemap');
  map.getPane('basemap').classList.add('pane-basemap');
  // The basemap arrives asynchronously; the page may have removed this map by then (the
  // user opened an event), and drawing onto a removed map's canvas throws.
  let removed = false;
  map.on('unload', () => { removed = true; });
  webSettings().then((cfg) => {
    if (removed) return;
    if (cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { maxZoom: 18 }).addTo(map);
      // Leaflet renders attributions as HTML: the operator's text is escaped first.
      attribution.addAttribution(escapeHtml(cfg.tile_attribution || 'Map tiles'));
      return;
    }
    attribution.addAttribution('Leaflet · Natural Earth');
    world().then((geo) => {
      if (!geo || removed) return;
      const renderer = L.canvas({ pane: 'basemap', padding: 0.5 });
      L.geoJSON(geo.land, { pane: 'basemap', interactive: false, renderer,
        style: { stroke: false, fillColor: '#eef1ea', fillOpacity: 1 } }).addTo(map);
      L.geoJSON(geo.borders, { pane: 'basemap', interactive: false, renderer,
        style: { color: '#8a97a5', weight: 0.7, fill: false } }).addTo(map);
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
