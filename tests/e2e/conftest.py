"""Shared helpers for browser (end-to-end) tests.

* :func:`find_chromium` / :data:`CHROMIUM_ARGS` -- the system Chromium
  (Debian package ``chromium``) driven by Playwright; no Playwright-managed
  browser download is needed.
* ``browser`` fixture -- a session-wide headless Chromium; tests are skipped
  with "Chromium not installed: apt-get install chromium" when it is missing.
* :func:`serve_asgi` (also as the ``serve_app`` fixture) -- run any ASGI app
  with uvicorn in a background thread on 127.0.0.1 and a free port, yielding
  its base URL.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from starlette.types import ASGIApp

    from graphsvc.db.connection import Connection

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

# Make ``import graphsvc`` work when pytest is started as ``.venv/bin/pytest``
# (graphsvc is not installed into the venv).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

CHROMIUM_MISSING_REASON = "Chromium not installed: apt-get install chromium"

CHROMIUM_ARGS: list[str] = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """Return the path of the system Chromium, or None if it is not installed.

    ``$CHROMIUM_PATH`` overrides the lookup.
    """
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override if os.access(override, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("GRAPHSVC_REQUIRE_BROWSER") == "1":  # CI: the browser tests must run
            pytest.fail(f"{CHROMIUM_MISSING_REASON} (GRAPHSVC_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(CHROMIUM_MISSING_REASON)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    """A headless system Chromium for one test module.

    Module-scoped: Playwright's sync API runs an event loop in this thread while it is open, which would stop
    later tests (and the CLI) from using asyncio.run.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serve_asgi(app: ASGIApp, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yield its base URL.

    The listening socket is bound before uvicorn starts (port 0 on 127.0.0.1),
    so there is no race for the free port.  On exit the server is stopped via
    ``should_exit`` and the thread joined, which shuts down without warnings.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="auto",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-e2e", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn exited during startup")
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start within {startup_timeout}s")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn thread did not stop")


@pytest.fixture(scope="session")
def serve_app() -> Callable[[ASGIApp], AbstractContextManager[str]]:
    """:func:`serve_asgi` as a fixture, for test modules (no conftest import)::

    @pytest.fixture(scope="module")
    def base_url(serve_app):
        with serve_app(make_app()) as url:
            yield url
    """
    return serve_asgi


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``<repo>/test-artifacts`` (git-ignored), created on demand."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="module")
def demo_url(migrated: Connection, sync_driver: object) -> Iterator[str]:
    """The real app over the demo CMDB as `graphsvc seed demo` loads it, once per module (for tests that only read).

    Auth is off (allowed: the server binds to loopback), so pages open without signing in; the sign-in itself is
    tested in test_auth_browser.py.
    """
    import httpx

    from graphsvc.settings import Settings
    from graphsvc.synth.demo import demo_document
    from graphsvc.web.app import create_app
    from tests.conftest import wipe

    wipe(sync_driver, migrated.database)  # type: ignore[arg-type]
    with serve_asgi(create_app(Settings(auth=False, introspection=True), connection=migrated)) as url:
        body = {
            "query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
            "variables": {"d": demo_document()},  # as `graphsvc seed demo` loads it: its readings end now
        }
        assert httpx.post(f"{url}/graphql", json=body, timeout=120).json()["data"]["importCmdb"]["created"] > 500
        yield url
