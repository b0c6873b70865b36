"""What every benchmark shares: the sizes, the bench's Neo4j and its loaded CMDB, `graphsvc serve` in its own
process (with its peak memory), the machine's description and where results go."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncDriver, RoutingControl

from graphsvc.db.connection import Connection, local_server, open_async_driver, resolve_connection
from graphsvc.db.importer import import_document
from graphsvc.db.migrate import apply_migrations
from graphsvc.settings import Settings
from graphsvc.synth import generate_cmdb

__all__ = [
    "RESULTS",
    "SIZES",
    "Server",
    "api_server",
    "bench_database",
    "bench_settings",
    "contract_document",
    "ensure_loaded",
    "machine",
    "measure",
    "summary",
    "write_result",
]

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
RESULTS = Path(__file__).resolve().parent / "results"
OPERATIONS = Path(__file__).resolve().parent.parent / "tests" / "contract" / "operations"


def contract_document(file: str) -> str:
    """A client document of the contract, from the copy the API tests run (tests/contract/operations)."""
    return (OPERATIONS / file).read_text(encoding="utf-8")


@contextlib.asynccontextmanager
async def bench_database() -> AsyncIterator[tuple[Settings, Connection, AsyncDriver]]:
    """The bench's Neo4j, migrated: its settings, connection and driver. On the way out the driver closes and a
    managed server stops, unless GRAPHSVC_BENCH_KEEP_DB is set (make bench keeps it, so the next step reuses the
    loaded CMDB)."""
    settings = bench_settings()
    conn = resolve_connection(settings)
    driver = open_async_driver(conn)
    try:
        await apply_migrations(driver, conn.database)
        yield settings, conn, driver
    finally:
        await driver.close()
        if conn.managed and not os.environ.get("GRAPHSVC_BENCH_KEEP_DB"):
            local_server(settings).stop()


def bench_settings() -> Settings:
    """The bench's managed Neo4j: its own data directory and port, apart from development and tests."""
    return Settings(
        data_dir=Path(os.environ.get("GRAPHSVC_BENCH_DATA_DIR", ".graphsvc-bench")),
        bolt_port=int(os.environ.get("GRAPHSVC_BENCH_BOLT_PORT", "17688")),
    )


async def ensure_loaded(driver: AsyncDriver, db: str, cis: int, seed: int) -> None:
    """The generated CMDB of `cis` CIs (seed `seed`) in the database: reused when the count matches."""
    records, _, _ = await driver.execute_query(
        "MATCH (n:ConfigurationItem) RETURN count(n) AS n", database_=db, routing_=RoutingControl.READ
    )
    if records[0]["n"] == cis:
        print(f"  reusing the loaded {cis:,}-CI CMDB", flush=True)
        return
    print(f"  generating and importing {cis:,} CIs (seed {seed})", flush=True)
    doc = await asyncio.to_thread(generate_cmdb, cis, seed)
    async with driver.session(database=db) as session:
        await (
            await session.run(
                "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS"
            )
        ).consume()
    await import_document(driver, db, doc)


@dataclass(frozen=True)
class Server:
    """A running `graphsvc serve`: where it listens, how long it took to be ready, and its process."""

    url: str
    ready_s: float  # until the graph was in memory (or the server ready, without one)
    pid: int
    exposed_s: float | None = None  # until what impacts expose was in memory too (it loads after the graph)

    def memory_mb(self) -> dict[str, float]:
        """Resident memory now and at its peak (VmHWM), in MiB, from /proc: the process and, with
        GRAPHSVC_WORKERS > 1, its worker processes added up (each peak counted, so the sum is an upper bound)."""
        fields = {"VmRSS": 0.0, "VmHWM": 0.0}
        for pid in (self.pid, *_descendants(self.pid)):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, value = line.partition(":")
                    if key in fields:
                        fields[key] += int(value.split()[0]) / 1024
        return {"rss_mb": fields["VmRSS"], "peak_rss_mb": fields["VmHWM"]}


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


