"""Relay-style connections with opaque cursors; the slicing happens in Cypher (keyset on id)."""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError

from graphsvc.graphql.error_codes import Code

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "encode_cursor", "page_size"]

T = TypeVar("T")
_PREFIX = "item:"


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    page_info: PageInfo
    edges: list[Edge[T]]

    @strawberry.field(description="the nodes of this page, without cursors")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{item_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    """The id a cursor stands for; a GraphQL error names a cursor that is not one of ours."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise GraphQLError(
            f"invalid cursor {cursor!r}: pass an endCursor or cursor from an earlier page",
            extensions={"code": Code.BAD_USER_INPUT, "argument": "after"},
        )
    return text[len(_PREFIX) :]


def page_size(first: int, maximum: int) -> int:
    """Check `first` against the server's cap."""
    if first < 0 or first > maximum:
        raise GraphQLError(
            f"first must be between 0 and {maximum}, got {first}",
            extensions={"code": Code.BAD_USER_INPUT, "argument": "first"},
        )
    return first
