"""`graphsvc serve` run as a user runs it, in a process of its own, for the tests that need the real command."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from graphsvc.db.connection import Connection
from tests.conftest import REPO
from tests.integration.test_cli import env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve_process(conn: Connection, log_file: Path, *args: str, **environ: str) -> Iterator[str]:
    """`graphsvc serve --port P ARGS` with its output in `log_file`; yields its base URL once /healthz answers."""
    port = free_port()
    graphsvc = Path(sys.executable).with_name("graphsvc")
    with log_file.open("w") as log:
        proc = subprocess.Popen(
            [str(graphsvc), "serve", "--port", str(port), *args],
            env={**os.environ, **env(conn), **environ},
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, log_file.read_text()
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
