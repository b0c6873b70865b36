"""Errors that cross layers.

GraphsvcError
├── DatabaseUnavailable   Neo4j cannot be reached right now (the request may be retried)
├── QueryTimeout          a transaction ran past GRAPHSVC_TX_TIMEOUT_SECONDS and was cut off (nothing written)
├── DatabaseError         Neo4j refused a statement for another reason (a bug of graphsvc's, or a server fault)
└── RequestError          the request itself is wrong; `code` says how (the API shows it in `extensions.code`)
    ├── NotFound          an id names nothing (of the kind asked for)
    ├── InvalidArgument   an argument is out of range or of the wrong kind
    │   └── InvalidEdit   a what-if edit names an unknown id or makes an impossible graph (`index` says which)
    ├── ListTooLong       a list without paging holds more than an answer may carry
    └── Refused           a write that cannot be done as asked; nothing was written
        ├── DuplicateId        the id is taken (ids are unique across kinds)
        ├── StaleVersion       the item changed since the caller read it
        ├── StillReferenced    others still refer to the item being deleted
        ├── InvalidState       an incident's or problem's status does not allow the step
        ├── IllegalTransition  a change's status does not allow the lifecycle action
        └── Blocked            a change breaks a freeze or maintenance window with no exception granted

Each carries typed fields (ids, versions, statuses), so callers map them without reading the message; the one
mapping to GraphQL's typed mutation results is graphql/user_errors.py. An invalid document is
domain.validation.DocumentInvalid, next to the rules that find its problems.
"""

from __future__ import annotations

__all__ = [
    "Blocked",
    "DatabaseError",
    "DatabaseUnavailable",
    "DuplicateId",
    "GraphsvcError",
    "IllegalTransition",
    "InvalidArgument",
    "InvalidEdit",
    "InvalidState",
    "ListTooLong",
    "NotFound",
    "QueryTimeout",
    "Refused",
    "RequestError",
    "StaleVersion",
    "StillReferenced",
]


class GraphsvcError(Exception):
    """Base of graphsvc's own errors."""


class DatabaseError(GraphsvcError):
    """Neo4j refused a statement for a reason that is neither unavailability nor a timeout; `code` is Neo4j's."""

    def __init__(self, neo4j_code: str | None) -> None:
        super().__init__(f"the database refused the request ({neo4j_code or 'no code'})")
        self.neo4j_code = neo4j_code


class DatabaseUnavailable(GraphsvcError):
    """Neo4j did not answer; nothing was changed by this request."""

    code = "DATABASE_UNAVAILABLE"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the database is unavailable right now; try again shortly" + (f" ({detail})" if detail else "")
        )


class QueryTimeout(GraphsvcError):
    """Neo4j cut a transaction off at its timeout; a write is rolled back whole."""

    code = "TIMEOUT"

    def __init__(self, seconds: float | None = None) -> None:
        limit = f"its {seconds:g} s limit" if seconds else "its time limit"
        super().__init__(
            f"the request ran past {limit} (GRAPHSVC_TX_TIMEOUT_SECONDS) and was stopped; nothing was changed. "
            "Ask for less (a smaller page, fewer items) or try again when the item is not being changed"
        )


class RequestError(GraphsvcError):
    """Something the caller asked for cannot be answered as asked; the message names the argument or id."""

    code = "BAD_REQUEST"


class NotFound(RequestError):
    """`id` names nothing (or nothing of `kind`); the message says which argument carried it when one did."""

    code = "NOT_FOUND"

    def __init__(self, message: str, *, id: str | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.id = id
        self.kind = kind

    @classmethod
    def item(cls, item_id: str, kind: str | None = None) -> NotFound:
        return cls(f"no {kind or 'item'} with id {item_id!r}", id=item_id, kind=kind)


class InvalidArgument(RequestError):
    code = "BAD_USER_INPUT"


class InvalidEdit(InvalidArgument):
    """Edit `index` of a what-if list cannot be applied: it names an unknown id, an item of the wrong kind, or makes an
    impossible graph (a self-dependency); nothing is answered."""

    def __init__(self, index: int, edit: str, problem: str) -> None:
        super().__init__(f"edits[{index}] ({edit}): {problem}")
        self.index = index
        self.edit = edit


class ListTooLong(RequestError):
    """A list without paging (a team's `owns`, a site's `items`) holds more than an answer may carry."""

    code = "LIST_TOO_LONG"


class Refused(RequestError):
    """A write that cannot be done as asked; nothing was written. `id` is the item at fault."""

    code = "REFUSED"

    def __init__(self, message: str, *, id: str) -> None:
        super().__init__(message)
        self.id = id


class DuplicateId(Refused):
    code = "DUPLICATE_ID"

    def __init__(self, item_id: str, existing_kind: str) -> None:
        super().__init__(f"id {item_id!r} is already used by a {existing_kind}", id=item_id)
        self.existing_kind = existing_kind


class StaleVersion(Refused):
    code = "STALE_VERSION"

    def __init__(self, item_id: str, expected: int, actual: int) -> None:
        super().__init__(f"{item_id!r} is at version {actual}, not {expected}: re-read it and retry", id=item_id)
        self.expected = expected
        self.actual = actual


class StillReferenced(Refused):
    code = "STILL_REFERENCED"

    def __init__(self, item_id: str, total: int, sample: list[tuple[str, str]]) -> None:
        self.sample = [f"{source} ({rel})" for source, rel in sample]
        super().__init__(
            f"{item_id!r} is still referenced {total} time(s), e.g. by {', '.join(self.sample)}", id=item_id
        )
        self.total = total


class InvalidState(Refused):
    """An incident's or problem's status does not allow the step (or link); the message says what would."""

    code = "INVALID_STATE"

    def __init__(self, item_id: str, status: str, message: str) -> None:
        super().__init__(message, id=item_id)
        self.status = status


class IllegalTransition(Refused):
    """A change's status does not allow the lifecycle action; `allowed` lists what it does allow."""

    code = "ILLEGAL_TRANSITION"

    def __init__(self, item_id: str, action: str, status: str, allowed: list[str], message: str) -> None:
        super().__init__(message, id=item_id)
        self.action = action
        self.status = status
        self.allowed = allowed


class Blocked(Refused):
    """A change breaks freeze or maintenance-window policies and no exception covers them: it cannot be approved
    until one is granted (grantPolicyException, with a reason)."""

    code = "BLOCKED"

    def __init__(self, change_id: str, policies: list[str], message: str) -> None:
        super().__init__(message, id=change_id)
        self.policies = policies
