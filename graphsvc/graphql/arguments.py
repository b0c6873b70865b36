"""Arguments many fields take, each declared once with its description, so every field says the same about them
(`first: First = 50`). The type and nullability are the annotation's; a field's default stays on the field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

__all__ = [
    "After",
    "AsOf",
    "At",
    "First",
    "From",
    "ItemId",
    "Offset",
    "OptionalVersion",
    "Origin",
    "ServiceId",
    "To",
    "UntilNow",
    "Version",
]

First = Annotated[
    int,
    strawberry.argument(
        description="how many to return: 0 up to the server's page-size cap (GRAPHSVC_MAX_PAGE_SIZE, 500 unless "
        "configured); outside that range is a BAD_USER_INPUT error"
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="continue after this cursor (the `endCursor` of an earlier page, or an edge's `cursor`); "
        "null: from the start; a cursor that is not one of ours is a BAD_USER_INPUT error"
    ),
]
ItemId = Annotated[strawberry.ID, strawberry.argument(description="the item's id (unique across all kinds)")]
ServiceId = Annotated[strawberry.ID, strawberry.argument(description="the id of a service")]
Version = Annotated[
    int,
    strawberry.argument(
        description="the `version` you read: the write happens only if the item is still at it, else StaleVersion "
        "(re-read and retry)"
    ),
]
OptionalVersion = Annotated[
    int | None,
    strawberry.argument(
        description="the `version` you read: if given, the write happens only if the item is still at it, else "
        "StaleVersion; null: no check"
    ),
]
From = Annotated[
    datetime,
    strawberry.argument(name="from", description="start of the period, included (RFC 3339, e.g. 2026-11-20T10:00:00Z)"),
]
To = Annotated[
    datetime,
    strawberry.argument(name="to", description="end of the period, excluded (RFC 3339, e.g. 2026-11-20T10:00:00Z)"),
]
UntilNow = Annotated[
    datetime | None,
    strawberry.argument(name="to", description="the later time (RFC 3339, e.g. 2026-11-20T10:00:00Z); null: now"),
]
At = Annotated[
    datetime | None,
    strawberry.argument(description="when it happened (RFC 3339, e.g. 2026-11-20T10:00:00Z); null: now"),
]
Offset = Annotated[
    int,
    strawberry.argument(description="how many entries to skip before the first returned (>= 0); with `first`, a page"),
]
AsOf = Annotated[
    datetime | None,
    strawberry.argument(
        description="the CMDB as it stood at this time, rebuilt from the audit trail (before the first write: empty; "
        "in the future: now); null: now"
    ),
]
Origin = Annotated[
    list[strawberry.ID],
    strawberry.argument(
        description="ids of the services, CIs or redundancy groups that fail or are changed: the DOWN origins (a "
        "RETIRED one counts as absent; an unknown id is a NOT_FOUND error)"
    ),
]
