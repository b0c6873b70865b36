#!/usr/bin/env bash
# Re-fetch the graph-drawing libraries of the explorer (/explore) from the npm registry and vendor them into
# graphsvc/static/explore/vendor/, so the page works without internet access (no CDN at runtime).
#
# Usage:  scripts/vendor_explore.sh
# Needs:  npm (only the npm registry is contacted), tar, openssl.
#
# Cytoscape.js draws and lays out; cytoscape-dagre's UMD build bundles dagre (@dagrejs/dagre and its graphlib, both
# MIT) for the layered left-to-right layout. To update, change a version here, re-run the script and run the
# browser tests (tests/e2e/test_explore.py).
set -euo pipefail

CYTOSCAPE_VERSION="3.35.0"
CYTOSCAPE_DAGRE_VERSION="4.0.1"
DAGRE_VERSION="3.1.3" # bundled in cytoscape-dagre.min.js; fetched only for its license text

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${repo_root}/graphsvc/static/explore/vendor"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

fetch() { # <spec> <dir-name>: npm pack (verifies the registry's integrity hash) and unpack
    local spec="$1" name="$2" tarball
    tarball="$(cd "${work}" && npm pack --silent "${spec}" | tail -n 1)"
    mkdir -p "${work}/${name}"
    tar -xzf "${work}/${tarball}" -C "${work}/${name}"
}

fetch "cytoscape@${CYTOSCAPE_VERSION}" cytoscape
fetch "cytoscape-dagre@${CYTOSCAPE_DAGRE_VERSION}" cytoscape-dagre
fetch "@dagrejs/dagre@${DAGRE_VERSION}" dagre

stage="${work}/out"
mkdir -p "${stage}"
cp "${work}/cytoscape/package/dist/cytoscape.min.js" "${stage}/cytoscape.min.js"
cp "${work}/cytoscape-dagre/package/dist/cytoscape-dagre.min.js" "${stage}/cytoscape-dagre.min.js"

license_of() { node -p "require('${work}/$1/package/package.json').license"; }
{
    cat <<HEADER
# Third-party licenses: vendored explorer assets

These files are copied unmodified from the npm registry by
\`scripts/vendor_explore.sh\` (do not edit them by hand; re-run the script).

| Package | Version | License | Vendored files |
| --- | --- | --- | --- |
| cytoscape | ${CYTOSCAPE_VERSION} | $(license_of cytoscape) | cytoscape.min.js (dist/) |
| cytoscape-dagre | ${CYTOSCAPE_DAGRE_VERSION} | $(license_of cytoscape-dagre) | cytoscape-dagre.min.js (dist/) |
| @dagrejs/dagre (bundled in cytoscape-dagre.min.js) | ${DAGRE_VERSION} | $(license_of dagre) | — |

HEADER
    for name in cytoscape cytoscape-dagre dagre; do
        printf '## %s\n\n```text\n' "${name}"
        cat "${work}/${name}/package/LICENSE"*
        printf '```\n\n'
    done
} >"${stage}/LICENSES.md"

rm -rf "${dest}"
mkdir -p "$(dirname "${dest}")"
cp -R "${stage}" "${dest}"
echo "Vendored explorer assets into ${dest#"${repo_root}"/}:"
(cd "${dest}" && for f in *; do printf '  %-28s %9s bytes\n' "${f}" "$(wc -c <"${f}" | tr -d ' ')"; done)
