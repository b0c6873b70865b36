"""safe_json and text: the pure checks behind every entry that refuses poisoned numbers and disguised text."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain.safe_json import (
    MAX_DEPTH,
    MAX_SAFE_INTEGER,
    JsonRefused,
    _checked_loads,
    _Refused,
    clean,
    dumps,
    loads,
    lone_surrogate_paths,
    unsafe_numbers,
)
from graphsvc.domain.text import control_characters, lone_surrogates, printable, strip_controls

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_what_json_can_carry_round_trips(value: Any) -> None:
    assert loads(dumps(value)) == value


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_input_is_parsed_or_refused_never_crashes(data: str | bytes) -> None:
    try:
        loads(data)
    except JsonRefused as exc:
        assert str(exc)


@given(st.lists(st.sampled_from(["[", "{", '"a":', "NaN", "1e999", "-Infinity", "1", ",", "]", "}"]), max_size=40))
def test_fragments_of_poison_are_refused_or_parsed_clean(parts: list[str]) -> None:
    try:
        value = loads("".join(parts))
    except JsonRefused:
        return
    assert unsafe_numbers(value) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"a": NaN}', "a: NaN is not a JSON number"),
        ('{"a": [0, -Infinity]}', "a[1]: -Infinity is not a JSON number"),
        ('{"a": 1e309}', "a: 1e309 is too large to be a finite number"),
        ('{"a": 9007199254740993}', "a: 9007199254740993 is out of range"),
        ('{"a": -' + "1" * 30 + "}", "a: an integer of 30 digits is out of range"),
        ("[" * 5000 + "]" * 5000, "nests"),
        ("{", "is not valid JSON"),
        ('{"a": {"b": ["x\\ud800y"]}}', "a.b[0]: holds a lone surrogate (\\ud800), half of a UTF-16 pair"),
        ('{"k\\udfffey": {"c": "\\udbff"}}', "k\\udfffey (the key): holds a lone surrogate (\\udfff)"),
        ('{"k\\udfffey": {"c": "\\udbff"}}', "k\\udfffey.c: holds a lone surrogate (\\udbff)"),
        ('["\\ude00\\ud83d"]', "[0]: holds a lone surrogate (\\ude00)"),  # a pair in the wrong order is two
        ('["\\ud800", 1e999]', "[1]: 1e999 is too large to be a finite number; [0]: holds a lone surrogate"),
        # a key is named as it can be printed
        ('{"k\\ud800": 1e999}', "k\\ud800: 1e999 is too large to be a finite number"),
        ('{"a\\u001b[2Jb": NaN}', "a\\x1b[2Jb: NaN is not a JSON number"),
    ],
)
def test_what_is_refused_says_where(text: str, says: str) -> None:
    with pytest.raises(JsonRefused) as refused:
        loads(text)
    assert says in str(refused.value)
    assert control_characters(str(refused.value)) == lone_surrogates(str(refused.value)) == []


@given(st.text(max_size=8), st.characters(categories=["Cs"]), st.text(max_size=8), st.booleans())
def test_a_lone_surrogate_anywhere_in_a_string_is_refused_with_its_path(
    before: str, surrogate: str, after: str, escaped: bool
) -> None:
    # st.text draws no surrogates, so the one drawn has no pair: as a \\u escape (what JSON writers give) or, in a
    # Python string handed to loads, as the character itself
    text = json.dumps({"cis": [{"note": before + surrogate + after}]}, ensure_ascii=escaped)
    with pytest.raises(JsonRefused) as refused:
        loads(text)
    assert f"cis[0].note: holds a lone surrogate (\\u{ord(surrogate):04x})" in str(refused.value)
    str(refused.value).encode()  # printable as UTF-8, whatever it names


def test_a_pair_is_one_character_and_an_escaped_backslash_is_no_escape() -> None:
    assert loads('{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}') == {"a": "\U0001f600", "b": "\\ud800"}
    assert lone_surrogate_paths({"a": ["\U0001f600", {"\u00e9": "\\ud800"}]}) == []


def test_encodings() -> None:
    assert loads(b'\xef\xbb\xbf{"a": "\xc3\xa9"}') == {"a": "é"}
    assert loads('{"a": "é"}'.encode("utf-16")) == {"a": "é"}
    with pytest.raises(JsonRefused, match="not valid UTF-8"):
        loads(b'{"a": "\xe9"}')


def test_dumps_refuses_non_finite_numbers() -> None:
    with pytest.raises(ValueError):
        dumps({"a": math.inf})
    assert json.loads(dumps({"a": 1.5})) == {"a": 1.5}


def test_unsafe_numbers_sees_python_values_too() -> None:
    assert unsafe_numbers({"x": [1, float("nan")], "y": 2**60, "z": True}) == [
        "x[1]: nan is not a finite number",
        f"y: {2**60} is out of range (integers must be within +-2^53)",
    ]


@given(st.text())
def test_printable_text_has_no_control_or_bidi_characters(text: str) -> None:
    assert control_characters(printable(text)) == []
    assert control_characters(strip_controls(text).replace("\t", "").replace("\n", "").replace("\r", "")) == []


@given(st.text(st.characters(categories=["Cs"]) | st.characters(max_codepoint=0x300)))
def test_free_text_and_printed_text_are_valid_utf8_whatever_they_held(text: str) -> None:
    printable(text).encode()  # raises for a lone surrogate left in
    strip_controls(text).encode()
    assert lone_surrogates(printable(text)) == lone_surrogates(strip_controls(text)) == []


def test_control_characters_are_named() -> None:
    assert control_characters("a\x1b[2J\u202eb\x1b") == ["U+001B", "U+202E"]
    assert printable("a\x1bb\u2066") == "a\\x1bb\\u2066"
    assert strip_controls("keep\ttab\nline\x07bell\u202e") == "keep\ttab\nlinebell"
    assert control_characters("plain é 🛒 \u200f") == []
    assert lone_surrogates("a\udc00b\ud800\udc00") == ["U+DC00", "U+D800"]
    assert printable("a\ud800") == "a\\ud800"


_anything: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.sampled_from([MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER - 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5)
    | st.builds(_Refused, st.text(max_size=3), st.text(max_size=3)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


def _nested(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


@given(_anything, st.integers(min_value=0, max_value=70))
def test_clean_is_what_unsafe_numbers_finds_nothing_in(value: Any, levels: int) -> None:
    """`loads` walks a value with paths only when the walk without them finds something (safe_json.clean)."""
    nested = _nested(value, levels)
    assert clean(nested) == (unsafe_numbers(nested) == [])


# `loads` reads with orjson first and falls back to `_checked_loads` (json with hooks): the two must agree on every
# text, accepted (the same values, of the same types) or refused (the same message); but for a value nested about a
# thousand deep that a later duplicate key drops, which json's recursion limit refused (safe_json.loads says why
# that is of no consequence).
wide_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=12,
)
pieces = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        '"a"',
        '"\\ud800"',
        '"\\u00e9"',
        "1",
        "-0",
        "2.5e3",
        "1e400",
        "9007199254740993",
        "18446744073709551616",
        "-9223372036854775809",
        "NaN",
        "true",
        "null",
        " ",
        "\n",
        '"x\ty"',
        "\ufeff",
        "0.1e-400",
    ]
)


def outcome(read: Any, text: str) -> tuple[str, str]:
    try:
        return "accepted", repr(read(text))
    except JsonRefused as exc:
        return "refused", str(exc)


@given(wide_values.map(json.dumps) | st.lists(pieces, max_size=12).map("".join) | st.text(max_size=60))
def test_the_fast_reader_agrees_with_the_checked_one(text: str) -> None:
    assert outcome(loads, text) == outcome(lambda t: _checked_loads(t, "the document"), text)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2])
@pytest.mark.parametrize("inner", ["", "1", '{"a": 1}'])
def test_both_readers_draw_the_nesting_line_in_the_same_place(depth: int, inner: str) -> None:
    text = "[" * depth + inner + "]" * depth
    assert outcome(loads, text) == outcome(lambda t: _checked_loads(t, "the document"), text)
    deepest = depth - 1 + {"": 0, "1": 1, '{"a": 1}': 2}[inner]  # the depth of the innermost value, the root's 0
    assert (outcome(loads, text)[0] == "accepted") == (deepest <= MAX_DEPTH)


def test_a_long_integer_orjson_would_make_a_float_is_refused_as_before() -> None:
    with pytest.raises(JsonRefused, match="out of range"):
        loads('{"n": 18446744073709551616}')
    assert loads('{"n": 9007199254740992, "f": 1e300}') == {"n": 9007199254740992, "f": 1e300}


def test_a_duplicate_key_keeps_the_last_value_in_both_readers_even_over_deep_nesting() -> None:
    text = '{"a": ' + "[" * 100 + "]" * 100 + ', "a": 1, "b": {"c": 2, "c": [3]}}'
    assert loads(text) == _checked_loads(text, "the document") == {"a": 1, "b": {"c": [3]}}


def test_an_exchange_document_from_python_drops_lone_surrogates_from_free_text_and_refuses_them_in_names() -> None:
    # Discovery's readers and Python callers build documents without safe_json: the exchange's own checks hold
    # the line (a lone surrogate once reached the content hash, which cannot encode it).
    from graphsvc.domain.exchange import FORMAT
    from graphsvc.domain.rows import content_hash
    from graphsvc.domain.validation import DocumentInvalid, validate_structure

    ci = {"id": "CI-1", "name": "db", "type": "SERVER", "attributes": {"note": "half\ud800 a pair"}}
    doc = validate_structure({"format": FORMAT, "configurationItems": [ci]})
    (item,) = doc.configurationItems
    assert item.attributes == {"note": "half a pair"}
    assert content_hash(item)
    for where, bad in [
        ("configurationItems[0].attributes.k\ufffd\ufffd\ufffd (the key)", {"attributes": {"k\udc00": 1}}),
        ("configurationItems[0].vendor", {"vendor": "v\udc00"}),
        ("configurationItems[0].name", {"name": "n\udc00"}),
    ]:
        with pytest.raises(DocumentInvalid) as refused:
            validate_structure({"format": FORMAT, "configurationItems": [{**ci, **bad}]})
        (problem,) = refused.value.problems
        assert problem.path == where
        assert "must be text: it holds lone surrogates, halves of UTF-16 pairs (U+DC00)" in problem.message, where
    # a key is named as it can be printed, and a name's check holds for a str subclass too (pydantic takes one)
    with pytest.raises(DocumentInvalid) as refused:
        validate_structure({"format": FORMAT, "configurationItems": [{**ci, "attributes": {"k\x1b[2J": 1}}]})
    assert [p.path for p in refused.value.problems] == ["configurationItems[0].attributes.k\\x1b[2J (the key)"]

    class Text(str):
        pass

    with pytest.raises(DocumentInvalid) as refused:
        validate_structure({"format": FORMAT, "configurationItems": [{**ci, "name": Text("a\x1b[2J")}]})
    assert "must not hold control or bidirectional-override characters (found U+001B)" in str(refused.value)
