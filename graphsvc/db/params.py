"""Statement parameters that hold many rows.

The driver writes every statement it sends into a debug line, and makes that line whether or not debug logging is on
(neo4j 5.28, `AsyncBolt5x5.run`: `" ".join(map(repr, (query, parameters, extra)))` is an argument of `log.debug`).
For a batch of 5,000 rows that is the repr of every row: a 100k import made 113 MB of such text, 1.45 s of its
Python, for lines nobody logs (docs/benchmarks.md, Import). A `Batch` is a list written in that line as its length;
the driver packs it as the list it is (a list subclass packs as a list). db/instrument.py, which sees every statement
the process runs, passes each plain list parameter as one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Batch"]


class Batch(list[Any]):
    """The rows (or ids) of one statement: a plain list, written in repr as `<Batch of N>`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<Batch of {len(self)}>"
