"""/explore: the interactive dependency and blast-radius explorer (docs/explore.md).

The page is a shell: its script (graphsvc/static/explore/explore.js, drawing with the vendored Cytoscape.js and
dagre, scripts/vendor_explore.sh) reads everything through the GraphQL API with the browser's session, as any other
client would. The page itself holds no CMDB data, so it is public like the GraphiQL page: a person signs in on it.
Its assets are referred to by their content-hashed names (web/assets.py) and it has no inline script, so the
HTML pages' Content-Security-Policy (web/headers.py) needs no exception for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from graphsvc.web.assets import hashed_assets

__all__ = ["EXPLORE_PATH", "explore_routes", "render_explore"]

EXPLORE_PATH = "/explore"
_TEMPLATE = (Path(__file__).parent / "explore.html").read_text(encoding="utf-8")
_ASSET = re.compile(r"__GRAPHSVC_STATIC__/([A-Za-z0-9._/-]+)")


def render_explore() -> str:
    """The page's HTML, its assets by their hashed names under /static/explore/."""
    assets = hashed_assets()
    return _ASSET.sub(lambda m: "/static/" + assets.name("explore/" + m.group(1)), _TEMPLATE)


def explore_routes() -> list[Route]:
    page = render_explore()  # a missing asset fails here, at start, not at the first visit

    async def explore(request: Request) -> Response:
        # no-cache: the page names this release's assets; a browser must not keep one that names the last's
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    return [Route(EXPLORE_PATH, explore, methods=["GET", "HEAD"])]
