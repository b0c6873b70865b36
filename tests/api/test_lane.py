"""The direct lane (graphql/lane.py) over a real Neo4j: a document of compiled root fields asked again is answered by
its lane, with exactly the response the general path gives, and what the general path checks for each request (the
role, the cost with these variables, the variables' types) is still checked.

The pair of servers of tests/api/conftest.py (compiled reads and lanes on; both off) reads the demo CMDB; every
document is asked of both and the whole responses compared. `lane.STATS` shows which way a request went, so a test of
the lane cannot pass on the general path alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import parse

from graphsvc.db.items import ItemRepository
from graphsvc.graphql import compiled, lane
from graphsvc.graphql.query_cost import document_cost
from graphsvc.graphql.schema import build_schema
from graphsvc.settings import Settings
from graphsvc.telemetry import metrics
from graphsvc.web.app import create_app
from graphsvc.web.graphql_view import MAX_KEPT_BODY, GraphQLApp
from tests.api.conftest import LIST_CAP, GraphQLClient, bearer, first_ids, operation, same
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

Pair = tuple[GraphQLClient, GraphQLClient]
IMPACT = operation("impact.graphql", "Impact")
BROWSE = operation("browse.graphql", "BrowseConfigurationItems")
PAGE = "query Page($first: Int) { configurationItems(first: $first) { totalCount nodes { id name } } }"


def laned(pair: Pair, query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> Any:
    """`same`, with how many requests the lane answered and how many it left to the general path."""
    before = (lane.STATS.answered, lane.STATS.left)
    answer = same(pair, query, variables, name)
    return answer, lane.STATS.answered - before[0], lane.STATS.left - before[1]


def test_the_contract_impact_document_asked_again_takes_the_lane(pair: Pair) -> None:
    origins = first_ids(pair, "services") + first_ids(pair, "configurationItems")
    answered = reached = 0
    for origin in origins:
        answer, by_lane, left = laned(pair, IMPACT, {"origin": [origin]}, "Impact")
        assert "errors" not in answer, answer
        reached += len(answer["data"]["impact"]["impacted"]) > 1  # a RETIRED item impacts nothing
        assert left == 0
        answered += by_lane
    assert reached > len(origins) // 2
    assert answered >= len(origins) - 1  # the first request of the text may be the one that made its lane


def test_the_contract_browse_pages_take_the_lane(pair: Pair) -> None:
    """Every page of every CI type: the same answer; pages with a list over the cap are not exact from the plan and
    go the general way, and the rest by the lane until it is dropped."""
    answered = 0
    for ci_type in [None, "APPLICATION", "DATABASE", "SERVER"]:
        after = None
        while True:
            variables = {"type": ci_type, "after": after} if ci_type else {"after": after}
            answer, by_lane, _ = laned(pair, BROWSE, variables, "BrowseConfigurationItems")
            answered += by_lane
            page = (answer.get("data") or {}).get("configurationItems")
            if not page or not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert answered >= 1


def test_a_post_asked_again_is_answered_before_strawberrys_view(pair: Pair) -> None:
    """A JSON POST with a lane is answered by the view's lane (web/graphql_view.py `_laned`), whole and exactly as
    the general path answers it, in the media type the client prefers."""
    origin = first_ids(pair, "configurationItems")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    before = lane.STATS.by_view
    answer, by_lane, left = laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    assert (by_lane, left) == (1, 0) and lane.STATS.by_view == before + 1
    assert answer["data"]["impact"]["impacted"]
    body = {"query": IMPACT, "variables": {"origin": [origin]}, "operationName": "Impact"}
    spec = {"accept": "application/graphql-response+json"}
    answers = [client.http.post("/graphql", json=body, headers=spec) for client in pair]
    assert lane.STATS.by_view == before + 2  # the compiled server's, by the view's lane again
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].headers["content-type"] == answers[1].headers["content-type"]
    assert answers[0].headers["content-type"].startswith("application/graphql-response+json")
    assert answers[0].json() == answers[1].json() == answer


def test_a_long_body_is_parsed_once(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body longer than any kept answer's key is not parsed before strawberry's view (an import's document, say):
    the view parses it once, and a document with a lane still takes it, inside the view."""
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    parsed: list[int] = []
    decode = GraphQLApp.decode_json

    def counting(self: GraphQLApp, data: str | bytes) -> object:
        parsed.append(len(data))
        return decode(self, data)

    monkeypatch.setattr(GraphQLApp, "decode_json", counting)
    padded = IMPACT + "\n# " + "x" * MAX_KEPT_BODY
    before, by_view = lane.STATS.answered, lane.STATS.by_view
    for _ in range(2):
        answer = pair[0].post(padded, {"origin": [origin]}, "Impact")
        assert "errors" not in answer
    assert len(parsed) == 2 and min(parsed) > MAX_KEPT_BODY  # once a request
    assert (lane.STATS.answered, lane.STATS.by_view) == (before + 1, by_view)  # the second, by the schema's lane
    parsed.clear()
    pair[0].post(IMPACT, {"origin": [origin]}, "Impact")
    assert len(parsed) == 1 and lane.STATS.by_view == by_view + 1


