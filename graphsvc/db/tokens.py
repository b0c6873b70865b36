"""API tokens in Neo4j (`:ApiToken` nodes, outside the CMDB's items): create, look up by hash, list, revoke; and
browser sessions, which are tokens standing for the token a person signed in with (`sessionOf`), ended at sign-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction, Query, RoutingControl
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graphsvc.db.audit import Audit
from graphsvc.db.connection import timed_out, translated, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.domain.clock import as_utc
from graphsvc.domain.text import control_characters, lone_surrogates
from graphsvc.domain.tokens import Principal, Role, TokenRecord, hash_token, new_token, well_formed
from graphsvc.errors import DatabaseUnavailable, InvalidArgument, NotFound, QueryTimeout
from graphsvc.util import SharedRead

__all__ = ["SESSION_HOURS", "UNKNOWN", "TokenRejected", "TokenStore", "TokenUnknown"]

UNKNOWN = "the token is unknown (it may have been mistyped or deleted)"
SESSION_HOURS = 12  # a browser session ends after this long, if not signed out before


class TokenRejected(Exception):
    """The presented token does not authenticate anyone; the message says why without echoing the token."""


class TokenUnknown(TokenRejected):
    """No token has this hash (as opposed to one that is revoked or expired)."""


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _record(r: Any) -> TokenRecord:
    return TokenRecord(
        id=r["id"],
        name=r["name"],
        role=Role(r["role"]),
        created_at=_native(r.get("createdAt")),
        expires_at=_native(r["expiresAt"]),
        revoked_at=_native(r["revokedAt"]),
        created_by=r.get("createdBy"),
    )


class TokenStore:
    def __init__(self, driver: AsyncDriver, database: str, *, timeout: float | None = None) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self._lookups: dict[str, SharedRead[list[Any]]] = {}  # by token hash, while one runs

    async def _lookup(self, digest: str) -> list[Any]:
        """The token's row, read by a lookup shared with the requests carrying the same token at the same time (a
        tool's many connections): each still sees a revocation committed before it asked (util.py)."""
        shared = self._lookups.get(digest)
        if shared is None:
            if len(self._lookups) >= 1000:  # left behind by callers that all went away mid-lookup
                self._lookups = {d: s for d, s in self._lookups.items() if not s.idle}
            shared = self._lookups[digest] = SharedRead(partial(self._run, "tokens/lookup", hash=digest))
        try:
            return await shared()
        finally:
            if shared.idle and self._lookups.get(digest) is shared:
                del self._lookups[digest]

    async def _run(self, statement: str, *, write: bool = False, **params: Any) -> list[Any]:
        try:
            records, _, _ = await self.driver.execute_query(
                Query(cypher(statement), timeout=self.timeout),
                parameters_=params,
                database_=self.database,
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
            )
        except (ServiceUnavailable, SessionExpired, Neo4jError) as exc:
            raise translated(exc, self.timeout) from exc
        return list(records)

    async def _write(self, statement: str, audit: Audit | None, **params: Any) -> list[Any]:
        """One write and its audit entry (when `audit` is given) in one transaction."""

        async def work(tx: AsyncManagedTransaction) -> list[Any]:
            records = [r async for r in await tx.run(cypher(statement), params)]
            if audit is not None and records:
                row = dict(records[0].get("props") or records[0])
                after = {k: v for k, v in row.items() if k != "hash"}
                await audit.record(tx, [(str(after["id"]), None, after)], kind="API_TOKEN")
            return records

        try:
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(with_timeout(work))
        except (ServiceUnavailable, SessionExpired) as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc
        except Neo4jError as exc:
            if timed_out(exc):
                raise QueryTimeout(self.timeout) from exc
            raise

    async def create(
        self,
        name: str,
        role: Role,
        *,
        expires_at: datetime | None = None,
        created_by: str | None = None,
        audit: Audit | None = None,
    ) -> tuple[TokenRecord, str]:
        """A new token: its record and the clear token, which is not stored and cannot be shown again."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidArgument(
                "name: give the token a name of 1 to 100 characters, e.g. the tool or person using it"
            )
        if found := control_characters(name):
            raise InvalidArgument(
                f"name: must not hold control or bidirectional-override characters (found {', '.join(found)})"
            )
        if found := lone_surrogates(name):  # a command-line argument that was not UTF-8 (Python keeps its bytes so)
            raise InvalidArgument(f"name: must be text (found lone surrogates {', '.join(found)})")
        if expires_at is not None:
            expires_at = as_utc(expires_at)
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise InvalidArgument("expiresAt: the time is in the past")
        token_id, secret, digest = new_token()
        [row] = await self._write(
            "tokens/create",
            audit,
            id=token_id,
            name=name,
            role=role.value,
            hash=digest,
            expiresAt=expires_at,
            createdBy=created_by,
        )
        props = row["props"]
        return _record({**props, "revokedAt": None, "expiresAt": props.get("expiresAt")}), secret

    async def authenticate(self, token: str, now: datetime | None = None, *, allow_session: bool = True) -> Principal:
        """The principal a token stands for, or TokenRejected saying why (unknown, revoked, expired). With
        `allow_session=False` a browser session's token is refused too: signing in takes an API token, so a copied
        session cookie cannot be renewed into a new session."""
        if not well_formed(token):
            raise TokenRejected("the token is not a graphsvc API token (they start gsvc_ and are 48 characters)")
        rows = await self._lookup(hash_token(token))
        if not rows:
            raise TokenUnknown(UNKNOWN)
        row = rows[0]
        now = now or datetime.now(UTC)
        record = _record({**row, "createdAt": None})
        state = record.state(now)
        if row.get("sessionOf") is None:
            if state != "active":
                raise TokenRejected(f"the token {record.id} ({record.name}) is {state}")
            return Principal(record.id, record.name, record.role)
        if not allow_session:
            raise TokenRejected(f"{record.id} is a browser session: sign in with an API token")
        # A browser session acts as the token it was signed in with (the audit trail names that token), while both
        # are usable.
        if state != "active":
            raise TokenRejected(f"the browser session {record.id} is {state}: sign in again")
        if row.get("parentId") is None:
            raise TokenRejected(f"the token the browser session {record.id} was signed in with is deleted")
        parent = _record(
            {
                "id": row["parentId"],
                "name": row["parentName"],
                "role": row["parentRole"],
                "expiresAt": row["parentExpiresAt"],
                "revokedAt": row["parentRevokedAt"],
            }
        )
        parent_state = parent.state(now)
        if parent_state != "active":
            raise TokenRejected(f"the token {parent.id} ({parent.name}) of this browser session is {parent_state}")
        return Principal(parent.id, parent.name, parent.role)

    async def start_session(self, principal: Principal) -> str:
        """A new browser session standing for `principal`'s token, for SESSION_HOURS: the clear session token (for
        the sign-in cookie; only its hash is stored). Each sign-in gets its own, so signing out ends only that one."""
        token_id, secret, digest = new_token()
        rows = await self._write(
            "tokens/session_start",
            None,
            id="ses-" + token_id.removeprefix("tok-"),
            hash=digest,
            parent=principal.token_id,
            expiresAt=datetime.now(UTC) + timedelta(hours=SESSION_HOURS),
        )
        if not rows:
            raise TokenRejected(f"the token {principal.token_id} was deleted while signing in")
        return secret

    async def end_session(self, token: str) -> bool:
        """Sign out: the browser session with this token authenticates no one from now on. False when `token` is
        not a session (an API token itself is never revoked by signing out)."""
        if not well_formed(token):
            return False
        rows = await self._write("tokens/session_end", None, hash=hash_token(token))
        return bool(rows and rows[0]["ended"])

    async def list(self) -> list[TokenRecord]:
        return [_record(r) for r in await self._run("tokens/list")]

    async def revoke(self, token_id: str, *, audit: Audit | None = None) -> TokenRecord:
        rows = await self._write("tokens/revoke", audit, id=token_id)
        if not rows:
            raise NotFound(f"no token has id {token_id!r} (graphsvc token list shows them)", id=token_id, kind="token")
        return _record(rows[0])
