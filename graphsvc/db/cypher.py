"""The Cypher registry: every statement the service runs is a named file under `cypher/`.

A statement may name a label or relationship type as `{{label}}` / `{{rel}}`; those are filled only from the
vocabulary enums, never from request text. `{{filters}}` becomes one equality per property name given
(`n.`type` = $props.`type``), names the code's filter inputs define and that must be plain identifiers, so that Neo4j
can use each property's index, and the site and owner conditions when a read has them; `{{after}}` the keyset
condition of a page (`n.id > $after`, or `n.id IS NOT NULL` for the first page). Only the conditions a read has are
written: a `$x IS NULL OR ...` guard keeps Neo4j from its indexes and its count store (a page at 100k CIs scanned and
sorted every CI), so each combination is a statement of its own. `{{relations}}` becomes one related-items list per
relationship read a document selects (`RelationRead`: a vocabulary type, a direction, every property of the items or
only some), each from the fragment files under `cypher/items/selected/`, and `{{node}}` the properties of a selected
read's items (all, or the names given, which must be plain identifiers). Values always travel as `$parameters`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import LiteralString

from graphsvc.domain.vocabulary import Kind, Rel, RelationRead
from graphsvc.resources import resource_dir

__all__ = ["cypher", "statement_name"]

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# statement text -> its file's name, for metrics and spans (db/instrument.py); bounded: the texts are the files with
# the vocabulary's labels and the filters' property names filled in
_NAMES: dict[str, str] = {}
_MAX_NAMES = 4096


@cache
def _load(name: str) -> str:
    folder = resource_dir("cypher")
    path = folder
    for part in f"{name}.cypher".split("/"):
        path = path / part
    text = path.read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


def _projection(var: str, fields: Sequence[str]) -> str:
    """`var {.a, .b}`: only these stored properties (plain identifiers), the time stamps as ISO text (items.STAMPS)."""
    for name in fields:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a property name a read can use")
    stamps = {"createdAt", "updatedAt"}
    parts = [f"{name}: toString({var}.{name})" if name in stamps else f".`{name}`" for name in sorted(fields)]
    return f"{var} {{{', '.join(parts)}}}"


def _relation(read: RelationRead) -> str:
    way = "out" if read.outgoing else "in"
    item = _load("items/selected/item_full") if read.fields is None else _projection("b", read.fields)
    if read.edges:
        item = _load("items/selected/edge").replace("{{item}}", item)
    return _load(f"items/selected/related_{way}").replace("{{rel}}", read.rel.value).replace("{{item}}", item)


def cypher(
    name: str,
    *,
    label: Kind | None = None,
    rel: Rel | None = None,
    props: Iterable[str] = (),
    site: bool = False,
    owner: bool = False,
    after: bool = False,
    relations: Sequence[RelationRead] | None = None,
    fields: Sequence[str] | None = None,
) -> LiteralString:
    """The statement `cypher/<name>.cypher`, with `{{label}}` / `{{rel}}` filled from the vocabulary, `{{filters}}`
    with an equality on `n` for each of `props` (compared with `$props`) and, with `site` / `owner`, its link to
    `$site` / `$owner` (`true` when there is no filter), `{{after}}` with the page's keyset condition (`after`: past
    `$after`), `{{relations}}` with a list for each of `relations` (see the module's docstring) and `{{node}}` with
    the properties of `n` a selected read returns (`fields`; None: all)."""
    text = _load(name)
    names = sorted(props)
    for prop in names:
        if not _NAME.fullmatch(prop):
            raise ValueError(f"{prop!r} is not a property name a filter can use")
    values = {
        "label": label.label if label else None,
        "rel": rel.value if rel else None,
        "filters": " AND ".join(
            [
                *(f"n.`{p}` = $props.`{p}`" for p in names),
                *(["EXISTS { (n)-[:LOCATED_AT]->(:Item {id: $site}) }"] if site else []),
                *(["EXISTS { (n)-[:OWNED_BY]->(:Item {id: $owner}) }"] if owner else []),
            ]
        )
        or "true",
        "after": "n.id > $after" if after else "n.id IS NOT NULL",
        "relations": None if relations is None else ", ".join(_relation(r) for r in relations),
        "node": _load("items/selected/node_full") if fields is None else _projection("n", fields),
    }

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            raise KeyError(f"{name}.cypher needs {match.group(1)!r}")
        return value

    # The filled-in names come from enums, from the code's filter fields (checked to be plain identifiers) and from
    # the fragment files, so the result is as trusted as the file itself.
    statement = _PLACEHOLDER.sub(fill, text)
    if len(_NAMES) < _MAX_NAMES:
        _NAMES.setdefault(statement, name)
    return statement


def statement_name(text: str) -> str | None:
    """The cypher/ file a statement came from (None: not one of them, e.g. a migration)."""
    return _NAMES.get(text)
