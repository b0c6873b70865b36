"""web/middleware.py headers_of: the request's headers by lower-case name (the last of repeated ones), made once for
the raw list the scope holds and made again when a middleware puts a new list there."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.web.middleware import headers_of

_NAMES = st.sampled_from([b"host", b"accept", b"content-type", b"origin", b"x-request-id", b"Accept"])
_HEADERS = st.lists(st.tuples(_NAMES, st.binary(max_size=8)), max_size=8)


@given(_HEADERS, _HEADERS)
def test_the_headers_of_the_list_the_scope_holds_now(first: list[Any], then: list[Any]) -> None:
    scope: dict[str, Any] = {"type": "http", "headers": first}
    expected = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in first}
    assert headers_of(scope) == expected
    assert headers_of(scope) == expected  # asked again, by the next middleware
    scope["headers"] = then  # a middleware rewrote a header
    assert headers_of(scope) == {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in then}
