"""JSON in and out as other tools read it: finite numbers, integers JSON readers keep exactly, bounded nesting.

Python's json module reads `NaN`, `Infinity` and `1e999` (none of them JSON), integers of any size (until a
5,000-digit one raises a conversion error) and nesting until the interpreter's recursion limit. `loads` refuses
all of these with a `JsonRefused` that says what was wrong and, for numbers, where (a path such as
`cis[3].attributes.weight`); `dumps` refuses to write a non-finite number rather than write a file that is not JSON.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

from graphsvc.domain.text import find_lone_surrogate, printable

__all__ = [
    "MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "JsonRefused",
    "clean",
    "decode_text",
    "dumps",
    "loads",
    "lone_surrogate_paths",
    "unsafe_numbers",
]

MAX_DEPTH = 64  # far deeper than any exchange document (4 levels) or GraphQL request needs
MAX_SAFE_INTEGER = 2**53  # JavaScript and most JSON readers hold integers exactly only up to here
_MAX_INT_DIGITS = 20  # longer integer literals are refused before Python converts them
# A lone surrogate: half of a UTF-16 pair without the other, which JSON's \\u escapes can spell and Python's json
# reads (a pair it makes one character), but which is no character: UTF-8 cannot encode it, so neither Neo4j nor a
# content hash can take it. `_MAYBE_SURROGATE` finds the texts that could hold one (a false alarm costs one walk).
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class JsonRefused(ValueError):
    """Text that is not JSON graphsvc accepts; the message says why."""


class _Refused:
    """Stands in, while parsing, for a number that is refused: the walk afterwards names its path."""

    def __init__(self, text: str, why: str) -> None:
        self.text, self.why = text, why


def _constant(name: str) -> _Refused:
    return _Refused(name, f"{name} is not a JSON number (numbers must be finite)")


def _float(text: str) -> float | _Refused:
    value = float(text)
    if math.isfinite(value):
        return value
    return _Refused(text, f"{text} is too large to be a finite number")


def _int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _Refused(text[:24] + "...", f"an integer of {len(text.lstrip('-'))} digits is out of range")
    return int(text)


def decode_text(data: bytes, what: str = "the document") -> str:
    """`data` as text: UTF-8 (a byte-order mark is allowed), or UTF-16/32 when a byte-order mark says so."""
    encoding = json.detect_encoding(data)
    if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise JsonRefused(
            f"{what} is not valid {exc.encoding.upper()} (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def _path(parent: str, key: str | int) -> str:
    """A path one level down; a key is shown `printable` (a message naming it is printed and logged)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    shown = printable(key)
    return f"{parent}.{shown}" if parent else shown


def unsafe_numbers(value: Any, path: str = "", depth: int = 0) -> list[str]:
    """Every refused number in a parsed value, as "path: why"; also every nesting deeper than MAX_DEPTH.

    Integers beyond +-2^53 and non-finite floats that reached here by another road than `loads` (a Python caller,
    a GraphQL literal) are refused too."""
    if depth > MAX_DEPTH:
        return [f"{path or 'the document'}: nests more than {MAX_DEPTH} levels deep"]
    if isinstance(value, _Refused):
        return [f"{path or 'the document'}: {value.why}"]
    if isinstance(value, bool):
        return []
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{path or 'the document'}: {value} is not a finite number"]
    if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        return [f"{path or 'the document'}: {value} is out of range (integers must be within +-2^53)"]
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += unsafe_numbers(item, _path(path, str(key)), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unsafe_numbers(item, _path(path, index), depth + 1)
    return found


def lone_surrogate_paths(value: Any, path: str = "", depth: int = 0) -> list[str]:
    """Every string and key in a parsed value that holds a lone surrogate, as "path: why" (printable: the path
    shows a key's lone surrogates and control characters as escapes); not looked for deeper than MAX_DEPTH
    (`unsafe_numbers` says so)."""
    found: list[str] = []
    if depth > MAX_DEPTH:
        return found
    if isinstance(value, str):
        if hit := find_lone_surrogate(value):
            found.append(
                f"{path or 'the document'}: holds a lone surrogate (\\u{ord(hit[0]):04x}), half of a UTF-16 pair, "
                "which is no character (JSON spells one beyond U+FFFF as a pair: \\ud800-\\udbff then \\udc00-\\udfff)"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            shown = _path(path, str(key))
            found += lone_surrogate_paths(key, f"{shown} (the key)")
            found += lone_surrogate_paths(item, shown, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += lone_surrogate_paths(item, _path(path, index), depth + 1)
    return found


def clean(value: Any, depth: int = 0) -> bool:
    """Whether `unsafe_numbers` finds nothing in `value`: its walk without the paths, which only a value it refuses
    needs (every request's body is walked; nearly all are clean)."""
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            if not clean(item, depth + 1):
                return False
        return True
    if isinstance(value, str | bool):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return abs(value) <= MAX_SAFE_INTEGER
    return not isinstance(value, _Refused)


def loads(data: str | bytes, what: str = "the document") -> Any:
    """Parse JSON, refusing what other tools could not read back (see the module docstring)."""
    text = decode_text(data, what) if isinstance(data, bytes) else data
    # The common case first: orjson reads RFC 8259 JSON only (no NaN, no lone surrogate), four times as fast as
    # json with the hooks below (a 463 MB document: 3.2 s and 13.3 s). What it refuses, or gives back with a number
    # beyond +-2^53 (it makes a float of an integer too long for 64 bits) or nested too deeply, is read again by
    # `_checked_loads`, which refuses it or says what is wrong and where, as it always did. One difference, of no
    # consequence: a value nested about a thousand deep under a key that is given again later is dropped by both,
    # but json's recursion limit (which depends on how deep the caller's stack is) refused such a text on the way,
    # where orjson (to 1,024 levels) does not; what either gives back is nested at most MAX_DEPTH deep.
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        if _plain(value):
            return value
    return _checked_loads(text, what)


def _plain(value: Any) -> bool:
    """Whether a value orjson read holds only strings, booleans, nulls, numbers within +-2^53 (floats too), lists
    and objects, nested at most MAX_DEPTH deep: `clean` but stricter about floats, without recursion."""
    level: list[Any] = [[value]]  # the value as the one item of a list above the root
    depth = -1  # of the containers in `level`; their items are one deeper
    while level:
        below: list[Any] = []
        for container in level:
            items = container.values() if type(container) is dict else container
            if depth >= MAX_DEPTH and items:
                return False
            for item in items:
                kind = type(item)
                if kind is str or kind is bool or item is None:
                    continue
                if kind is dict or kind is list:
                    below.append(item)
                elif not ((kind is int or kind is float) and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER):
                    return False
        level = below
        depth += 1
    return True


def _checked_loads(text: str, what: str) -> Any:
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise JsonRefused(f"{what} nests too deeply (at most {MAX_DEPTH} levels)") from None
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"{what} is not valid JSON: {exc}") from None
    problems = [] if clean(value) else unsafe_numbers(value)
    if _MAYBE_SURROGATE.search(text):
        problems += lone_surrogate_paths(value)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise JsonRefused(f"{what} holds values graphsvc does not accept: {shown}")
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """json.dumps that refuses non-finite numbers (ValueError) instead of writing NaN or Infinity."""
    return json.dumps(value, allow_nan=False, **kwargs)
