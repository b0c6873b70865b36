"""Self-hosted GraphiQL page for the graphsvc GraphQL endpoint.

Strawberry's built-in GraphiQL page (``strawberry/static/graphiql.html``) loads
React, js-cookie, GraphiQL and the explorer plugin from unpkg.com, so it does not
work on hosts without internet access.  :func:`render_graphiql` produces the same
page, but every asset is loaded from ``static_prefix`` -- the files vendored in
``graphsvc/static/graphiql/`` by ``scripts/vendor_graphiql.sh``, by their
content-hashed names (web/assets.py) -- and the page contains no external URL
at all.

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
from pathlib import Path

from graphsvc.web.assets import hashed_assets

__all__ = ["DEFAULT_STATIC_PREFIX", "render_graphiql"]

DEFAULT_STATIC_PREFIX = "/static/graphiql"

# Placeholders are substituted in a single pass (see ``render_graphiql``), so a
# value that happens to contain another placeholder is never re-substituted.
# ``__GRAPHSVC_STATIC__/<file>`` is an asset's URL: the prefix and the file's
# content-hashed name (web/assets.py).
_PLACEHOLDER_RE = re.compile(r"__GRAPHSVC_STATIC__/([A-Za-z0-9._/-]+)|__GRAPHSVC_[A-Z_]+__")

# The page itself, next to this module; its placeholders are filled by ``render_graphiql``.
_TEMPLATE = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")


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
    hashed: bool = True,
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
        hashed: refer to the assets by their content-hashed names
            (``graphiql.min.<hash>.js``, web/assets.py), which graphsvc serves
            as immutable; False: by their plain names.

    The page posts operations to its own URL, so it must be served by GET on
    the GraphQL endpoint itself (e.g. from ``GraphQL.render_graphql_ide``).
    """
    headers_json = json.dumps(headers, indent=2) if headers else None
    prefix = _static_prefix_attr(static_prefix)
    assets = hashed_assets()

    def asset(name: str) -> str:
        return f"{prefix}/{assets.name('graphiql/' + name).removeprefix('graphiql/') if hashed else name}"

    values = {
        "__GRAPHSVC_EXAMPLE_QUERY__": _js_literal(example_query),
        "__GRAPHSVC_DEFAULT_HEADERS__": _js_literal(headers_json),
        "__GRAPHSVC_SIGN_IN__": "true" if sign_in else "false",
    }
    return _PLACEHOLDER_RE.sub(lambda m: asset(m.group(1)) if m.group(1) else values[m.group(0)], _TEMPLATE)
