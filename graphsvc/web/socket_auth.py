"""Who is on a GraphQL WebSocket: the token of the `connection_init` payload (`{"Authorization": "Bearer ..."}`), else
the upgrade request's `Authorization` header or sign-in cookie, checked like an HTTP request's (middleware.py), with
the same limiter of failed attempts. A refusal closes the socket with graphql-transport-ws's codes: 4401 when no
token was given, 4403 when the token is refused, 4429 while the address is blocked for failing too often, 1013 while
Neo4j does not answer. Close reasons are short (a WebSocket close reason holds at most 123 bytes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graphsvc.db.tokens import UNKNOWN, TokenRejected, TokenStore, TokenUnknown
from graphsvc.domain.tokens import LOCAL, Principal, hash_token
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout
from graphsvc.web.middleware import token_from
from graphsvc.web.throttle import FailedSignIns

__all__ = ["SocketAuth", "SocketRefused"]

MAX_REASON = 123


class SocketRefused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:MAX_REASON].decode(errors="ignore")


def _token(payload: Mapping[str, object], headers: dict[str, str]) -> str | None:
    """The payload's bearer token (either spelling of the key), else the upgrade request's; "" for a malformed one."""
    given = payload.get("Authorization", payload.get("authorization"))
    if given is None:
        return token_from(headers)
    if not isinstance(given, str):
        return ""
    scheme, _, value = given.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else ""


class SocketAuth:
    def __init__(self, *, enabled: bool, store: Callable[[], TokenStore | None], failures: FailedSignIns) -> None:
        self.enabled = enabled
        self.store = store
        self.failures = failures

    async def principal(self, payload: Mapping[str, object], headers: dict[str, str], address: str) -> Principal:
        """The principal of the connection, or SocketRefused with the close code and reason."""
        if not self.enabled:
            return LOCAL
        token = _token(payload, headers)
        if token is None:
            raise SocketRefused(4401, 'Unauthorized: send {"Authorization": "Bearer <token>"} in connection_init')
        if not token:
            raise SocketRefused(4403, "Forbidden: use the Bearer scheme, 'Bearer <token>'")
        digest = hash_token(token)
        wait = 0.0 if self.failures.recently_succeeded(digest) else self.failures.blocked_for(address)
        if wait > 0:
            raise SocketRefused(4429, f"Too many failed authentications: wait {max(1, round(wait))} s")
        store = self.store()
        if store is None:
            raise SocketRefused(1013, "the database is unavailable right now; try again shortly")
        try:
            if self.failures.known_unknown(digest):
                raise TokenUnknown(UNKNOWN)
            principal = await store.authenticate(token)
        except TokenRejected as exc:
            if isinstance(exc, TokenUnknown):
                self.failures.unknown(digest)
            self.failures.failed(address)
            raise SocketRefused(4403, f"Forbidden: {exc}") from None
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError):
            raise SocketRefused(1013, "the database is unavailable right now; try again shortly") from None
        self.failures.succeeded(digest)
        return principal
