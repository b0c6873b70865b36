"""The CLI runs its async work with `run_main` (graphsvc/cli/common.py): the work's result comes back as it is,
never formatted on the way (Python 3.11's asyncio.run formats its main task's result when it ends: a large result's
whole `repr`, seconds for an estate diff of a large CMDB)."""

from __future__ import annotations

import pytest

from graphsvc.cli.common import run_main


class _Unformattable:
    formatted = 0

    def __repr__(self) -> str:
        _Unformattable.formatted += 1  # (an error raised here would be swallowed by whoever formats it)
        return "unformattable"


async def _result() -> tuple[int, _Unformattable]:
    return 1, _Unformattable()


async def _failing() -> None:
    raise ValueError("the work's own error")


def test_the_result_comes_back_unformatted() -> None:
    number, result = run_main(_result())
    assert number == 1 and isinstance(result, _Unformattable)
    assert _Unformattable.formatted == 0


def test_the_works_error_comes_back_as_it_is() -> None:
    with pytest.raises(ValueError, match="the work's own error"):
        run_main(_failing())
