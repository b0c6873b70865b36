"""web/logs.py `redact` looks for a token's mark (gsvc, bearer, =) before its patterns: the answer is the patterns'
own, for any text (hypothesis, over texts made of the patterns' own pieces and anything else)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.web import logs

PIECES = st.sampled_from(
    [
        "gsvc_",
        "gsvc%5F",
        "GSVC_",
        "Bearer ",
        "bearer\t",
        "BEARER  ",
        "?token=",
        "&access_token=",
        "#auth=",
        ";api-key=",
        "password=",
        "=",
        "?",
        "&",
        "#",
        " ",
        "abc",
        "A1_",
        "%",
        "'",
        '"',
        "/graphql",
        "127.0.0.1:5000",
        "é",
    ]
)
TEXTS = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=12).map("".join))


def _patterns_only(text: str) -> str:
    for pattern, replacement in logs._PATTERNS:
        text = pattern.sub(replacement, text)
    return text


@given(TEXTS)
def test_the_same_as_the_patterns_alone(text: str) -> None:
    assert logs.redact(text) == _patterns_only(text)


def test_a_token_is_still_redacted() -> None:
    assert (
        logs.redact("GET /graphql?access_token=gsvc_abc123 HTTP/1.1") == "GET /graphql?access_token=[redacted] HTTP/1.1"
    )
    assert logs.redact("Authorization: Bearer xyz") == "Authorization: Bearer [redacted]"
    assert logs.redact("POST /graphql") == "POST /graphql"
