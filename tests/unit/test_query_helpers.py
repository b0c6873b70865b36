"""Helpers that turn user input into queries: `lucene_query` (free-text search), the opaque page cursors and the page
statements' conditions."""

from __future__ import annotations

import base64
import re

import pytest
from graphql import GraphQLError
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.db.cypher import cypher
from graphsvc.db.items import lucene_query, native_props
from graphsvc.db.migrate import migrations
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql.pagination import decode_cursor, encode_cursor

# The Lucene classic query parser's special characters and two-character operators
# (https://lucene.apache.org/core/9_0_0/queryparser/org/apache/lucene/queryparser/classic/package-summary.html).
# A single "&" or "|" is an ordinary term character, and "&&" / "||" are operators only where a token starts with
# them: inside a term (after an escaped first character, say) they are text.
SPECIAL = frozenset('+-!(){}[]^"~*?:\\/')
OPERATORS = ("&&", "||")
KEYWORDS = frozenset({"and", "or", "not", "to"})  # AND, OR, NOT and the TO of ranges; lucene_query drops them
LUCENE_WHITESPACE = frozenset(" \t\n\r\u3000")


def unescape(word: str) -> str:
    """The literal text of one query word; fails on anything the query parser would read as syntax."""
    assert not word.startswith(OPERATORS), f"{word!r} starts with an operator"
    out, i = [], 0
    while i < len(word):
        char = word[i]
        assert char not in LUCENE_WHITESPACE, f"whitespace in {word!r}"
        if char == "\\":
            assert i + 1 < len(word), f"dangling escape in {word!r}"
            out.append(word[i + 1])
            i += 2
            continue
        assert char not in SPECIAL, f"unescaped {char!r} in {word!r}"
        out.append(char)
        i += 1
    return "".join(out)


def parse(query: str) -> list[str]:
    """The terms of a lucene_query result, which is `w OR w*` for each term w (all optional, prefix-matched)."""
    if not query:
        return []
    tokens = query.split(" ")
    assert len(tokens) % 3 == 0, query
    terms = []
    for word, op, prefix in zip(tokens[::3], tokens[1::3], tokens[2::3], strict=True):
        assert word, query
        assert op == "OR", query
        assert prefix == f"{word}*", query
        assert word.lower() not in KEYWORDS, query
        terms.append(unescape(word))
    return terms


def expected_terms(text: str) -> list[str]:
    return [t for t in text.split()[:16] if t.lower() not in KEYWORDS]


_NASTY = [*SPECIAL, "&", "|", "&&", "||", " ", "\t", "\n", "\u3000", "\xa0", "a", "Z", "é", "AND", "or", "Not", "TO"]
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from([c for c in _NASTY if len(c) == 1])),
    st.lists(st.sampled_from([*_NASTY, "svc", "db-01", "a:b", "\\", "\\\\", "*", "?x"]), max_size=24).map("".join),
    st.lists(st.sampled_from([*_NASTY, "svc", "db-01", "a:b"]), max_size=24).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_lucene_query_escapes_every_special_character_and_operator(text: str) -> None:
    query = lucene_query(text)
    assert parse(query) == expected_terms(text)


@pytest.mark.parametrize("char", sorted(SPECIAL))
def test_each_special_character_is_escaped(char: str) -> None:
    assert lucene_query(f"a{char}b") == f"a\\{char}b OR a\\{char}b*"
    assert lucene_query(char) == f"\\{char} OR \\{char}*"


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("web shop", "web OR web* shop OR shop*"),
        ("cats AND dogs or birds NOT fish", "cats OR cats* dogs OR dogs* birds OR birds* fish OR fish*"),
        ("[1 TO 5]", "\\[1 OR \\[1* 5\\] OR 5\\]*"),
        ("a & b | c", "a OR a* & OR &* b OR b* | OR |* c OR c*"),
        ("name:x*", "name\\:x\\* OR name\\:x\\**"),
        ('"quoted" ~2 ^3', '\\"quoted\\" OR \\"quoted\\"* \\~2 OR \\~2* \\^3 OR \\^3*'),
        ("C:\\dir/file", "C\\:\\\\dir\\/file OR C\\:\\\\dir\\/file*"),
        ("-excluded +required !not", "\\-excluded OR \\-excluded* \\+required OR \\+required* \\!not OR \\!not*"),
    ],
)
def test_lucene_query_examples(text: str, query: str) -> None:
    assert lucene_query(text) == query
    parse(query)


@pytest.mark.parametrize("text", ["a && b", "&&", "||", "a||b", "&&&", "||||x", "|| &&", "x&&", "&&x||"])
def test_the_two_character_operators_never_start_a_token(text: str) -> None:
    query = lucene_query(text)
    assert not any(token.startswith(OPERATORS) for token in query.split(" ")), query
    assert parse(query) == expected_terms(text)


@pytest.mark.parametrize("text", ["", " ", "   ", "\t\n", "\u3000", " \xa0 ", "AND", "or not TO", " and "])
def test_lucene_query_of_nothing_to_search_is_empty(text: str) -> None:
    assert lucene_query(text) == ""


@given(text=st.text(alphabet=st.sampled_from(" \t\n\r\f\v\u3000\xa0\u2003\u2028")))
def test_lucene_query_of_whitespace_is_empty(text: str) -> None:
    assert lucene_query(text) == ""