def test_a_get_takes_the_schemas_lane_not_the_views(pair: Pair) -> None:
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    before, answered = lane.STATS.by_view, lane.STATS.answered
    params = {"query": IMPACT, "variables": json.dumps({"origin": [origin]}), "operationName": "Impact"}
    answers = [client.http.get("/graphql", params=params) for client in pair]
    assert answers[0].json() == answers[1].json() and "errors" not in answers[0].json()
    assert (lane.STATS.answered, lane.STATS.by_view) == (answered + 1, before)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"query": 5}',
        b'{"query": "QUERY", "variables": []}',
        b'{"query": "QUERY", "operationName": "Impact", "variables": {"origin": ["A"]}, "extensions": 3}',
        b'{"query": "QUERY", "operationName": "Impact", "variables": {"origin": [1e400]}}',
        b'{"query": "QUERY", "operationName": "Impact"',
    ],
)
def test_a_body_the_view_refuses_is_refused_in_its_words_with_a_lane_at_hand(pair: Pair, body: bytes) -> None:
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    before = (lane.STATS.answered, lane.STATS.left)
    raw = body.replace(b"QUERY", json.dumps(IMPACT)[1:-1].encode())
    json_type = {"content-type": "application/json"}
    answers = [client.http.post("/graphql", content=raw, headers=json_type) for client in pair]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert (lane.STATS.answered, lane.STATS.left) == before


def test_one_text_two_operations_each_take_their_own_lane(pair: Pair) -> None:
    """impact.graphql holds Impact and SiteFailure: the text is the same, the operation chosen by name."""
    origin, site = first_ids(pair, "services")[0], first_ids(pair, "sites")[0]
    for _ in range(2):
        impact = laned(pair, IMPACT, {"origin": [origin]}, "Impact")[0]
        failure = laned(pair, IMPACT, {"siteId": site}, "SiteFailure")[0]
    assert set(impact["data"]) == {"impact"} and set(failure["data"]) == {"siteFailure"}
    assert laned(pair, IMPACT, {"origin": [origin]}, "Impact")[1] == 1
    assert laned(pair, IMPACT, {"siteId": site}, "SiteFailure")[1] == 1


def test_several_roots_unnamed_and_by_get(pair: Pair) -> None:
    """An unnamed operation with two aliased impacts and a page, by POST and by GET: each the general path's."""
    a, b = first_ids(pair, "services")[:2]
    query = (
        "query($a: [ID!]!, $b: [ID!]!) { one: impact(origin: $a) { totals { impacted } impacted { id depth } } "
        "two: impact(origin: $b) { services { id status } } "
        "configurationItems(first: 3) { totalCount nodes { id name site { id } } } }"
    )
    variables = {"a": [a], "b": [b]}
    for _ in range(2):
        answer = laned(pair, query, variables)[0]
    assert list(answer["data"]) == ["one", "two", "configurationItems"]
    assert laned(pair, query, variables)[1] == 1
    params = {"query": query, "variables": json.dumps(variables)}
    before = lane.STATS.answered
    by_get = [client.http.get("/graphql", params=params) for client in pair]
    assert by_get[0].status_code == by_get[1].status_code == 200
    assert by_get[0].json() == by_get[1].json() == answer
    assert lane.STATS.answered == before + 1


