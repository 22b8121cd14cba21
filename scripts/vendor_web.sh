#!/usr/bin/env bash
# Refresh the web libraries vendored under src/pingan/web/static/vendor from the npm registry.
# Police networks have no internet: the UI must never load a script, style or font from a CDN,
# so pinned copies are committed and this script is the only way they change.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
vendor="$here/src/pingan/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked package in $work/NAME
  local name=$1 version=$2
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  mkdir -p "$work/$name" && tar -xzf "$work"/"${name//\//-}"-"$version".tgz -C "$work/$name" --strip-components=1
}

SWAGGER_UI_VERSION=5.35.0
fetch swagger-ui-dist "$SWAGGER_UI_VERSION"
mkdir -p "$vendor/swagger-ui"
cp "$work/swagger-ui-dist/"{swagger-ui-bundle.js,swagger-ui.css,LICENSE} "$vendor/swagger-ui/"
echo "swagger-ui-dist $SWAGGER_UI_VERSION (Apache-2.0)" > "$vendor/swagger-ui/VERSION"

# The command map: Leaflet draws the road network from /api/v1/geo/roads itself (no tiles).
LEAFLET_VERSION=1.9.4
fetch leaflet "$LEAFLET_VERSION"
mkdir -p "$vendor/leaflet"
cp "$work/leaflet/dist/"{leaflet.js,leaflet.css} "$work/leaflet/LICENSE" "$vendor/leaflet/"
echo "leaflet $LEAFLET_VERSION (BSD-2-Clause)" > "$vendor/leaflet/VERSION"

# Charts on the crowd panel and the KPI board.
ECHARTS_VERSION=6.1.0
fetch echarts "$ECHARTS_VERSION"
mkdir -p "$vendor/echarts"
cp "$work/echarts/dist/echarts.min.js" "$work/echarts/"{LICENSE,NOTICE} "$vendor/echarts/"
echo "echarts $ECHARTS_VERSION (Apache-2.0)" > "$vendor/echarts/VERSION"
echo "vendored into $vendor"