def test_lucene_query_keeps_at_most_16_terms() -> None:
    text = " ".join(f"t{i}" for i in range(40))
    assert parse(lucene_query(text)) == [f"t{i}" for i in range(16)]


# ---------------------------------------------------------------------------------------------------------------------
# Cursors.


@given(item_id=st.text())
def test_cursor_round_trips_any_id(item_id: str) -> None:
    cursor = encode_cursor(item_id)
    assert re.fullmatch(r"[A-Za-z0-9_\-]*=*", cursor), "cursors are URL-safe"
    assert decode_cursor(cursor) == item_id


@given(item_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}", fullmatch=True))
def test_cursor_round_trips_exchange_ids(item_id: str) -> None:
    assert decode_cursor(encode_cursor(item_id)) == item_id


def test_no_cursor_means_the_first_page() -> None:
    assert decode_cursor(None) is None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


GARBAGE = [
    "",
    "x",
    "abc",
    "not a cursor",
    "!!!!",
    "item:SVC-1",
    "aXRlbQ",  # "item" without padding
    _b64(b"item"),
    _b64(b"ITEM:SVC-1"),
    _b64(b"other:SVC-1"),
    _b64(b"\xff\xfeitem:"),
    _b64(b"\x80item:SVC-1"),
    _b64(b"item:SVC-1")[:-2],  # truncated
    "\ud800",
    "é" * 8,
]


@pytest.mark.parametrize("cursor", GARBAGE, ids=repr)
def test_decoding_garbage_is_a_bad_user_input_error(cursor: str) -> None:
    with pytest.raises(GraphQLError) as caught:
        decode_cursor(cursor)
    assert caught.value.extensions is not None
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"
    assert caught.value.extensions["argument"] == "after"
    assert repr(cursor) in caught.value.message


@given(cursor=st.one_of(st.text(), st.binary().map(_b64), st.text().map(lambda t: _b64(t.encode())[1:])))
def test_decoding_arbitrary_text_returns_an_id_or_a_bad_user_input_error(cursor: str) -> None:
    try:
        item_id = decode_cursor(cursor)
    except GraphQLError as exc:
        assert exc.extensions is not None
        assert exc.extensions["code"] == "BAD_USER_INPUT"
    else:
        assert isinstance(item_id, str)
        assert decode_cursor(encode_cursor(item_id)) == item_id


def test_property_filters_are_written_out_so_an_index_can_serve_them() -> None:
    statement = cypher("items/count", label=Kind.CONFIGURATION_ITEM, props={"type": "SERVER", "status": "LIVE"})
    assert "n.`status` = $props.`status` AND n.`type` = $props.`type`" in statement
    assert "WHERE true" in cypher("items/count", label=Kind.CONFIGURATION_ITEM)  # no filter: every item


@pytest.mark.parametrize("name", ["items/page", "items/page_selected", "items/count"])
@pytest.mark.parametrize("site", [False, True])
@pytest.mark.parametrize("owner", [False, True])
@pytest.mark.parametrize("after", [False, True])
def test_a_page_holds_only_the_conditions_its_read_has(name: str, site: bool, owner: bool, after: bool) -> None:
    """No `$x IS NULL OR ...` guard, which keeps Neo4j from the id index and the count store: each condition is
    written when the read has it, and only then."""
    extra = {"relations": [], "fields": ("id",)} if name == "items/page_selected" else {}
    statement = cypher(name, label=Kind.SERVICE, site=site, owner=owner, after=after, **extra)  # type: ignore[arg-type]
    assert "IS NULL" not in statement
    assert ("$site" in statement) is site
    assert ("$owner" in statement) is owner
    if name != "items/count":  # a count has no keyset
        assert ("n.id > $after" in statement) is after
        assert ("n.id IS NOT NULL" in statement) is not after  # the first page: read in the id index's order
    else:
        assert "$after" not in statement


def test_every_kind_is_paged_from_an_id_index_of_its_label() -> None:
    """schema/0013: a page matches its kind's label, so each label needs its own index on id to read a page in id
    order (the unique index is on :Item); a kind added without one would scan and sort all its items per page."""
    created = " ".join(s for m in migrations() for s in m.statements)
    for kind in Kind:
        assert f"FOR (n:{kind.label}) ON (n.id)" in created, kind


@pytest.mark.parametrize("name", ["type` = 1 OR true OR n.`x", "a b", "1type", "", "type\n"])
def test_a_property_name_that_is_not_a_plain_identifier_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a property name"):
        cypher("items/page", label=Kind.CONFIGURATION_ITEM, props={name: "x"})


def test_item_timestamps_come_back_as_times_whatever_zone_the_server_writes() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    props = native_props(
        {
            "createdAt": "2026-11-25T22:11:20.123456789Z",
            "updatedAt": "2026-11-26T01:00:00+01:00[Europe/Paris]",  # db.temporal.timezone set to a region
        }
    )
    assert props["createdAt"] == datetime(2026, 11, 25, 22, 11, 20, 123456, tzinfo=UTC)
    assert props["updatedAt"] == datetime(2026, 11, 26, 1, tzinfo=timezone(timedelta(hours=1)))
    assert native_props({"createdAt": "not a time"})["createdAt"] == "not a time"  # kept, not a failed read
