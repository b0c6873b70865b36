"""The static assets (GraphiQL's scripts and styles) under content-hashed names, kept by browsers for a year.

A page refers to `/static/graphiql/graphiql.min.<hash>.js`, where `<hash>` is the start of the file's SHA-256,
computed once when the process starts. That name is served with `Cache-Control: public, max-age=31536000,
immutable`: a browser never asks for it again, and a new release of the file has a new name, so no browser keeps an
old script next to a new page (the page itself is sent `no-cache`, graphql_view.py). A name with another hash is
404: the file it promised is not there. The plain names (`graphiql.min.js`) are still served, revalidated as before.

A hashed file is compressed once per coding (brotli, gzip: web/compression.py), at the first request that wants it,
and kept so: every browser's first visit after a release would otherwise compress GraphiQL's 3.5 MB script again.

The hash is in the path rather than in a query string (`?v=<hash>`): every cache keys on the path, while some
proxies drop or ignore query strings; and an old page asking for a file that has changed gets a 404 rather than the
new file kept for a year under a name that promised the old one.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from pathlib import Path

from anyio import to_thread
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from graphsvc.web.compression import accepted_encodings, chosen_encoding, compressed

__all__ = ["IMMUTABLE", "STATIC_DIR", "HashedAssets", "StaticAssets", "hashed_assets"]

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
MINIMUM_SIZE = 1024  # smaller files are sent as they are (web/compression.py's threshold)
HASH_CHARS = 12  # 48 bits of SHA-256: names one file's versions apart, the only thing it must do


class HashedAssets:
    """The content-hashed name of every file under `directory` (read once, here)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hashed: dict[str, str] = {}  # plain name ("graphiql/graphiql.min.js") -> hashed name
        self.plain: dict[str, str] = {}  # hashed name -> plain name
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = file.relative_to(directory).as_posix()
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:HASH_CHARS]
            stem, dot, extension = name.rpartition(".")
            hashed = f"{stem}.{digest}.{extension}" if dot and "/" not in extension else f"{name}.{digest}"
            self.hashed[name] = hashed
            self.plain[hashed] = name

    def name(self, plain: str) -> str:
        """The hashed name of `plain` (a path under the directory); KeyError if there is no such file."""
        return self.hashed[plain]


@functools.cache
def hashed_assets() -> HashedAssets:
    """graphsvc's own static files, hashed once per process."""
    return HashedAssets(STATIC_DIR)


class StaticAssets(StaticFiles):
    """StaticFiles over graphsvc/static that also answers the hashed names, with the immutable header."""

    def __init__(self, assets: HashedAssets | None = None) -> None:
        self.assets = assets or hashed_assets()
        super().__init__(directory=self.assets.directory)
        self._compressed: dict[tuple[str, str], bytes] = {}  # (plain name, coding) -> the file compressed

    async def get_response(self, path: str, scope: Scope) -> Response:
        plain = self.assets.plain.get(posixpath.normpath(path.replace("\\", "/")))
        if plain is None:
            return await super().get_response(path, scope)  # a plain name, or no file: 404
        response = await super().get_response(plain, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = IMMUTABLE
        encoding = chosen_encoding(accepted_encodings(scope))
        media = response.headers.get("content-type", "")
        small = int(response.headers.get("content-length", "0")) < MINIMUM_SIZE
        if response.status_code != 200 or scope["method"] != "GET" or encoding is None or small:
            return response
        if not media.startswith(("text/", "application/javascript", "application/json", "image/svg")):
            return response
        key = (plain, encoding)
        body = self._compressed.get(key)
        if body is None:
            data = (self.assets.directory / plain).read_bytes()
            body = self._compressed[key] = await to_thread.run_sync(compressed, data, encoding)
        headers = {
            "content-type": media,
            "content-encoding": encoding,
            "vary": "Accept-Encoding",
            "cache-control": IMMUTABLE,
        }
        if "last-modified" in response.headers:
            headers["last-modified"] = response.headers["last-modified"]
        return Response(body, headers=headers)