def test_a_role_that_may_not_ask_is_refused_on_the_lane_too(pair: Pair, migrated: Any, sync_driver: Any) -> None:
    """`impact` needs the analyst role: a viewer asking a text that has a lane gets the general path's refusal."""
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")  # the lane is there (or made now)
    assert laned(pair, IMPACT, {"origin": [origin]}, "Impact")[1] == 1
    viewer = bearer(make_token(sync_driver, migrated.database, "viewer", name="lane viewer"))
    before = lane.STATS.answered
    answers = [client.post(IMPACT, {"origin": [origin]}, "Impact", headers=viewer) for client in pair]
    assert answers[0] == answers[1]
    assert answers[0]["data"] is None
    assert answers[0]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert lane.STATS.answered == before


@pytest.mark.parametrize(
    "variables",
    [
        {"origin": None},  # null for a non-null variable
        {},  # missing
        {"origin": [{"id": "x"}]},  # an object for an ID
    ],
)
def test_variables_that_do_not_fit_get_the_general_paths_error(pair: Pair, variables: dict[str, Any]) -> None:
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    answer, by_lane, left = laned(pair, IMPACT, variables, "Impact")
    assert answer["errors"] and by_lane == 0 and left == 1


def test_unknown_origins_are_refused_as_the_general_path_refuses_them(pair: Pair) -> None:
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    for _ in range(3):
        answer, by_lane, left = laned(pair, IMPACT, {"origin": ["NO-SUCH-ITEM"]}, "Impact")
        assert answer["errors"] and (by_lane, left) == (0, 1)
    assert laned(pair, IMPACT, {"origin": [origin]}, "Impact")[1:] == (1, 0)


