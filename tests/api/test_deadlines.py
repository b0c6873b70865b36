"""A request cannot hold the service (hardening, point 2): a query past its deadline is stopped with
DEADLINE_EXCEEDED, a client that gives up takes its work (and its slot) with it, and an analysis runs off the event
loop, so a browse answer arrives while an estate-wide analysis is still computing.

The analysis is made slow on purpose here, by wrapping the real one: over the small test estate it would finish
before anything could be observed."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graphsvc.analysis.impact import ReachTooLarge
from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.usecases import impact as impact_usecase
from graphsvc.web.app import create_app
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

DOC = {
    "format": "graphsvc-cmdb/1",
    "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE"}],
    "services": [{"id": "SVC-1", "name": "shop", "tier": "BUSINESS", "criticality": 1}],
    "dependencies": [{"from": "SVC-1", "to": "CI-1"}],
}
IMPACT = '{ impact(origin: ["CI-1"]) { services { id status } } }'
BROWSE = "{ services(first: 10) { nodes { id name } } }"


class SlowAnalysis:
    """compute_impact, holding its thread for `seconds` first: busy (holding the GIL as Python code does) or asleep;
    too large for the event loop (usecases/impact.py computes a small impact there first)."""

    def __init__(self, real: Callable[..., Any], seconds: float, *, busy: bool) -> None:
        self.real, self.seconds, self.busy = real, seconds, busy
        self.started, self.finished = threading.Event(), threading.Event()
        self.on_loop: list[bool] = []

    def __call__(self, *args: Any, most: int | None = None) -> Any:
        import asyncio

        if most is not None:  # the first, bounded try on the event loop: this one is as large as a hub's
            raise ReachTooLarge("a slow analysis, held in its thread by the test")
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)
        self.started.set()
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            if self.busy:
                sum(range(2000))
            else:
                time.sleep(0.05)
        self.finished.set()
        return self.real(*args)


@contextlib.contextmanager
def serve(conn: Connection, sync_driver: Driver, **settings: Any) -> Iterator[tuple[str, dict[str, str]]]:
    token = make_token(sync_driver, conn.database, "admin")
    with serve_asgi(create_app(Settings(**settings), connection=conn)) as url:
        done = httpx.post(
            f"{url}/graphql",
            json={"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": DOC}},
            headers=bearer(token),
            timeout=60,
        )
        assert done.json() == {"data": {"importCmdb": {"created": 2}}}
        yield url, bearer(token)


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Callable[..., SlowAnalysis]:
    def make(seconds: float, *, busy: bool) -> SlowAnalysis:
        wrapper = SlowAnalysis(impact_usecase.compute_impact, seconds, busy=busy)
        monkeypatch.setattr(impact_usecase, "compute_impact", wrapper)
        return wrapper

    return make


def test_a_query_past_its_deadline_is_stopped(
    empty_db: Connection, sync_driver: Driver, slow: Callable[..., SlowAnalysis]
) -> None:
    # 3 s: the browse asked after it must not run past it on a loaded machine (the graph loads after the import)
    with serve(empty_db, sync_driver, request_deadline_seconds=3) as (url, auth):
        analysis = slow(8, busy=False)
        answer = httpx.post(f"{url}/graphql", json={"query": IMPACT}, headers=auth, timeout=60).json()
        assert answer["data"] is None
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "DEADLINE_EXCEEDED"
        assert "ran past its 3 s deadline" in error["message"]
        assert not analysis.finished.is_set()  # answered before the analysis was done: it was not waited for
        browse = httpx.post(f"{url}/graphql", json={"query": BROWSE}, headers=auth, timeout=60).json()
        assert browse == {"data": {"services": {"nodes": [{"id": "SVC-1", "name": "shop"}]}}}


def test_a_client_that_gives_up_frees_its_slot(
    empty_db: Connection, sync_driver: Driver, slow: Callable[..., SlowAnalysis]
) -> None:
    # One request at a time: a second is turned away (503) while the first is still being served.
    with serve(empty_db, sync_driver, max_concurrent_requests=1) as (url, auth):
        analysis = slow(8, busy=False)
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/graphql", json={"query": IMPACT}, headers=auth, timeout=httpx.Timeout(60, read=1.5))
        assert analysis.started.is_set() and not analysis.finished.is_set()
        for _ in range(100):  # the server notices the disconnect within a moment; until then the slot is busy
            browse = httpx.post(f"{url}/graphql", json={"query": BROWSE}, headers=auth, timeout=60)
            if browse.status_code != 503:
                break
            time.sleep(0.05)
        assert browse.json() == {"data": {"services": {"nodes": [{"id": "SVC-1", "name": "shop"}]}}}
        assert not analysis.finished.is_set()  # the slot was freed by stopping the request, not by its end


def test_a_browse_answer_arrives_while_an_analysis_computes(
    empty_db: Connection, sync_driver: Driver, slow: Callable[..., SlowAnalysis]
) -> None:
    with serve(empty_db, sync_driver) as (url, auth):
        analysis = slow(6, busy=True)
        answers: dict[str, Any] = {}

        def ask_impact() -> None:
            answers["impact"] = httpx.post(f"{url}/graphql", json={"query": IMPACT}, headers=auth, timeout=60).json()

        worker = threading.Thread(target=ask_impact)
        worker.start()
        assert analysis.started.wait(30)
        browse = httpx.post(f"{url}/graphql", json={"query": BROWSE}, headers=auth, timeout=60).json()
        healthy = httpx.get(f"{url}/healthz", timeout=60).status_code
        browsed_before_the_analysis_ended = not analysis.finished.is_set()
        worker.join(60)
        assert browse == {"data": {"services": {"nodes": [{"id": "SVC-1", "name": "shop"}]}}}
        assert healthy == 200
        assert browsed_before_the_analysis_ended
        assert analysis.on_loop == [False]  # computed in a worker thread
        assert answers["impact"] == {"data": {"impact": {"services": [{"id": "SVC-1", "status": "DOWN"}]}}}
