"""Relay-style connections with opaque cursors; the slicing happens in Cypher (keyset on id)."""

from __future__ import annotations

import base64
import binascii
from typing import Generic, TypeVar

import strawberry
from graphql import GraphQLError

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "encode_cursor", "page_size"]

T = TypeVar("T")
_PREFIX = "item:"


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="whether items follow this page")
    end_cursor: str | None = strawberry.field(
        description="the cursor of the page's last item, to pass as `after` for the next page; null: an empty page"
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="an opaque cursor: pass it as `after` to continue after this item")
    node: T = strawberry.field(description="the item")


@strawberry.type(description="One page of a list of items in id order (a Relay connection).")
class Connection(Generic[T]):
    total_count: int = strawberry.field(description="how many items match in all, not just on this page")
    page_info: PageInfo = strawberry.field(description="where this page ends and whether more follow")
    edges: list[Edge[T]] = strawberry.field(description="the page's items with their cursors, in id order")

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
            extensions={"code": "BAD_USER_INPUT", "argument": "after"},
        )
    return text[len(_PREFIX) :]


def page_size(first: int, maximum: int) -> int:
    """Check `first` against the server's cap."""
    if first < 0 or first > maximum:
        raise GraphQLError(
            f"first must be between 0 and {maximum}, got {first}",
            extensions={"code": "BAD_USER_INPUT", "argument": "first"},
        )
    return first
