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
        height: calc(100vh - 40px);
        display: flex;
      }

      .gs-auth {
        height: 40px;
        box-sizing: border-box;
        display: flex;
        align-items: center;
        gap: 10px;
        padding: 0 14px;
        font: 13px system-ui, sans-serif;
        border-bottom: 1px solid #e3e5e8;
        background: #f6f7f9;
        color: #1f1f1f;
      }
      .gs-auth .gs-brand { font-weight: 700; margin-right: auto; }
      .gs-auth input { width: 330px; padding: 4px 6px; font: inherit; }
      .gs-auth button { padding: 4px 10px; font: inherit; cursor: pointer; }
      .gs-auth form { display: flex; gap: 6px; margin: 0; }
      .gs-auth[hidden], .gs-auth [hidden] { display: none; }
      #gs-error { color: #b3261e; }

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
    <div class="gs-auth" id="gs-auth">
      <span class="gs-brand">graphsvc</span>
      <span id="gs-error" role="alert"></span>
      <span id="gs-who"></span>
      <form id="gs-signin" hidden>
        <input id="gs-token" type="password" autocomplete="off" aria-label="API token"
               placeholder="API token (gsvc_...), from graphsvc token create" />
        <button type="submit">Sign in</button>
      </form>
      <button id="gs-signout" type="button" hidden>Sign out</button>
    </div>
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
      const fetchURL = window.location.origin + window.location.pathname;

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

      // Sign-in: the token goes to /auth/session once, which keeps it in an HttpOnly cookie; the page never
      // stores it. A link ending #token=... (graphsvc serve --admin-link) signs in and the token leaves the URL.
      const who = document.getElementById("gs-who");
      const signin = document.getElementById("gs-signin");
      const signout = document.getElementById("gs-signout");
      const problem = document.getElementById("gs-error");

      async function session(method, body) {
        const init = { method: method, credentials: "same-origin", headers: {} };
        if (body) {
          init.headers["Content-Type"] = "application/json";
          init.body = JSON.stringify(body);
        }
        const response = await fetch("/auth/session", init);
        const data = await response.json().catch(function () { return {}; });
        return { ok: response.ok, data: data };
      }

      function showSignedIn(data) {
        who.textContent = data.auth === false
          ? "auth is off (local demo)"
          : "signed in: " + data.name + " (" + data.role + ")";
        signin.hidden = true;
        signout.hidden = data.auth === false;
      }

      async function signIn(token) {
        const result = await session("POST", { token: token });
        if (!result.ok) {
          const errors = result.data.errors || [{ message: "sign-in failed" }];
          problem.textContent = errors[0].message;
          return false;
        }
        window.location.reload();
        return true;
      }

      signin.addEventListener("submit", function (event) {
        event.preventDefault();
        problem.textContent = "";
        signIn(document.getElementById("gs-token").value.trim());
      });
      signout.addEventListener("click", async function () {
        await session("DELETE");
        window.location.reload();
      });

      async function signInState() {
        // False for a #token= link (the page reloads signed in); true when the editor should be shown.
        if (!__GRAPHSVC_SIGN_IN__) {
          document.getElementById("gs-auth").hidden = true;
          document.getElementById("graphiql").style.height = "100vh";
          return true;
        }
        const hash = new URLSearchParams(window.location.hash.slice(1));
        if (hash.get("token")) {
          const token = hash.get("token");
          history.replaceState(null, "", window.location.pathname + window.location.search);
          await signIn(token);
          return false;
        }
        const current = await session("GET");
        if (current.ok) {
          showSignedIn(current.data);
        } else {
          who.textContent = "not signed in";
          signin.hidden = false;
        }
        return true;
      }

      async function start() {
        if (await signInState()) {
          ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQLWithExplorer));
        }
      }

      start();
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
    sign_in: bool = True,
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
        sign_in: show the sign-in bar, which talks to graphsvc's ``/auth/session``
            (off for a page served by an app without it).

    The page posts operations to its own URL, so it must be served by GET on
    the GraphQL endpoint itself (e.g. from ``GraphQL.render_graphql_ide``).
    """
    headers_json = json.dumps(headers, indent=2) if headers else None
    values = {
        "__GRAPHSVC_STATIC__": _static_prefix_attr(static_prefix),
        "__GRAPHSVC_EXAMPLE_QUERY__": _js_literal(example_query),
        "__GRAPHSVC_DEFAULT_HEADERS__": _js_literal(headers_json),
        "__GRAPHSVC_SIGN_IN__": "true" if sign_in else "false",
    }
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(0)], _TEMPLATE)
