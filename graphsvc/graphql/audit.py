"""The audit trail and token management over GraphQL: `history(id)` (viewer), `auditLog` and the API tokens (admin).

Roles are enforced before any of these run (graphql/permissions.py, from what each field declares); the
resolvers only read and write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.db import audit as db
from graphsvc.db.tokens import TokenStore
from graphsvc.domain.tokens import Role, TokenRecord
from graphsvc.errors import InvalidArgument
from graphsvc.graphql import enums as e
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context
from graphsvc.graphql.pagination import page_size

__all__ = ["AuditMutations", "AuditPage", "resolve_audit_log", "resolve_history", "resolve_tokens"]


@strawberry.type(
    description=(
        "One write to one item: who, which mutation or import, and the item before and after. In the audit log, an "
        "import's entry for many items at once has an empty itemId: a batch of the items an import created (an "
        "import creating 1,000 or more, or a bulk load; after: "
        "{created: N}; each item's history shows its own creation) or an initial load (after: its counts)."
    )
)
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="the entry's id")
    at: datetime = strawberry.field(description="when the write was committed (UTC)")
    actor_id: str = strawberry.field(description="the token's id (tok-...), 'cli' or 'local' (auth off)")
    actor_name: str = strawberry.field(description="the actor's name (for a write through the API, the token's name)")
    action: str = strawberry.field(description="the mutation (e.g. updateService), importCmdb, or the CLI's import")
    item_id: strawberry.ID = strawberry.field(description="the id of the item written (empty: many, see above)")
    before_fields: strawberry.Private[dict[str, Any] | None]
    after_fields: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(description="the item's stored fields before; null if it did not exist")
    def before(self) -> JSON | None:
        return cast(JSON, self.before_fields)

    @strawberry.field(description="its fields after; null if it was deleted")
    def after(self) -> JSON | None:
        return cast(JSON, self.after_fields)

    @strawberry.field(description="the fields whose value differs between before and after")
    def changed(self) -> list[str]:
        b, a = self.before_fields or {}, self.after_fields or {}
        return sorted(k for k in set(b) | set(a) if b.get(k) != a.get(k) and k not in ("version", "updatedAt"))


@strawberry.type(description="A page of audit entries, newest first.")
class AuditPage:
    entries: list[AuditEntry] = strawberry.field(description="this page's entries, newest first")
    has_next_page: bool = strawberry.field(description="whether older entries follow")
    end_cursor: str | None = strawberry.field(description="pass as `after` for the next page")


def _page(records: list[db.AuditRecord], size: int) -> AuditPage:
    shown = records[:size]
    return AuditPage(
        entries=[
            AuditEntry(
                id=strawberry.ID(r.id),
                at=r.at,
                actor_id=r.actor_id,
                actor_name=r.actor_name,
                action=r.action,
                item_id=strawberry.ID(r.item_id),
                before_fields=r.before,
                after_fields=r.after,
            )
            for r in shown
        ],
        has_next_page=len(records) > size,
        end_cursor=db.cursor_of(shown[-1]) if shown else None,
    )


async def resolve_history(info: Info[Context, None], item_id: str, first: int, after: str | None) -> AuditPage:
    size = page_size(first, info.context.settings.max_page_size)
    return _page(await db.history(info.context.repo, item_id, limit=size + 1, after=after), size)


async def resolve_audit_log(
    info: Info[Context, None], since: datetime, actor: str | None, first: int, after: str | None
) -> AuditPage:
    size = page_size(first, info.context.settings.max_page_size)
    records = await db.audit_log(info.context.repo, since, actor, limit=size + 1, after=after)
    return _page(records, size)


@strawberry.enum(name="Role", description="what a token may do; each role includes the ones before it")
class RoleEnum(Enum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    EDITOR = "editor"
    ADMIN = "admin"


e.describe_values(
    RoleEnum,
    {
        "VIEWER": "reads items, relationships, search and history",
        "ANALYST": "also runs the analyses and reports",
        "EDITOR": "also writes: mutations, imports, policy exceptions",
        "ADMIN": "also reads the audit log and manages API tokens",
    },
)


@strawberry.type(description="An API token, without its secret (only a hash is stored).")
class ApiToken:
    id: strawberry.ID = strawberry.field(description="the token's id (tok-...), as the audit trail names it")
    name: str = strawberry.field(description="who or what it is for")
    role: RoleEnum = strawberry.field(description="what it may do")
    state: str = strawberry.field(description="active, expired or revoked")
    created_at: datetime | None = strawberry.field(description="when it was created (UTC)")
    expires_at: datetime | None = strawberry.field(description="when it stops working (UTC); null: never")
    revoked_at: datetime | None = strawberry.field(description="when it was revoked (UTC); null: not revoked")


def _token(r: TokenRecord, now: datetime) -> ApiToken:
    return ApiToken(
        id=strawberry.ID(r.id),
        name=r.name,
        role=RoleEnum(r.role.value),
        state=r.state(now),
        created_at=r.created_at,
        expires_at=r.expires_at,
        revoked_at=r.revoked_at,
    )


@strawberry.type(description="A new token: `token` is shown this once and cannot be read again.")
class CreatedApiToken:
    token: str = strawberry.field(description="the secret to send as `Authorization: Bearer ...`; shown only here")
    api_token: ApiToken = strawberry.field(description="the token's record")


def _store(info: Info[Context, None]) -> TokenStore:
    ctx = info.context
    return ctx.db.bind(TokenStore)(timeout=ctx.settings.tx_timeout_seconds)


async def resolve_tokens(info: Info[Context, None]) -> list[ApiToken]:
    now = datetime.now(UTC)
    return [_token(r, now) for r in await _store(info).list()]


@strawberry.type
class AuditMutations:
    @strawberry.mutation(
        metadata=needs(Role.admin), description="create an API token (admin); the clear token is in the answer only"
    )
    async def create_api_token(
        self,
        info: Info[Context, None],
        name: Annotated[str, strawberry.argument(description="who or what the token is for")],
        role: Annotated[RoleEnum, strawberry.argument(description="what it may do")],
        expires_at: Annotated[
            datetime | None,
            strawberry.argument(description="when it stops working; absent: GRAPHSVC_TOKEN_EXPIRY_DAYS from now"),
        ] = None,
        never_expires: Annotated[bool, strawberry.argument(description="true: a token that never expires")] = False,
    ) -> CreatedApiToken:
        principal = info.context.principal
        if never_expires and expires_at is not None:
            raise InvalidArgument("expiresAt and neverExpires: give one or the other")
        days = info.context.settings.token_expiry_days
        if expires_at is None and not never_expires and days > 0:
            expires_at = datetime.now(UTC) + timedelta(days=days)
        record, secret = await _store(info).create(
            name,
            Role(role.value),
            expires_at=expires_at,
            created_by=principal.token_id if principal else None,
            audit=info.context.audit(info.field_name),
        )
        return CreatedApiToken(token=secret, api_token=_token(record, datetime.now(UTC)))

    @strawberry.mutation(
        metadata=needs(Role.admin), description="revoke an API token (admin): refused from the next request on"
    )
    async def revoke_api_token(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="the token's id (tok-...)")],
    ) -> ApiToken:
        record = await _store(info).revoke(str(id), audit=info.context.audit(info.field_name))
        return _token(record, datetime.now(UTC))
