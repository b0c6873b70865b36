"""Reading a discovery input file into documents, safely: UTF-8 only, JSON or YAML, bounded.

A discovery file comes from outside (a cluster dump, a CI artefact) and may be hostile; reading one must fail with a
clear `DiscoveryInputError` naming the file and document, never hang, exhaust memory or run code:

- bytes must be UTF-8 (a byte-order mark is allowed); a file over `MAX_FILE_BYTES` is refused before decoding;
- text that starts with `{` or `[` is read as JSON first (the C decoder: a 50 MB `kubectl get -o json` list in
  seconds); anything else, and JSON that does not parse, as YAML;
- YAML is read only with `BoundedLoader`, a safe loader (libyaml's when present: no Python objects, no tags beyond
  YAML's own) that refuses a document whose aliases would expand past `ALIAS_NODE_BUDGET` nodes, or which refers
  to itself: the "billion laughs" document is ten aliases of ten aliases of ..., a few hundred bytes that expand to
  a billion nodes for whoever walks them. libyaml refuses nesting deeper than 1,000 levels by itself;
- an empty document (`---` with nothing after it) is skipped.

One broken document fails the whole file, on purpose: a reader that read half a file would report the other half as
gone, and reconciliation would retire it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

__all__ = [
    "ALIAS_NODE_BUDGET",
    "MAX_FILE_BYTES",
    "BoundedLoader",
    "DiscoveryInputError",
    "decode_text",
    "read_documents",
]

MAX_FILE_BYTES = 128 * 1024 * 1024
# How many nodes the aliases of one document may add when expanded: enough for shared env blocks and YAML merge keys
# (`<<: *defaults`) across many workloads, far below what an alias bomb needs to hurt.
ALIAS_NODE_BUDGET = 100_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DiscoveryInputError(ValueError):
    """An input file cannot be read; the message names the file (and document) and says why. Nothing was read from
    it: the run stops rather than treat the file as partly empty."""


class AliasBudgetExceeded(yaml.YAMLError):
    """A YAML document whose aliases expand past the budget, or refer to the node that holds them."""


class BoundedLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that checks each composed document before constructing it: its aliases may add at most
    `ALIAS_NODE_BUDGET` nodes when expanded, and none may refer to a node that contains it (an endless document).
    The check walks each distinct node once, so it costs as much as the document's own size."""

    def construct_document(self, node: yaml.Node) -> Any:
        check_alias_expansion(node, ALIAS_NODE_BUDGET)
        return super().construct_document(node)


def check_alias_expansion(root: yaml.Node, budget: int) -> None:
    """Raise `AliasBudgetExceeded` when the node graph under `root` holds a cycle, or when its shared nodes (aliases)
    would add more than `budget` nodes if expanded into a tree. Iterative: a deep document cannot overflow the
    stack here."""
    sizes: dict[int, int] = {}  # id(node) -> nodes in its expanded tree, once it is done
    open_nodes: set[int] = set()
    added = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            open_nodes.discard(key)
        elif key in open_nodes:
            raise AliasBudgetExceeded("an alias refers to a node that contains it (an endless document)")
        elif key in sizes:  # a node met again: an alias, whose whole tree an expansion would copy
            added += sizes[key]
            if added > budget:
                raise AliasBudgetExceeded(f"its aliases expand past {budget:,} nodes (an alias bomb?)")
        else:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_documents(name: str, data: bytes) -> Iterator[tuple[str, Any]]:
    """Each non-empty document of the file `name`, with where it is (`"name, document N"`, N from 1), as plain JSON
    values (dicts, lists, strings, numbers, booleans, None; YAML timestamps as datetimes)."""
    text = decode_text(name, data)
    if text.lstrip()[:1] in ("{", "["):
        try:
            yield f"{name}, document 1", json.loads(text)
            return
        except RecursionError:
            raise DiscoveryInputError(f"{name}: nested too deeply to read") from None
        except ValueError:
            pass  # YAML's flow style starts the same way; YAML's error is the one reported
    yield from _yaml_documents(name, text)


def decode_text(name: str, data: bytes) -> str:
    """`data` as text: UTF-8 with or without a byte-order mark, at most `MAX_FILE_BYTES`; else DiscoveryInputError."""
    if len(data) > MAX_FILE_BYTES:
        raise DiscoveryInputError(f"{name}: {len(data):,} bytes is more than the {MAX_FILE_BYTES:,} a file may hold")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DiscoveryInputError(f"{name}: not UTF-8 text (byte {e.start} is {data[e.start]:#04x})") from None


def _yaml_documents(name: str, text: str) -> Iterator[tuple[str, Any]]:
    number = 0
    loader = BoundedLoader(text)
    try:
        while True:
            number += 1  # the document being read, for the error message
            if not loader.check_data():
                break
            document = loader.get_data()
            if document is not None:
                yield f"{name}, document {number}", document
    except yaml.MarkedYAMLError as e:
        raise DiscoveryInputError(f"{name}, document {number}: {_marked(e)}") from None
    except yaml.YAMLError as e:
        raise DiscoveryInputError(f"{name}, document {number}: {e}") from None
    except RecursionError:
        raise DiscoveryInputError(f"{name}, document {number}: nested too deeply to read") from None
    finally:
        loader.dispose()


def _marked(error: yaml.MarkedYAMLError) -> str:
    """YAML's message with its line and column but without its snippet of the input: the snippet may show a
    password from the line that failed."""
    mark = error.problem_mark or error.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{error.context + ', ' if error.context else ''}{error.problem or 'invalid YAML'}{where}"
