"""API tokens and roles.

A token is `gsvc_` followed by 32 random bytes (base64url). Only its SHA-256 is stored: the token is random and
long, so a fast hash is enough (nothing to guess), and a lookup by hash needs no per-token salt. The clear token
is shown once, when it is created.

Roles are ordered: each can do what the ones before it can.
  viewer   read the CMDB
  analyst  + the analyses (impact, continuity, cost, compliance, ...) and the reports
  editor   + mutations and import
  admin    + token management and the audit log
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from graphsvc.domain.clock import as_utc

__all__ = [
    "LOCAL",
    "PREFIX",
    "Principal",
    "Role",
    "TokenRecord",
    "hash_token",
    "new_token",
    "parse_expiry",
    "well_formed",
]

PREFIX = "gsvc_"
_SHAPE = re.compile(r"^gsvc_[A-Za-z0-9_-]{43}$")


class Role(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's id and name (the audit trail's actor) and its role."""

    token_id: str
    name: str
    role: Role

    @property
    def actor(self) -> str:
        return f"{self.name} ({self.token_id})"


LOCAL = Principal("local", "local (auth off)", Role.admin)


@dataclass(frozen=True)
class TokenRecord:
    id: str
    name: str
    role: Role
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def new_token() -> tuple[str, str, str]:
    """A fresh (token id, clear token, hash). The id is public (lists, audit); the token is the secret."""
    secret = PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return "tok-" + secrets.token_hex(4), secret, hash_token(secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(_SHAPE.match(token))


_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """`90m`, `12h`, `30d`, `2w`, or a date / RFC 3339 time (UTC if it has no offset); in the future."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text.strip())
    if match:
        amount = int(match.group(1))
        if amount == 0:
            raise ValueError(f"expires: {text!r} is no time at all; give e.g. 12h, 30d or a date")
        when = now + timedelta(**{_UNITS[match.group(2)]: amount})
    else:
        try:
            when = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(
                f"expires: {text!r} is neither a duration (90m, 12h, 30d, 2w) nor a date such as 2027-01-31"
            ) from None
        when = as_utc(when)
    if when <= now:
        raise ValueError(f"expires: {text!r} is in the past")
    return when
