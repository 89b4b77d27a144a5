#!/bin/sh
# Build the web UI's static assets from the pinned GOV.UK Frontend npm package.
#
# Copies the package's precompiled CSS (no Sass toolchain needed), fonts and images into
# search_api/static/govuk/, rewriting the CSS's absolute /assets/ URLs to relative ones so the
# files can be served from /static/govuk/. Idempotent: does nothing when the built version
# (static/govuk/VERSION) already matches package.json, so `make` works offline once built (the
# built files are committed). Options:
#   --force        rebuild even if up to date
#   --test-tools   also make sure the test-only devDependencies (axe-core) are installed
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out="$here/../static/govuk"
force=0
test_tools=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --test-tools) test_tools=1 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

want=$(sed -n 's/.*"govuk-frontend": *"\([^"]*\)".*/\1/p' "$here/package.json")
[ -n "$want" ] || { echo "build.sh: no govuk-frontend version in package.json" >&2; exit 1; }

installed_version() {  # $1 = package name; prints its installed version or nothing
  f="$here/node_modules/$1/package.json"
  [ -f "$f" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n 1 || true
}

need_npm=0
if [ "$test_tools" = 1 ] && [ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
  need_npm=1
fi
built=$(cat "$out/VERSION" 2>/dev/null || true)
if [ "$force" = 0 ] && [ "$built" = "govuk-frontend $want" ] && [ "$need_npm" = 0 ]; then
  echo "GOV.UK Frontend $want assets are up to date in search_api/static/govuk"
  exit 0
fi
if [ "$(installed_version govuk-frontend)" != "$want" ]; then
  need_npm=1
fi
if [ "$need_npm" = 1 ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ "$force" = 0 ] && [ "$built" = "govuk-frontend $want" ]; then
  exit 0  # only the test tools were missing
fi

dist="$here/node_modules/govuk-frontend/dist/govuk"
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/assets"
# The GDS Transport font may only be used on the GOV.UK domain: drop its @font-face rules and
# files, so pages fall back to the Design System's own fallback (Arial, Helvetica, sans-serif).
sed -e 's#url(/assets/#url(assets/#g' -e 's/@font-face{font-family:GDS Transport[^}]*}//g' \
  "$dist/govuk-frontend.min.css" > "$tmp/govuk-frontend.min.css"
cp -R "$dist/assets/images" "$dist/assets/manifest.json" "$tmp/assets/"
cat > "$tmp/NOTICE.txt" <<NOTICE
Copied from the govuk-frontend $want npm package (https://github.com/alphagov/govuk-frontend)
by search_api/frontend/build.sh. Code: MIT License, (c) Crown copyright. The GDS Transport
font is left out (it is for services on the GOV.UK domain only:
https://design-system.service.gov.uk/styles/typeface/); text falls back to Arial.
NOTICE
echo "govuk-frontend $want" > "$tmp/VERSION"
rm -rf "$out"
mv "$tmp" "$out"
echo "Built GOV.UK Frontend $want assets into search_api/static/govuk"
