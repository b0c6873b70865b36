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

_TEMPLATE = r"""<!doctype html>
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

      // A link shares a query and its variables, never headers: a `headers` parameter would make the page send
      // whatever credentials the link's author put there, so it is dropped (and leaves the address bar).
      if (Object.prototype.hasOwnProperty.call(parameters, "headers")) {
        delete parameters.headers;
        const search = new URLSearchParams(window.location.search);
        search.delete("headers");
        const rest = search.toString();
        history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
      }

      // A query that came with the link (?q=) is somebody else's: on a page opened that way, the first mutation
      // or subscription asks before it runs (a page framing this one must not get a write out of one click).
      const OPENED_WITH_QUERY = Boolean(parameters.q);
      let writeConfirmed = false;

      // Headers (tokens) are never kept in the browser: GraphiQL's own persistence is off (shouldPersistHeaders),
      // and this storage drops them from what GraphiQL keeps anyway (its history, tabs), and from what earlier
      // versions of this page kept.
      const HEADERS_KEY = "graphiql:headers";
      const WITH_HEADERS = ["graphiql:tabState", "graphiql:queries", "graphiql:favorites"];

      function withoutHeaders(key, value) {
        if (WITH_HEADERS.indexOf(key) < 0 || typeof value !== "string") {
          return value;
        }
        try {
          return JSON.stringify(JSON.parse(value), function (name, item) {
            return name === "headers" ? null : item;
          });
        } catch (error) {
          return null; // not GraphiQL's JSON: not kept
        }
      }

      const headerlessStorage = {
        getItem: function (key) { return localStorage.getItem(key); },
        setItem: function (key, value) {
          const kept = key === HEADERS_KEY ? null : withoutHeaders(key, value);
          if (kept === null) {
            localStorage.removeItem(key);
          } else {
            localStorage.setItem(key, kept);
          }
        },
        removeItem: function (key) { localStorage.removeItem(key); },
        get length() { return graphiqlKeys().length; },
        clear: function () { graphiqlKeys().forEach(function (key) { localStorage.removeItem(key); }); },
      };

      function graphiqlKeys() {
        const keys = [];
        for (let i = 0; i < localStorage.length; i++) {
          const key = localStorage.key(i);
          if (key !== null && key.indexOf("graphiql:") === 0) {
            keys.push(key);
          }
        }
        return keys;
      }

      try {
        graphiqlKeys().forEach(function (key) {
          headerlessStorage.setItem(key, localStorage.getItem(key));
        });
      } catch (error) {
        // no localStorage here (a sandboxed frame): nothing was kept either
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

      const sendOperation = GraphiQL.createFetcher({
        url: fetchURL,
        headers: fetcherHeaders,
        subscriptionUrl: httpUrlToWebSocketUrl(fetchURL),
      });

      // Whether a GraphQL document holds a mutation or subscription operation (conservatively: the keyword outside
      // strings, comments and selection sets).
      const BLOCK_QUOTE = '""' + '"';

      function holdsWrite(document) {
        let top = "";
        let depth = 0;
        let i = 0;
        while (i < document.length) {
          const c = document[i];
          if (document.startsWith(BLOCK_QUOTE, i)) {
            let end = i + 3;
            while (end < document.length && !(document.startsWith(BLOCK_QUOTE, end) && document[end - 1] !== "\\")) {
              end++;
            }
            i = end + 3;
            top += " ";
          } else if (c === '"') {
            i++;
            while (i < document.length && document[i] !== '"' && document[i] !== "\n") {
              i += document[i] === "\\" ? 2 : 1;
            }
            i++;
            top += " ";
          } else if (c === "#") {
            while (i < document.length && document[i] !== "\n" && document[i] !== "\r") {
              i++;
            }
          } else {
            if (c === "{") {
              depth++;
            } else if (c === "}") {
              depth = Math.max(0, depth - 1);
            }
            top += depth === 0 && c !== "}" ? c : " ";
            i++;
          }
        }
        return /(^|[^\w$])(mutation|subscription)(?!\w)/.test(top);
      }

      function fetcher(params, options) {
        if (OPENED_WITH_QUERY && !writeConfirmed && holdsWrite(params.query || "")) {
          const as = who.textContent ? " (" + who.textContent + ")" : "";
          const run = window.confirm(
            "This page was opened from a link that brought its own query (?q=), and what you are running " +
              "holds a mutation or subscription: it would change the CMDB as you" + as + ".\n\n" +
              "Run it? Cancel if you did not mean to.",
          );
          if (!run) {
            return Promise.resolve({
              errors: [{ message: "Not run: a mutation from a link runs only once you confirm it." }],
            });
          }
          writeConfirmed = true;
        }
        return sendOperation(params, options);
      }

      function GraphiQLWithExplorer() {
        const [query, setQuery] = React.useState(
          parameters.q || EXAMPLE_QUERY,
        );
        const [variables, setVariables] = React.useState(
          parameters.variables,
        );
        const [headers, setHeaders] = React.useState(DEFAULT_HEADERS || undefined);

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
          shouldPersistHeaders: false,
          storage: headerlessStorage,
        });
      }

      // Sign-in: the token goes to /auth/session once, which keeps it in an HttpOnly cookie; the page never
      // stores it. A link ending #token=... (graphsvc serve --admin-link) signs in and the token leaves the URL.
      const who = document.getElementById("gs-who");
      const signin = document.getElementById("gs-signin");
      const signout = document.getElementById("gs-signout");
      const problem = document.getElementById("gs-error");

      async function session(method, body, bearer) {
        const init = { method: method, credentials: "same-origin", headers: {} };
        if (bearer) {
          init.headers["Authorization"] = "Bearer " + bearer; // who a token is, without signing in with it
        }
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
        // The server ends the session: the cookie's token is worthless from now on, wherever it was copied to.
        const result = await session("DELETE");
        if (!result.ok) {
          const errors = result.data.errors || [{ message: "sign-out failed: try again" }];
          problem.textContent = errors[0].message;
          return;
        }
        window.location.reload();
      });

      function describe(data) {
        return data.name + " (" + data.role + ")";
      }

      // A #token= link while signed in as someone else switches identity only once the person agrees: a link
      // must not quietly make everything they run next run as another token.
      async function mayFollowSignInLink(token) {
        const current = await session("GET");
        if (!current.ok || current.data.auth === false) {
          return true;
        }
        const linked = await session("GET", null, token);
        if (!linked.ok) {
          const errors = linked.data.errors || [{ message: "the sign-in link's token does not work" }];
          problem.textContent = "sign-in link not used: " + errors[0].message;
          return false;
        }
        if (linked.data.tokenId === current.data.tokenId) {
          return false; // signed in with that token already
        }
        if (window.confirm(
          "This sign-in link would sign you out as " + describe(current.data) + " and sign you in as " +
            describe(linked.data) + ": everything you run on this page from then on would run as " +
            describe(linked.data) + ".\n\nSwitch to " + describe(linked.data) + "?",
        )) {
          return true;
        }
        problem.textContent = "sign-in link not used: still signed in as " + describe(current.data);
        return false;
      }

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
          if ((await mayFollowSignInLink(token)) && (await signIn(token))) {
            return false;
          }
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
