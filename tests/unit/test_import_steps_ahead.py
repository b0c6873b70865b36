"""The importer's steps made ahead in a thread (`_Ahead`) and its test of a bulk load's journal positions
(`_Journal`)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.db.importer import Step, _Ahead, _Journal


def _steps(n: int, made_in: list[str] | None = None) -> Iterator[Step]:
    for i in range(n):
        if made_in is not None:
            made_in.append(threading.current_thread().name)
        yield "import/create_nodes", None, {"rows": [i]}


async def _all(ahead: _Ahead) -> list[int]:
    return [params["rows"][0] async for _name, _arg, params in ahead]


@pytest.mark.parametrize("depth", [1, 2, 4, 50])
async def test_every_step_in_order_made_in_a_thread(depth: int) -> None:
    made_in: list[str] = []
    ahead = _Ahead(_steps(20, made_in), depth=depth)
    try:
        assert await _all(ahead) == list(range(20))
        assert await _all(ahead) == []  # the end stays the end
    finally:
        ahead.close()
    assert made_in and all(name.startswith("import-steps") for name in made_in)


async def test_writers_sharing_one_take_each_step_once() -> None:
    ahead = _Ahead(_steps(100))
    taken: list[list[int]] = [[], [], []]

    async def writer(mine: list[int]) -> None:
        async for _name, _arg, params in ahead:
            mine.append(params["rows"][0])
            await asyncio.sleep(0)  # let the others take turns

    try:
        await asyncio.gather(*(writer(mine) for mine in taken))
    finally:
        ahead.close()
    assert sorted(step for mine in taken for step in mine) == list(range(100))
    assert sum(1 for mine in taken if mine) >= 2


async def test_an_error_making_a_step_reaches_the_writer() -> None:
    def failing() -> Iterator[Step]:
        yield "import/create_nodes", None, {"rows": [0]}
        raise ValueError("no such kind")

    ahead = _Ahead(failing())
    try:
        first = await anext(ahead)
        assert first[2] == {"rows": [0]}
        with pytest.raises(ValueError, match="no such kind"):
            await anext(ahead)
    finally:
        ahead.close()


async def test_closed_it_makes_no_more() -> None:
    release = threading.Event()
    made: list[int] = []

    def held() -> Iterator[Step]:
        for i in range(1000):
            made.append(i)
            if i == 1:
                release.wait(5)  # the second step is being made when it closes
            yield "import/create_nodes", None, {"rows": [i]}

    ahead = _Ahead(held(), depth=3)
    await anext(ahead)
    ahead.close()
    release.set()
    await asyncio.sleep(0.2)
    # the one being made (if the thread had begun it) is finished; nothing after it is started, where without the
    # close the thread would go on to make up to three steps ahead of the one taken
    assert made in ([0], [0, 1])


@given(start=st.integers(0, 50), writers=st.lists(st.booleans(), max_size=30))
def test_a_bulk_load_is_alone_until_another_write_takes_a_position(start: int, writers: list[bool]) -> None:
    """Writes take positions start + 1, start + 2, ... in turn, each the load's own (True) or another's; the load is
    alone at a position exactly when no other write took one before it."""
    journal = _Journal(start)
    for n, own in enumerate(writers):
        position = start + 1 + n
        assert journal.alone_until(position) == all(writers[:n])
        if own:
            journal.ours.add(position)
    assert journal.alone_until(start + 1 + len(writers)) == all(writers)
