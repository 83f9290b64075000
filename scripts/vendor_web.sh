#!/usr/bin/env bash
# Vendor the dashboard's third-party assets from npm into src/tocsin/web/vendor/.
#
# Run at build time (never at run time): the dashboard then works offline and under a
# strict Content-Security-Policy with no external hosts. Versions are pinned; the output is
# meant to be committed, with each package's licence beside its files.
#   usage: scripts/vendor_web.sh            (needs node + npm and the npm registry)
set -euo pipefail

LEAFLET=1.9.4
WORLD_ATLAS=2.0.2
TOPOJSON_CLIENT=3.1.0

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/tocsin/web/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
    "leaflet@$LEAFLET" "world-atlas@$WORLD_ATLAS" "topojson-client@$TOPOJSON_CLIENT" >/dev/null

rm -rf "$dest"
mkdir -p "$dest/leaflet/images" "$dest/world-atlas" "$dest/topojson-client"
nm="$tmp/node_modules"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$dest/leaflet/"
cp "$nm/leaflet/dist/images/"*.png "$dest/leaflet/images/"
cp "$nm/leaflet/LICENSE" "$dest/leaflet/LICENSE"
# Natural Earth 1:50m country boundaries (public domain), as TopoJSON
cp "$nm/world-atlas/countries-50m.json" "$dest/world-atlas/"
cp "$nm/world-atlas/LICENSE" "$dest/world-atlas/LICENSE"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$dest/topojson-client/"
cp "$nm/topojson-client/LICENSE" "$dest/topojson-client/LICENSE"
cat > "$dest/VERSIONS" <<V
leaflet $LEAFLET (BSD-2-Clause)
world-atlas $WORLD_ATLAS (ISC; data: Natural Earth, public domain)
topojson-client $TOPOJSON_CLIENT (ISC)
V
du -sh "$dest"
