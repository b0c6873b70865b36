"""What browsers and clients may keep: GraphiQL's assets under content-hashed names for a year (a wrong hash is
404), the page itself revalidated, and GET answers tagged (ETag) so that asking again with If-None-Match gets a 304
while the answer is the same, and the new answer once a write changed it."""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import urlencode

import brotli
import httpx

from graphsvc.web.assets import IMMUTABLE, STATIC_DIR, hashed_assets
from tests.api.conftest import GraphQLClient

TEAMS = "{ teams(first: 100) { nodes { id name } } }"


def get(api: GraphQLClient, query: str, **headers: str) -> httpx.Response:
    return api.http.get("/graphql?" + urlencode({"query": query}), headers=headers)


def test_graphiql_assets_are_immutable_under_their_hashed_names(demo_api: GraphQLClient) -> None:
    http = demo_api.http
    page = http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(named) == 7 and hashed_assets().name("graphiql/graphiql.min.js") in " ".join(named)
    for path in named:
        asset = http.get(path)
        assert asset.status_code == 200 and asset.headers["cache-control"] == IMMUTABLE, path
    script = next(p for p in named if re.search(r"/graphiql\.min\.[0-9a-f]{12}\.js$", p))
    plain = http.get("/static/graphiql/graphiql.min.js")
    assert plain.status_code == 200 and plain.content == http.get(script).content
    assert "immutable" not in plain.headers.get("cache-control", "")  # the plain name is revalidated as before
    wrong = re.sub(r"\.[0-9a-f]{12}\.js$", ".0123456789ab.js", script)
    assert http.get(wrong).status_code == 404
    assert http.get(script.replace(".js", ".css")).status_code == 404


def test_hashed_assets_are_sent_compressed_and_stay_the_file(demo_api: GraphQLClient) -> None:
    http = demo_api.http
    path = "/static/" + hashed_assets().name("graphiql/graphiql.min.js")
    file = (STATIC_DIR / "graphiql" / "graphiql.min.js").read_bytes()
    for _ in range(2):  # compressed at the first request, kept for the second
        response = http.send(http.build_request("GET", path, headers={"Accept-Encoding": "gzip, br"}), stream=True)
        body = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "br" and response.headers["cache-control"] == IMMUTABLE
        assert brotli.decompress(body) == file and len(body) < len(file) / 4
    zipped = http.send(http.build_request("GET", path, headers={"Accept-Encoding": "gzip"}), stream=True)
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(b"".join(zipped.iter_raw())) == file
    plain = http.send(http.build_request("GET", path, headers={"Accept-Encoding": "identity"}), stream=True)
    assert "content-encoding" not in plain.headers and b"".join(plain.iter_raw()) == file


def test_etag_then_if_none_match_is_304_until_a_write(demo_api: GraphQLClient) -> None:
    first = get(demo_api, TEAMS)
    assert first.status_code == 200 and "errors" not in first.json(), first.text
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag) and first.headers["cache-control"] == "private, no-cache"
    same = get(demo_api, TEAMS, **{"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    assert get(demo_api, TEAMS, **{"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert get(demo_api, TEAMS, **{"If-None-Match": 'W/"other"'}).status_code == 200
    zipped = demo_api.http.get(
        "/graphql?" + urlencode({"query": TEAMS}), headers={"If-None-Match": etag, "Accept-Encoding": "br"}
    )
    assert zipped.status_code == 304  # the same tag whatever the coding

    made = demo_api.data('mutation { createTeam(input: {id: "T-ETAG", name: "Tagged team"}) { __typename } }')
    assert made["createTeam"]["__typename"] == "TeamPayload"
    after = get(demo_api, TEAMS, **{"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert "T-ETAG" in {t["id"] for t in after.json()["data"]["teams"]["nodes"]}
    assert get(demo_api, TEAMS, **{"If-None-Match": after.headers["etag"]}).status_code == 304


def test_no_etag_for_post_or_mutations(demo_api: GraphQLClient) -> None:
    posted = demo_api.http.post("/graphql", json={"query": TEAMS})
    assert posted.status_code == 200 and "etag" not in posted.headers
    assert posted.headers["cache-control"] == "no-store"
    mutation = 'mutation { createTeam(input: {id: "T-GET", name: "By GET"}) { __typename } }'
    refused = get(demo_api, mutation)
    assert refused.status_code != 200 and "etag" not in refused.headers
    assert "T-GET" not in json.dumps(get(demo_api, TEAMS).json())
