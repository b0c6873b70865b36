"""Pausing Python's cyclic garbage collector around bulk work on large acyclic data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cyclic_gc_paused"]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and back on afterwards if it was on.

    For work that builds millions of small dicts and lists holding no reference cycles (generated documents,
    imports): reference counting frees all of it anyway, and the collector's full passes only rescan the live
    objects again and again. Cycles made elsewhere in the process meanwhile are collected once it is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
