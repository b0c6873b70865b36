"""The strawberry schema: Query and Mutation roots with the server's extensions."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from graphsvc.graphql.mutation import Mutation
from graphsvc.graphql.query import Query
from graphsvc.graphql.types import TYPES

__all__ = ["build_schema"]


def _expected(error: Exception) -> bool:
    """Errors a user caused keep their message; anything else is masked."""
    from graphql import GraphQLError

    from graphsvc.errors import DatabaseUnavailable, RequestError

    original = getattr(error, "original_error", None)
    return original is None or isinstance(original, GraphQLError | DatabaseUnavailable | RequestError)


def build_schema() -> strawberry.Schema:
    """The API schema."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=list(TYPES.values()),
        extensions=[
            # Clients repeat the same documents: parsing and validating them again costs more than a small impact.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: MaskErrors(
                should_mask_error=lambda err: not _expected(err),
                error_message="Unexpected error: the server logged the details.",
            ),
        ],
    )
