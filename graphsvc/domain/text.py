"""Text that cannot disguise itself: control characters and bidirectional overrides in names, terminals and Markdown.

A name or title is shown in GraphiQL, reports, CAB packs and terminals; a C0/C1 control character (an ANSI escape
sequence, a carriage return that overwrites a line) or a bidirectional override (text that reads differently from
how it is stored) in one can mislead whoever reads it. Names and titles refuse them; free text (descriptions,
attribute values) keeps tab and newline and loses the rest; anything printed to a terminal goes through `printable`.

A lone surrogate (half of a UTF-16 pair, which JSON's \\u escapes can spell and Python strings can hold) is no
character at all: neither UTF-8, Neo4j nor a content hash can take one. JSON documents are refused for one
(safe_json); text from elsewhere is treated as for a control character: free text loses it, a name is refused.
"""

from __future__ import annotations

import re

__all__ = [
    "control_characters",
    "find_control",
    "find_lone_surrogate",
    "lone_surrogates",
    "printable",
    "strip_controls",
]

# C0 (but tab, newline, carriage return in free text), DEL, C1, and the bidirectional embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069); the marks U+200E/U+200F are allowed: they reorder nothing by themselves.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FREE_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
find_lone_surrogate = _SURROGATE.search
# The first control, bidirectional or lone surrogate character in a text, or None: a name's check (most names have
# none), before `control_characters` and `lone_surrogates` say which.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
find_control = _SUSPECT.search


def control_characters(text: str) -> list[str]:
    """The control and bidirectional characters in `text`, as U+XXXX, in order, each once."""
    seen: dict[str, None] = {}
    for char in _CONTROL.findall(text):
        seen[f"U+{ord(char):04X}"] = None
    return list(seen)


def lone_surrogates(text: str) -> list[str]:
    """The lone surrogates in `text`, as U+XXXX, in order, each once."""
    return list(dict.fromkeys(f"U+{ord(char):04X}" for char in _SURROGATE.findall(text)))


def strip_controls(text: str) -> str:
    """Free text without the characters names refuse, keeping tab, newline and carriage return (and without lone
    surrogates)."""
    return _FREE_TEXT_CONTROL.sub("", text)


def printable(text: str) -> str:
    """`text` safe to print to a terminal: every control, bidirectional or lone surrogate character shown as an escape
    (\\x1b, \\ud800)."""
    return _SUSPECT.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
