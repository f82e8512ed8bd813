#!/usr/bin/env bash
# Re-fetch the vendored uPlot (reports/html/assets) from npm at the pinned
# version (assets/uplot.version) and check it against the recorded checksums
# (assets/uplot.sha256). With -update, record the fetched files' checksums
# instead (after changing the version on purpose).
#   scripts/uplot/fetch.sh [-update]
set -euo pipefail
cd "$(dirname "$0")/../../reports/html/assets"
version=$(cat uplot.version)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" .
cp "$tmp/package/LICENSE" uPlot.LICENSE
if [ "${1:-}" = "-update" ]; then
  sha256sum uPlot.iife.min.js uPlot.min.css uPlot.LICENSE > uplot.sha256
  echo "uPlot $version fetched; checksums recorded in uplot.sha256"
else
  sha256sum -c uplot.sha256
  echo "uPlot $version fetched and matches uplot.sha256"
fi
