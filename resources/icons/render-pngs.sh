#!/bin/sh
# Renders temper.svg into the hicolor PNG sizes that are committed next to it. Run it after
# changing the SVG; the build itself never renders anything. Needs rsvg-convert (Debian:
# librsvg2-bin).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
id=io.github.temper.Temper
command -v rsvg-convert >/dev/null 2>&1 || {
    echo "render-pngs.sh: rsvg-convert not found (apt-get install librsvg2-bin)" >&2
    exit 1
}
for size in 16 24 32 48 64 128 256; do
    dir="$here/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    rsvg-convert -w "$size" -h "$size" -o "$dir/$id.png" "$here/temper.svg"
done