class LeanHttp:
    """A minimal HTTP/1.1 client on one kept-alive connection: a JSON POST, its answer read by Content-Length. It
    costs the client about 0.1 ms a request where httpx costs about 0.8 ms (2 cores, 2026-12-05), so a figure taken
    with it is the server's time (as wrk's are for the browse bench); the benches report httpx's beside it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str) -> AsyncIterator[LeanHttp]:
        address = httpx.URL(url)
        reader, writer = await asyncio.open_connection(address.host, address.port)
        try:
            yield cls(reader, writer, f"{address.host}:{address.port}")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def post_json(self, path: str, payload: Any) -> Any:
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status, *lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        if "content-length" not in headers:
            raise RuntimeError(f"{status}: an answer without Content-Length ({headers}); LeanHttp reads no other")
        answer = await self.reader.readexactly(int(headers["content-length"]))
        if not status.startswith("HTTP/1.1 200"):
            raise RuntimeError(f"{status}: {answer[:300]!r}")
        return json.loads(answer)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def neo4j_env(conn: Connection) -> dict[str, str]:
    """This process's environment with the bench's Neo4j in the variables graphsvc and bench/peer read."""
    return {
        **os.environ,
        "NEO4J_URI": conn.uri,
        "NEO4J_USER": conn.user,
        "NEO4J_PASSWORD": conn.password,
        "NEO4J_DATABASE": conn.database,
    }


@contextlib.contextmanager
def api_server(conn: Connection, *, graph_cache: bool, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`graphsvc serve` as its own process (as clients meet it), on a free port, against the bench's Neo4j, ready
    (with the graph in memory, when that is on). Auth is off (loopback only) unless `env` turns it on."""
    port = free_port()
    full_env = {
        **neo4j_env(conn),
        "GRAPHSVC_GRAPH_CACHE": "true" if graph_cache else "false",
        # loopback only, so allowed; the figures are those of the query path (a token check adds one indexed read)
        "GRAPHSVC_AUTH": "false",
        **(env or {}),
    }
    graphsvc = Path(sys.executable).with_name("graphsvc")
    proc = subprocess.Popen([str(graphsvc), "serve", "--port", str(port)], env=full_env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        deadline = started + 600
        ready_s: float | None = None
        while True:
            try:
                ready = httpx.get(f"{url}/readyz", timeout=2)
                body = ready.json() if ready.status_code == 200 else {}
                graph = body.get("dependencyGraph")
                if graph in ("off", "tooLarge"):
                    if graph == "tooLarge" and graph_cache:
                        print(
                            "  note: the graph is over GRAPHSVC_GRAPH_CACHE_MAX_ITEMS, so this server keeps no copy "
                            "of it (bench/run raises it to 2,000,000 at 1m): its figures are without the graph",
                            flush=True,
                        )
                    break
                if graph == "loaded":
                    ready_s = ready_s or time.monotonic() - started
                    # measured once what impacts expose is in memory too: before, impacts also read it from Neo4j
                    # and its load shares the cores with what is measured
                    if body.get("impactExposure") == "loaded":
                        break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"graphsvc serve did not become ready (graph loaded after {ready_s} s)")
            time.sleep(0.2)
        done_s = time.monotonic() - started
        yield Server(url, ready_s or done_s, proc.pid, done_s if ready_s else None)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, size: str, result: dict[str, Any], settings: Settings, conn: Connection) -> Path:
    """bench/results/<name>-<size>.json, with the machine, the Neo4j and the time added."""
    result = {
        **result,
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return out


async def measure(repeat: int, work: Callable[[], Awaitable[Any]]) -> tuple[dict[str, float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return summary(times), result


def summary(times: list[float]) -> dict[str, float]:
    """Median, 90th percentile and minimum of durations in seconds, in milliseconds."""
    ordered = sorted(times)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000,
        "min_ms": ordered[0] * 1000,
    }
