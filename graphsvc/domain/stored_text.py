"""JSON text of what graphsvc stores as text (audit entries' before and after, the journal's states): orjson's, in
the form json.dumps wrote (times through the caller's hook, keys sorted when asked), and json.dumps' for what orjson
refuses."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import orjson

__all__ = ["json_text", "without"]


def without(mapping: Mapping[str, Any], keys: AbstractSet[str]) -> Mapping[str, Any]:
    """`mapping` without `keys`: itself when it has none of them (nothing copied), else a copy."""
    if keys.isdisjoint(mapping):
        return mapping
    kept = dict(mapping)
    for key in keys:
        kept.pop(key, None)
    return kept


def json_text(value: object, *, default: Callable[[Any], Any] | None = None, sort_keys: bool = False) -> str:
    """`value` as compact JSON text, for what is stored as text (audit entries, the journal's states): orjson's, with
    times and dates given to `default` as json.dumps would (so a stored time keeps the form `default` writes), or
    json.dumps' for what orjson refuses. orjson wrote an import's 137,644 audit entries and journal states several
    times faster than json.dumps (docs/benchmarks.md, Import)."""
    option = orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        text = orjson.dumps(value, default=default, option=option)
        # orjson writes NaN and the infinities as null, where json.dumps writes NaN and Infinity (and reads them back:
        # a stored value must come back exactly). Text without any `null` had neither; with one (a deleted item's
        # state, a null value, a name containing the word), json.dumps writes it, as it always did.
        if b"null" not in text:
            return text.decode()
    except TypeError:  # orjson.JSONEncodeError is one; a `default` that refuses a value raises here again
        pass
    return json.dumps(value, default=default, sort_keys=sort_keys, ensure_ascii=False, separators=(",", ":"))
