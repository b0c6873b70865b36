#!/usr/bin/env bash
# Re-fetch the GraphiQL browser assets from the npm registry and vendor them
# into graphsvc/static/graphiql/, so that /graphql works without internet
# access (no unpkg/CDN at runtime).
#
# Usage:  scripts/vendor_graphiql.sh
# Needs:  npm (only the npm registry is contacted), tar, sha384 via openssl.
#
# The versions below are the ones strawberry-graphql's built-in GraphiQL page
# (strawberry/static/graphiql.html) loads from unpkg.  To update, change a
# version here, re-run the script, adjust graphsvc/graphql/ide.py if the asset
# layout changed, and run the browser test (tests/e2e/test_graphiql_page.py).
# The SRI (sha384) printed for each file can be compared with the integrity
# attributes in strawberry's template as an extra check.
set -euo pipefail

REACT_VERSION="18.2.0"
REACT_DOM_VERSION="18.2.0"
JS_COOKIE_VERSION="3.0.5"
GRAPHIQL_VERSION="3.8.3"
PLUGIN_EXPLORER_VERSION="1.0.2"
# Bundled into @graphiql/plugin-explorer's index.umd.js (dependency ^0.9.0);
# fetched only for its license text.
GRAPHIQL_EXPLORER_VERSION="0.9.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${repo_root}/graphsvc/static/graphiql"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# fetch <spec> <dir-name>: npm pack (verifies the registry's integrity hash)
# and unpack into ${work}/<dir-name>/package
fetch() {
    local spec="$1" name="$2" tarball
    tarball="$(cd "${work}" && npm pack --silent "${spec}" | tail -n 1)"
    mkdir -p "${work}/${name}"
    tar -xzf "${work}/${tarball}" -C "${work}/${name}"
}

fetch "react@${REACT_VERSION}" react
fetch "react-dom@${REACT_DOM_VERSION}" react-dom
fetch "js-cookie@${JS_COOKIE_VERSION}" js-cookie
fetch "graphiql@${GRAPHIQL_VERSION}" graphiql
fetch "@graphiql/plugin-explorer@${PLUGIN_EXPLORER_VERSION}" plugin-explorer
fetch "graphiql-explorer@${GRAPHIQL_EXPLORER_VERSION}" graphiql-explorer

# Build the new asset set in a staging dir, then swap it in.
stage="${work}/out"
mkdir -p "${stage}"
cp "${work}/react/package/umd/react.production.min.js" "${stage}/react.production.min.js"
cp "${work}/react-dom/package/umd/react-dom.production.min.js" "${stage}/react-dom.production.min.js"
cp "${work}/js-cookie/package/dist/js.cookie.min.js" "${stage}/js.cookie.min.js"
cp "${work}/graphiql/package/graphiql.min.js" "${stage}/graphiql.min.js"
cp "${work}/graphiql/package/graphiql.min.css" "${stage}/graphiql.min.css"
mkdir -p "${stage}/plugin-explorer"
cp "${work}/plugin-explorer/package/dist/index.umd.js" "${stage}/plugin-explorer/index.umd.js"
cp "${work}/plugin-explorer/package/dist/style.css" "${stage}/plugin-explorer/style.css"

# Files are kept byte-identical to npm.  graphiql.min.{js,css} reference source
# maps (relative URLs, same origin) that are not shipped; browsers only request
# them with devtools open, and a 404 there is harmless.

license_of() { # <dir-name> -> SPDX id from package.json
    node -p "require('${work}/$1/package/package.json').license"
}

# license_text <dir-name> [fallback-dir-name]: the package's LICENSE file.
# @graphiql/plugin-explorer ships no LICENSE file; it lives in the graphql/graphiql
# monorepo, whose LICENSE is the one shipped in the graphiql package.
license_text() {
    local f
    for f in "${work}/$1/package/LICENSE" "${work}/$1/package/LICENSE.md" "${work}/$1/package/LICENSE.txt"; do
        if [[ -f "${f}" ]]; then cat "${f}"; return; fi
    done
    if [[ -n "${2:-}" ]]; then license_text "$2"; return; fi
    echo "ERROR: no license file for $1" >&2
    exit 1
}

{
    cat <<EOF
# Third-party licenses: vendored GraphiQL assets

These files are copied unmodified from the npm registry by
\`scripts/vendor_graphiql.sh\` (do not edit them by hand; re-run the script).

| Package | Version | License | Vendored files |
| --- | --- | --- | --- |
| react | ${REACT_VERSION} | $(license_of react) | react.production.min.js (umd/) |
| react-dom | ${REACT_DOM_VERSION} | $(license_of react-dom) | react-dom.production.min.js (umd/) |
| js-cookie | ${JS_COOKIE_VERSION} | $(license_of js-cookie) | js.cookie.min.js (dist/) |
| graphiql | ${GRAPHIQL_VERSION} | $(license_of graphiql) | graphiql.min.js, graphiql.min.css |
| @graphiql/plugin-explorer | ${PLUGIN_EXPLORER_VERSION} | $(license_of plugin-explorer) | plugin-explorer/index.umd.js, plugin-explorer/style.css (dist/) |
| graphiql-explorer (bundled in plugin-explorer/index.umd.js) | ${GRAPHIQL_EXPLORER_VERSION} | $(license_of graphiql-explorer) | — |

Note: \`graphiql.min.js\` is an upstream webpack bundle that also contains
third-party code (e.g. graphql-js, CodeMirror 5, codemirror-graphql,
@graphiql/react, markdown-it, Radix UI, framer-motion, graphql-ws), distributed
by the GraphiQL project under their respective (permissive) licenses.

EOF
    section() { # <title> <dir-name> [fallback]
        printf '## %s\n\n```text\n' "$1"
        license_text "$2" "${3:-}"
        printf '```\n\n'
    }
    section "react ${REACT_VERSION}" react
    section "react-dom ${REACT_DOM_VERSION}" react-dom
    section "js-cookie ${JS_COOKIE_VERSION}" js-cookie
    section "graphiql ${GRAPHIQL_VERSION}" graphiql
    printf '## @graphiql/plugin-explorer %s\n\n' "${PLUGIN_EXPLORER_VERSION}"
    printf 'The npm package declares "license": "MIT" but ships no LICENSE file; it is\n'
    printf 'published from the graphql/graphiql monorepo, whose LICENSE (as shipped in\n'
    printf 'the graphiql package) applies:\n\n```text\n'
    license_text graphiql
    printf '```\n\n'
    section "graphiql-explorer ${GRAPHIQL_EXPLORER_VERSION}" graphiql-explorer
} >"${stage}/LICENSES.md"

rm -rf "${dest}"
mkdir -p "$(dirname "${dest}")"
cp -R "${stage}" "${dest}"

echo "Vendored GraphiQL assets into ${dest#"${repo_root}"/}:"
(
    cd "${dest}"
    find . -type f | sort | while read -r f; do
        printf '  %-40s %9s bytes  sha384-%s\n' "${f#./}" "$(wc -c <"${f}" | tr -d ' ')" \
            "$(openssl dgst -sha384 -binary "${f}" | openssl base64 -A)"
    done
)
echo "Total: $(du -sh "${dest}" | cut -f1)"