def test_an_answer_the_plan_cannot_give_exactly_is_read_once_by_the_plan_then_field_by_field(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo has CIs with more dependents than the pair's list cap: a page holding one is not exact from the plan
    (the general path refuses it with LIST_TOO_LONG). The lane's read of the page is the only one the plan makes:
    the general path goes on from where the lane stopped, and the lane stays for the next request."""
    query = "query Dependents($first: Int) { configurationItems(first: $first) { nodes { id dependents { id } } } }"
    assert "errors" not in laned(pair, query, {"first": 1}, "Dependents")[0]  # the lane is made
    over = next((n for n in (2, 5, 10, 20, 50, 100, 200) if "errors" in pair[1].post(query, {"first": n})), None)
    assert over is not None, "the demo has a CI with more dependents than the pair's list cap"
    pages: list[int] = []
    original = ItemRepository.page_selected

    async def counting(self: ItemRepository, *args: Any, **kwargs: Any) -> Any:
        pages.append(kwargs["first"])
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(ItemRepository, "page_selected", counting)
    for _ in range(3):
        pages.clear()
        fell_back = compiled.STATS.fell_back
        answer, by_lane, left = laned(pair, query, {"first": over}, "Dependents")
        assert answer["errors"][0]["extensions"]["code"] == "LIST_TOO_LONG"
        assert (by_lane, left) == (0, 1)
        assert pages == [over]  # the compiled server's plan read it once; the other server compiles nothing
        assert compiled.STATS.fell_back == fell_back + 1
    assert laned(pair, query, {"first": 1}, "Dependents")[1:] == (1, 0)


def test_a_request_the_views_lane_leaves_goes_on_under_the_same_deadline(
    pair: Pair, migrated: Any, sync_driver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pages, each read in a second; the second has a list over the cap, so the lane (2 s) leaves the request and
    the general path reads the first page again (1 s more): past the request's 2.5 s deadline, which is one for the
    whole request, not one for the lane and another for the general path."""
    query = "query Dependents($first: Int) { configurationItems(first: $first) { nodes { id dependents { id } } } }"
    over = next((n for n in (2, 5, 10, 20, 50, 100, 200) if "errors" in pair[1].post(query, {"first": n})), None)
    assert over is not None, "the demo has a CI with more dependents than the pair's list cap"
    both = (
        "query Both($over: Int) { a: configurationItems(first: 1) { nodes { id dependents { id } } } "
        "b: configurationItems(first: $over) { nodes { id dependents { id } } } }"
    )
    token = make_token(sync_driver, migrated.database, "admin", name="lane deadline")
    settings = Settings(response_cache_seconds=0, max_list_items=LIST_CAP, request_deadline_seconds=2.5)
    with (
        serve_asgi(create_app(settings, connection=migrated)) as url,
        httpx.Client(base_url=url, timeout=120, headers=bearer(token)) as http,
    ):
        api = GraphQLClient(http)
        assert "errors" not in api.post(both, {"over": 1}, "Both")  # its lane is made
        assert api.post(both, {"over": over}, "Both")["errors"][0]["extensions"]["code"] == "LIST_TOO_LONG"
        original = ItemRepository.page_selected

        async def slow(self: ItemRepository, *args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(1.0)
            return await original(self, *args, **kwargs)

        monkeypatch.setattr(ItemRepository, "page_selected", slow)
        answer = api.post(both, {"over": over}, "Both")
        assert answer["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED", answer


def test_the_lane_counts_the_operation_as_the_general_path_does(pair: Pair) -> None:
    origin = first_ids(pair, "services")[0]
    laned(pair, IMPACT, {"origin": [origin]}, "Impact")
    counter = metrics.GRAPHQL_OPERATIONS.labels(metrics.operation_label("Impact"), "ok")
    before_count, before_lane = counter._value.get(), lane.STATS.answered
    pair[0].post(IMPACT, {"origin": [origin]}, "Impact")
    assert lane.STATS.answered == before_lane + 1
    assert counter._value.get() == before_count + 1


@pytest.fixture(scope="module")
def budget_pair(migrated: Any, sync_driver: Any, pair: Pair) -> Iterator[Pair]:
    """Two servers over the demo (lanes on, and off) whose cost budget lets PAGE ask 5 items but not 50."""
    base = Settings(response_cache_seconds=0)
    five = document_cost(
        build_schema(base)._schema,
        parse(PAGE),
        {"first": 5},
        max_list_items=base.max_list_items,
        max_page_size=base.max_page_size,
    )[0].cost
    token = make_token(sync_driver, migrated.database, "admin", name="lane budget")
    on = base.model_copy(update={"max_query_cost": five})
    off = on.model_copy(update={"compiled_reads": False})
    with (
        serve_asgi(create_app(on, connection=migrated)) as url_on,
        serve_asgi(create_app(off, connection=migrated)) as url_off,
        httpx.Client(base_url=url_on, timeout=120, headers=bearer(token)) as client_on,
        httpx.Client(base_url=url_off, timeout=120, headers=bearer(token)) as client_off,
    ):
        yield GraphQLClient(client_on), GraphQLClient(client_off)


def test_the_cost_with_these_variables_is_checked_on_the_lane(budget_pair: Pair) -> None:
    for _ in range(2):  # the first makes the lane, the second takes it
        answer, _, _ = laned(budget_pair, PAGE, {"first": 5}, "Page")
        assert len(answer["data"]["configurationItems"]["nodes"]) == 5
    assert laned(budget_pair, PAGE, {"first": 5}, "Page")[1] == 1
    answer, by_lane, left = laned(budget_pair, PAGE, {"first": 50}, "Page")
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert (by_lane, left) == (0, 1)
