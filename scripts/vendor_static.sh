#!/usr/bin/env bash
# Vendor the front-end libraries from npm, pinned, into the web app's static files,
# so every page works on an offline government intranet (no CDN).
# Update: change a version below, run this script, look at the pages, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=suishoupai/web/static/vendor

# htmx stays on 2.x: 4.x changed attribute inheritance and events, and 2.x is what
# the console is written and tested against.
LEAFLET=1.9.4
HTMX=2.0.11
ECHARTS=6.1.0
# WeChat's JS-SDK (jweixin 1.6) as published on npm; the report page loads it inside WeChat.
WEIXIN_JS_SDK=1.6.5

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # fetch NAME VERSION -> unpacked in $work/NAME
  (cd "$work" && npm pack --silent "$1@$2" >/dev/null && mkdir -p "$1" \
    && tar -xzf ./*"$2".tgz -C "$1" --strip-components=1 && rm -f ./*.tgz)
}

rm -rf "$DEST" && mkdir -p "$DEST/leaflet/images" "$DEST/htmx" "$DEST/echarts" "$DEST/weixin"
fetch leaflet "$LEAFLET"
cp "$work/leaflet/dist/leaflet.js" "$work/leaflet/dist/leaflet.css" "$DEST/leaflet/"
cp "$work/leaflet/dist/images/"*.png "$DEST/leaflet/images/"
cp "$work/leaflet/LICENSE" "$DEST/leaflet/LICENSE"
fetch htmx.org "$HTMX"
cp "$work/htmx.org/dist/htmx.min.js" "$DEST/htmx/"
cp "$work/htmx.org/LICENSE" "$DEST/htmx/LICENSE"
fetch echarts "$ECHARTS"
cp "$work/echarts/dist/echarts.min.js" "$DEST/echarts/"
cp "$work/echarts/LICENSE" "$DEST/echarts/LICENSE"
fetch weixin-js-sdk "$WEIXIN_JS_SDK"
# The npm copy is a CommonJS module; in the page it must define window.wx as WeChat's own
# jweixin-1.6.0.js does.
{
  echo "(function () { var module = { exports: {} };"
  cat "$work/weixin-js-sdk/index.js"
  echo "window.wx = window.jWeixin = module.exports; })();"
} > "$DEST/weixin/jweixin.js"
cp "$work/weixin-js-sdk/LICENSE" "$DEST/weixin/LICENSE"

# Source maps are not shipped: drop the comments that point at them, or the manifest
# static storage (collectstatic in `make run`) fails on the missing .map files.
find "$DEST" -name '*.js' -exec sed -i '/^\/\/# sourceMappingURL=/d' {} +

cat > "$DEST/VERSIONS.md" <<MD
# Vendored front-end libraries

Written by \`scripts/vendor_static.sh\` from the npm registry; do not edit by hand.

| library | version | licence | files |
|---|---|---|---|
| leaflet | $LEAFLET | BSD-2-Clause | leaflet/leaflet.js, leaflet.css, images/ |
| htmx.org | $HTMX | 0BSD | htmx/htmx.min.js |
| echarts | $ECHARTS | Apache-2.0 | echarts/echarts.min.js |
| weixin-js-sdk | $WEIXIN_JS_SDK | MIT (npm packaging of WeChat's jweixin 1.6) | weixin/jweixin.js (wrapped to define window.wx) |
MD
echo "vendored into $DEST"
