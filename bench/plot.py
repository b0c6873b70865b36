"""The benchmarks' figures against CMDB size, as one PNG: docs/benchmarks-latency.png.

Reads whatever bench/results/*-<size>.json hold (10k, 100k, 1m) and draws, on log-log axes, the time of each
question through GraphQL next to its baseline (dashed) measured in the same run. A size a benchmark has not run at
is left out of its line.

    python bench/plot.py [--out docs/benchmarks-latency.png]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: a file
import matplotlib.pyplot as plt

from bench.common import RESULTS, SIZES

DOCS = Path(__file__).resolve().parent.parent / "docs"

# (label, benchmark, seconds from its JSON, line style): GraphQL solid, the baseline of the same run dashed
Series = tuple[str, str, Callable[[dict[str, Any]], float | None], str]
SERIES: list[Series] = [
    ("impact, typical CI: GraphQL", "impact", lambda r: r["cases"]["typical"]["graphql"]["median_ms"] / 1000, "C0-o"),
    (
        "impact, typical CI: raw Cypher",
        "impact",
        lambda r: r["cases"]["typical"]["raw_cypher"]["median_ms"] / 1000,
        "C0--",
    ),
    (
        "impact, hub CI (first page): GraphQL",
        "impact",
        lambda r: r["cases"]["hub"]["graphql"]["median_ms"] / 1000,
        "C1-o",
    ),
    ("impact, hub CI: raw Cypher", "impact", lambda r: r["cases"]["hub"]["raw_cypher"]["median_ms"] / 1000, "C1--"),
    (
        "cost allocation after a write: GraphQL",
        "cost",
        lambda r: r["cost"].get("graphql_after_a_write", {}).get("median_s"),
        "C2-o",
    ),
    (
        "cost allocation, remembered: GraphQL",
        "cost",
        lambda r: r["cost"]["graphql"]["median_s"] if "graphql_after_a_write" in r["cost"] else None,
        "C2:s",
    ),
    ("cost allocation: networkx compute", "cost", lambda r: r["cost"]["networkx_compute"]["median_s"], "C2--"),
    (
        "continuity of the most connected service: GraphQL",
        "continuity",
        lambda r: r["continuity"]["graphql_seconds"],
        "C3-o",
    ),
    # Runs before the response cache had no kept answers: their "levels" were read afresh.
    (
        "browse p95 under 32 clients, kept answers",
        "load",
        lambda r: _level(r, 32, "browse", "p95_ms") if "levels_without_response_cache" in r else None,
        "C4-o",
    ),
    (
        "browse p95 under 32 clients, read afresh",
        "load",
        lambda r: _level(
            r,
            32,
            "browse",
            "p95_ms",
            "levels_without_response_cache" if r.get("levels_without_response_cache") else "levels",
        ),
        "C4o--",
    ),
    ("impact p95 under 32 clients", "load", lambda r: _level(r, 32, "impact", "p95_ms"), "C5-o"),
    (
        "fresh browse page, one client: GraphQL (compiled)",
        "browse",
        lambda r: r["sides"]["graphsvc"]["one_client"]["median_ms"] / 1000,
        "C6-o",
    ),
    (
        "fresh browse page: hand-written Cypher",
        "browse",
        lambda r: r["sides"]["raw_cypher"]["one_client"]["median_ms"] / 1000,
        "C6--",
    ),
    (
        "fresh browse page: @neo4j/graphql",
        "browse",
        lambda r: r["sides"]["peer"]["one_client"]["median_ms"] / 1000,
        "C7:^",
    ),
]


def _level(result: dict[str, Any], clients: int, kind: str, field: str, levels: str = "levels") -> float | None:
    for level in result.get(levels, []):
        if level["clients"] == clients:
            return float(level[kind][field]) / 1000
    return None


def points(benchmark: str, value: Callable[[dict[str, Any]], float | None]) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for size, cis in sorted(SIZES.items(), key=lambda s: s[1]):
        path = RESULTS / f"{benchmark}-{size}.json"
        if not path.exists():
            continue
        try:
            y = value(json.loads(path.read_text()))
        except (KeyError, TypeError):
            y = None  # an older result without this figure
        if y is not None:
            xs.append(cis)
            ys.append(y)
    return xs, ys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DOCS / "benchmarks-latency.png")
    args = parser.parse_args()
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=110)
    drawn = 0
    for label, benchmark, value, style in SERIES:
        xs, ys = points(benchmark, value)
        if xs:
            ax.plot(xs, ys, style, label=label, linewidth=1.6, markersize=5)
            drawn += 1
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(SIZES.values()), [s.upper() for s in SIZES])
    ax.set_xlabel("configuration items in the CMDB")
    ax.set_ylabel("seconds (median; p95 where marked)")
    ax.axhline(0.1, color="grey", linewidth=0.8, linestyle=":")
    ax.text(SIZES["1m"], 0.105, "100 ms: browse p95 goal", color="grey", fontsize=8, ha="right")
    ax.axhline(5, color="grey", linewidth=0.8, linestyle=":")
    ax.text(SIZES["1m"], 5.3, "5 s: cost allocation goal at 100k", color="grey", fontsize=8, ha="right")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title("Time per question against CMDB size\n(solid: through GraphQL; dashed: baseline of the same run)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    args.out.parent.mkdir(exist_ok=True)
    fig.savefig(args.out, bbox_inches="tight")
    print(f"wrote {args.out} ({drawn} series)")


if __name__ == "__main__":
    main()
