"""The server silences the warnings of a cancelled request's un-awaited graphql-core coroutines, and only those."""

from __future__ import annotations

import gc
import tomllib
import warnings
from pathlib import Path
from typing import Any

from graphsvc.web.app import ABANDONED_EXECUTION, quiet_abandoned_execution


class Executor:  # named as graphql-core's, whose coroutines a cancelled request leaves
    async def complete_awaitable_value(self) -> None:
        return None

    def execute_fields(self) -> Any:
        async def get_results() -> None:
            return None

        return get_results()


class GraphQLCoreConverter:  # strawberry's wrapper of each async resolver
    def from_resolver(self) -> Any:
        async def _async_resolver() -> None:
            return None

        return _async_resolver()


class Mine:
    async def work(self) -> None:
        return None


def _warned_of(make: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_abandoned_execution()
        coroutine = make()
        del coroutine  # never awaited
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_cancelled_executions_coroutines_are_not_warned_of() -> None:
    assert _warned_of(lambda: Executor().complete_awaitable_value()) == []
    assert _warned_of(lambda: Executor().execute_fields()) == []
    assert _warned_of(lambda: GraphQLCoreConverter().from_resolver()) == []


def test_any_other_coroutine_never_awaited_still_is() -> None:
    assert _warned_of(lambda: Mine().work()) == ["coroutine 'Mine.work' was never awaited"]


def test_the_tests_silence_the_same_and_nothing_more() -> None:
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    filters = config["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert filters == ["error", f"ignore:{ABANDONED_EXECUTION}:RuntimeWarning"]
