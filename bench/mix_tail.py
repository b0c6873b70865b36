"""Where the browse mix's tail comes from: the contract's browse mix (load_bench.request_bodies: every CI type's first
pages, service details and searches) sent by N clients on kept-alive connections (bench.common.LeanHttp) to
`graphsvc serve` with kept answers off, as browse_bench's mix; each answer's time is kept with what was asked, and
the operations are listed slowest first with how many of their answers were over the whole mix's p95.

It found the search answering 21 records (a wait on the event loop each) as the mix's worst tail (2026-12-05).

    python bench/mix_tail.py [--size 100k] [--clients 32] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from bench.browse_bench import GRAPHSVC_ENV
from bench.common import SIZES, LeanHttp, api_server, bench_database, ensure_loaded
from bench.load_bench import request_bodies


def _what(body: dict[str, object]) -> str:
    """The operation, and for a page its CI type and whether it is a first page."""
    name = str(body["operationName"])
    variables = body.get("variables") or {}
    assert isinstance(variables, dict)
    if name != "BrowseConfigurationItems":
        return name
    return f"{name} {variables.get('type')} {'first' if not variables.get('after') else 'later'} page"


def _at(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    async with bench_database() as (_, conn, driver):
        await ensure_loaded(driver, conn.database, SIZES[args.size], 1)
        with api_server(conn, graph_cache=True, env=GRAPHSVC_ENV) as server:
            bodies = [json.loads(b) for b in (await request_bodies(server.url, "", driver, conn.database, 1))["browse"]]
            times: list[tuple[float, str]] = []
            stop = time.monotonic() + args.seconds

            async def client(k: int) -> None:
                async with LeanHttp.connect(server.url) as http:
                    i = k * 7  # each client starts elsewhere in the mix
                    while time.monotonic() < stop:
                        body = bodies[i % len(bodies)]
                        i += 1
                        began = time.perf_counter()
                        await http.post_json("/graphql", body)
                        times.append(((time.perf_counter() - began) * 1000, _what(body)))

            began = time.monotonic()
            await asyncio.gather(*(client(k) for k in range(args.clients)))
            took = time.monotonic() - began
    ordered = sorted(ms for ms, _ in times)
    p95 = _at(ordered, 0.95)
    p50, p99 = _at(ordered, 0.5), _at(ordered, 0.99)
    print(f"{len(times) / took:.1f} answers/s; p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    by: dict[str, list[float]] = {}
    for ms, what in times:
        by.setdefault(what, []).append(ms)
    for what, spans in sorted(by.items(), key=lambda kv: -statistics.median(kv[1]))[:20]:
        spans.sort()
        over = sum(1 for ms in spans if ms >= p95)
        print(f"  {what:55s} {len(spans):5d} answers, median {statistics.median(spans):5.0f} ms, over p95: {over}")


if __name__ == "__main__":
    asyncio.run(main())
