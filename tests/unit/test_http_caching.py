"""The pure parts of compression and caching: which coding an Accept-Encoding header gets, and which If-None-Match
headers name an entity tag."""

from __future__ import annotations

import pytest

from graphsvc.web.compression import chosen_encoding
from graphsvc.web.conditional import etag_of, matches


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("BR;Q=0.9, GZIP;q=0.8", "br"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0, *", "gzip"),
        ("*", "br"),
        ("*;q=0", None),
        ("gzip;q=0, br;q=0", None),
        ("br;q=nonsense, gzip;q=0.1", "gzip"),
        ("deflate", None),
        (" br ; q=1 ,gzip", "br"),
    ],
)
def test_the_coding_a_client_gets(header: str, coding: str | None) -> None:
    assert chosen_encoding(header) == coding


def test_if_none_match_compares_weakly_and_lists() -> None:
    tag = etag_of(b'{"data":{}}')
    assert tag.startswith(b'W/"') and tag != etag_of(b'{"data":{"x":1}}')
    assert matches(tag, tag) and matches(tag.removeprefix(b"W/"), tag)
    assert matches(b'"a", ' + tag, tag) and matches(b"*", tag)
    assert not matches(b'W/"a"', tag) and not matches(b"", tag)
