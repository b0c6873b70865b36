"""Which media type an Accept header gets (web/graphql_http.py): the spec's one only when it is preferred."""

from __future__ import annotations

import pytest

from graphsvc.web.graphql_http import GRAPHQL_RESPONSE, JSON, preferred_media

GQL = GRAPHQL_RESPONSE


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("", JSON),
        ("text/html", JSON),  # nothing we answer in: the default
        ("*/*", JSON),
        ("application/*", JSON),
        (GQL, GQL),
        (f"  {GQL.upper()} ;charset=utf-8", GQL),  # media types are case-insensitive, parameters allowed
        (f"{GQL}, {JSON}", GQL),  # equal quality: the first listed
        (f"{JSON}, {GQL}", JSON),
        (f"{JSON};q=0.9, {GQL}", GQL),
        (f"{GQL};q=0.5, */*", JSON),
        (f"{GQL};q=0", JSON),  # q=0 means not acceptable
        (f"{GQL};q=nonsense, {JSON};q=0.1", JSON),  # a q that is not a number counts as 0
        (f"{JSON};q=0, {GQL};q=0.1", GQL),
    ],
)
def test_the_preferred_media_type(accept: str | None, media: str) -> None:
    assert preferred_media(accept) == media
