"""Self-hosted GraphiQL page for the graphsvc GraphQL endpoint.

Strawberry's built-in GraphiQL page (``strawberry/static/graphiql.html``) loads
React, js-cookie, GraphiQL and the explorer plugin from unpkg.com, so it does not
work on hosts without internet access.  :func:`render_graphiql` produces the same
page, but every asset is loaded from ``static_prefix`` -- the files vendored in
``graphsvc/static/graphiql/`` by ``scripts/vendor_graphiql.sh`` -- and the page
contains no external URL at all.

Usage with strawberry's ASGI view::

    class GraphQLView(strawberry.asgi.GraphQL):
        async def render_graphql_ide(self, request: Request) -> Response:
            return HTMLResponse(render_graphiql(example_query=EXAMPLE))

with ``StaticFiles`` serving ``graphsvc/static`` at ``/static``.
"""

from __future__ import annotations

import html
import json
import re

__all__ = ["DEFAULT_STATIC_PREFIX", "render_graphiql"]

DEFAULT_STATIC_PREFIX = "/static/graphiql"

# Placeholders are substituted in a single pass (see ``render_graphiql``), so a
# value that happens to contain another placeholder is never re-substituted.
_PLACEHOLDER_RE = re.compile(r"__GRAPHSVC_[A-Z_]+__")

_TEMPLATE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>graphsvc GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body {
        height: 100%;
        margin: 0;
        width: 100%;
        overflow: hidden;
      }

      #graphiql {
        height: 100vh;
        display: flex;
      }

      .docExplorerHide {
        display: none;
      }

      .doc-explorer-contents {
        overflow-y: hidden !important;
      }

      .docExplorerWrap {
        width: unset !important;
        min-width: unset !important;
      }

      .graphiql-explorer-actions select {
        margin-left: 4px;
      }
    </style>

    <script src="__GRAPHSVC_STATIC__/react.production.min.js"></script>
    <script src="__GRAPHSVC_STATIC__/react-dom.production.min.js"></script>
    <script src="__GRAPHSVC_STATIC__/js.cookie.min.js"></script>

    <link rel="stylesheet" href="__GRAPHSVC_STATIC__/graphiql.min.css" />
    <link rel="stylesheet" href="__GRAPHSVC_STATIC__/plugin-explorer/style.css" />
  </head>

  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <script src="__GRAPHSVC_STATIC__/graphiql.min.js"></script>
    <script src="__GRAPHSVC_STATIC__/plugin-explorer/index.umd.js"></script>
    <script>
      const EXAMPLE_QUERY = __GRAPHSVC_EXAMPLE_QUERY__;
      // Default request headers as a JSON document, or null.
      const DEFAULT_HEADERS = __GRAPHSVC_DEFAULT_HEADERS__;

      // Parse URL parameters for sharing queries
      const parameters = {};

      for (const entry of window.location.search.slice(1).split("&")) {
        const eq = entry.indexOf("=");
        if (eq >= 0) {
          parameters[decodeURIComponent(entry.slice(0, eq))] =
            decodeURIComponent(entry.slice(eq + 1));
        }
      }

      function updateURL(data) {
        Object.assign(parameters, data);

        const newSearch =
          "?" +
          Object.keys(parameters)
            .filter(function (key) {
              return Boolean(parameters[key]);
            })
            .map(function (key) {
              return (
                encodeURIComponent(key) +
                "=" +
                encodeURIComponent(parameters[key])
              );
            })
            .join("&");
        history.replaceState(null, null, newSearch);
      }

      // The GraphQL endpoint is the page itself (GET renders this page,
      // POST executes the operation), exactly like strawberry's own page.
      const fetchURL = window.location.href.split("?")[0];

      function httpUrlToWebSocketUrl(url) {
        const parsedURL = new URL(url);
        parsedURL.protocol = parsedURL.protocol === "http:" ? "ws:" : "wss:";
        parsedURL.hash = "";
        return parsedURL.toString();
      }

      const fetcherHeaders = {};
      const csrfToken = Cookies.get("csrftoken");

      if (csrfToken) {
        fetcherHeaders["x-csrftoken"] = csrfToken;
      }

      const fetcher = GraphiQL.createFetcher({
        url: fetchURL,
        headers: fetcherHeaders,
        subscriptionUrl: httpUrlToWebSocketUrl(fetchURL),
      });

      function GraphiQLWithExplorer() {
        const [query, setQuery] = React.useState(
          parameters.q || EXAMPLE_QUERY,
        );
        const [variables, setVariables] = React.useState(
          parameters.variables,
        );
        const [headers, setHeaders] = React.useState(
          parameters.headers || DEFAULT_HEADERS || undefined,
        );

        function onEditQuery(newQuery) {
          setQuery(newQuery);
          updateURL({ q: newQuery });
        }

        function onEditVariables(newVariables) {
          setVariables(newVariables);
          updateURL({ variables: newVariables });
        }

        function onEditHeaders(newHeaders) {
          setHeaders(newHeaders);
        }

        const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

        return React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          plugins: [explorerPlugin],
          defaultQuery: EXAMPLE_QUERY,
          defaultHeaders: DEFAULT_HEADERS || undefined,
          query: query,
          variables: variables,
          headers: headers,
          onEditQuery: onEditQuery,
          onEditVariables: onEditVariables,
          onEditHeaders: onEditHeaders,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        });
      }

      const root = ReactDOM.createRoot(document.getElementById("graphiql"));
      root.render(React.createElement(GraphiQLWithExplorer));
    </script>
  </body>
</html>
"""


def _js_literal(value: object) -> str:
    """Serialise ``value`` as a JavaScript literal safe inside ``<script>``.

    ``json.dumps`` (ASCII-only, so U+2028/U+2029 are escaped too) produces a
    valid JS expression; every ``<`` is then written as ``\\u003c`` so that
    neither ``</script>`` nor ``<!--`` can appear in the inline script.  This is
    a no-op for the JS value: ``<`` only occurs inside string literals.
    """
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")


def _static_prefix_attr(static_prefix: str) -> str:
    prefix = static_prefix.rstrip("/")
    if "://" in prefix or prefix.startswith("//"):
        raise ValueError(
            f"static_prefix must be a same-origin path, not {static_prefix!r}: "
            "the GraphiQL assets are served by graphsvc itself"
        )
    return html.escape(prefix, quote=True)


def render_graphiql(
    *,
    example_query: str,
    static_prefix: str = DEFAULT_STATIC_PREFIX,
    headers: dict[str, str] | None = None,
) -> str:
    """Return the HTML of the self-hosted GraphiQL page.

    Args:
        example_query: GraphQL document pre-filled in the query editor (unless
            the URL carries a shared ``?q=`` query).
        static_prefix: URL path under which the files of
            ``graphsvc/static/graphiql/`` are served (no trailing slash needed).
            Must be a same-origin path; absolute URLs are rejected.
        headers: optional request headers pre-filled (as JSON) in the headers
            editor, e.g. ``{"Authorization": "Bearer ..."}``.

    The page posts operations to its own URL, so it must be served by GET on
    the GraphQL endpoint itself (e.g. from ``GraphQL.render_graphql_ide``).
    """
    headers_json = json.dumps(headers, indent=2) if headers else None
    values = {
        "__GRAPHSVC_STATIC__": _static_prefix_attr(static_prefix),
        "__GRAPHSVC_EXAMPLE_QUERY__": _js_literal(example_query),
        "__GRAPHSVC_DEFAULT_HEADERS__": _js_literal(headers_json),
    }
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(0)], _TEMPLATE)
