"""SharedRead: overlapping callers share reads, and none gets an answer read before it asked."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.util import SharedRead


class Counter:
    """A read whose answer is its own run number, taking `steps` turns of the event loop."""

    def __init__(self, steps: int = 3) -> None:
        self.started = 0
        self.steps = steps
        self.failing: set[int] = set()  # the runs that fail

    async def read(self) -> int:
        run = self.started
        self.started += 1
        for _ in range(self.steps):
            await asyncio.sleep(0)
        if run in self.failing:
            raise RuntimeError(f"run {run} failed")
        return run


async def test_callers_during_a_run_share_the_next_one() -> None:
    counter = Counter()
    shared = SharedRead(counter.read)
    first = asyncio.ensure_future(shared())
    await asyncio.sleep(0)  # the first run is going
    later = [asyncio.ensure_future(shared()) for _ in range(31)]
    assert await first == 0
    assert await asyncio.gather(*later) == [1] * 31  # one more run for all 31, not 31 runs
    assert shared.runs == counter.started == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 5)), min_size=1, max_size=30))
async def test_no_caller_gets_a_run_that_began_before_it_asked(schedule: list[tuple[int, int]]) -> None:
    """`schedule`: each caller waits some turns of the event loop, then asks; runs take `steps` turns."""
    counter = Counter(steps=schedule[0][1])
    shared = SharedRead(counter.read)

    async def caller(delay: int) -> tuple[int, int]:
        for _ in range(delay):
            await asyncio.sleep(0)
        began_before = counter.started  # runs that began before this call
        return began_before, await shared()

    answers = await asyncio.gather(*(caller(delay) for delay, _ in schedule))
    for began_before, run in answers:
        assert run >= began_before
    assert counter.started <= len(schedule)


async def test_a_failed_run_fails_its_callers_and_the_next_call_starts_afresh() -> None:
    counter = Counter()
    counter.failing = {0, 1}
    shared = SharedRead(counter.read)
    first = asyncio.ensure_future(shared())
    await asyncio.sleep(0)
    waiting = [asyncio.ensure_future(shared()) for _ in range(3)]  # all three on run 1
    results = await asyncio.gather(first, *waiting, return_exceptions=True)
    assert [str(r) for r in results] == ["run 0 failed"] + ["run 1 failed"] * 3
    assert await shared() == 2


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    counter = Counter(steps=5)
    shared = SharedRead(counter.read)
    first = asyncio.ensure_future(shared())
    await asyncio.sleep(0)
    leaving, staying = asyncio.ensure_future(shared()), asyncio.ensure_future(shared())
    await asyncio.sleep(0)
    leaving.cancel()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert await staying == 1
    assert counter.started == 2


def test_a_large_graph_is_kept_out_of_collections_and_still_freed() -> None:
    """keep_out_of_collections collects first (garbage is not frozen along), then freezes what is alive; a frozen
    object without cycles is still freed when its last reference goes."""
    import gc
    import weakref

    from graphsvc.util import keep_out_of_collections

    class Box:
        def __init__(self) -> None:
            self.other: Box | None = None

    garbage_a, garbage_b = Box(), Box()
    garbage_a.other, garbage_b.other = garbage_b, garbage_a  # a cycle nothing refers to
    gone = weakref.ref(garbage_a)
    del garbage_a, garbage_b
    kept = Box()
    kept_ref = weakref.ref(kept)
    try:
        keep_out_of_collections()
        assert gone() is None  # collected, not frozen
        assert gc.get_freeze_count() > 0
        del kept
        assert kept_ref() is None  # frozen, yet freed by its reference count
    finally:
        gc.unfreeze()
