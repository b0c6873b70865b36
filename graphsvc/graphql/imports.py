"""The importCmdb mutation: the exchange format over GraphQL."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.db.importer import import_document
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.graphql.context import Context

__all__ = ["ImportResult", "import_cmdb"]


@strawberry.type(description="What an import did. An invalid document is an error instead, and writes nothing.")
class ImportResult:
    created: int = strawberry.field(description="items that did not exist before")
    updated: int = strawberry.field(description="existing items whose content changed")
    unchanged: int = strawberry.field(description="items already exactly as the document says")
    relationships: int = strawberry.field(description="relationships written")


async def import_cmdb(
    info: Info[Context, None],
    document: Annotated[
        JSON,
        strawberry.argument(
            description='an exchange document (`"format": "graphsvc-cmdb/1"`, cmdb-exchange.schema.json): '
            "upserted by id, all or nothing"
        ),
    ],
) -> ImportResult:
    """Validate and upsert an exchange document (see cmdb-exchange.schema.json)."""
    ctx = info.context
    try:
        summary = await ctx.db.bind(import_document)(
            document,
            batch_size=ctx.settings.import_batch_size,
            audit=ctx.audit(info.field_name),
            gc_paused_while_writing=False,  # the server's other requests go on meanwhile
        )
    except DocumentInvalid as exc:
        raise GraphQLError(
            str(exc),
            extensions={
                "code": "INVALID_DOCUMENT",
                "problems": [{"path": p.path, "message": p.message} for p in exc.problems],
            },
        ) from None
    return ImportResult(
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        relationships=summary.relationships,
    )
