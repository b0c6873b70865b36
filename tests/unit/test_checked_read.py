"""CheckedRead (usecases/freshness.py): the last answer again while nothing moved and it is young, else a read."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.db import movement
from graphsvc.usecases.freshness import CheckedRead


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting() -> tuple[list[int], CheckedRead[int], Clock]:
    reads: list[int] = []

    async def read() -> int:
        reads.append(len(reads))
        return len(reads)

    clock = Clock()
    return reads, CheckedRead(read, 5.0, clock=clock), clock


def test_answers_again_without_reading_while_nothing_moved() -> None:
    reads, check, clock = counting()

    async def run() -> list[int]:
        answers = [await check()]
        clock.now += 4.9
        answers.append(await check())
        return answers

    assert asyncio.run(run()) == [1, 1] and len(reads) == 1


def test_reads_again_once_the_database_may_have_moved() -> None:
    reads, check, _ = counting()

    async def run() -> list[int]:
        first = await check()
        movement.moved()  # what a closing session does when it brings a new bookmark, or another process's write
        return [first, await check(), await check()]

    assert asyncio.run(run()) == [1, 2, 2] and len(reads) == 2


def test_reads_again_when_the_last_look_is_older_than_its_seconds() -> None:
    reads, check, clock = counting()

    async def run() -> list[int]:
        first = await check()
        clock.now += 5.0
        return [first, await check()]

    assert asyncio.run(run()) == [1, 2] and len(reads) == 2


def test_a_move_during_the_read_is_not_hidden_by_it() -> None:
    """The stamp is taken before the read: a move seen while it runs makes the next call read again."""
    reads: list[int] = []

    async def read() -> int:
        reads.append(1)
        if len(reads) == 1:
            movement.moved()  # a write committed while the fingerprint was being read
        return len(reads)

    check = CheckedRead(read, 3600.0, clock=Clock())

    async def run() -> list[int]:
        return [await check(), await check(), await check()]

    assert asyncio.run(run()) == [1, 2, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["call", "move", "tick", "forget"]), max_size=30), st.sampled_from([0.0, 1.0, 10.0]))
def test_never_answers_from_before_a_move(steps: list[str], seconds: float) -> None:
    """Whatever the order of calls, moves and time: an answer is never older than the last move before the call,
    and with seconds=0 every call reads."""
    reads: list[float] = []  # the time of each read
    clock = Clock()

    async def read() -> int:
        reads.append(clock.now)
        return len(reads)

    check = CheckedRead(read, seconds, clock=clock)

    async def run() -> None:
        last_move = -1.0
        calls = 0
        for step in steps:
            if step == "move":
                movement.moved()
                last_move = clock.now
                clock.now += 0.5
            elif step == "tick":
                clock.now += 0.7
            elif step == "forget":
                check.forget()
            else:
                calls += 1
                answer = await check()
                read_at = reads[answer - 1]
                assert read_at >= last_move
                assert clock.now - read_at < seconds or read_at == clock.now
        if seconds == 0:
            assert len(reads) == calls

    asyncio.run(run())
