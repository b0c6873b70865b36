"""Every GraphQL example in the README and docs/ is a document the schema accepts (so an analyst can paste it)."""

from __future__ import annotations

import re

import pytest
from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.conftest import REPO

SCHEMA = build_schema()._schema
EXAMPLES = [
    (f"{path.relative_to(REPO)}#{n}", block)
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for n, block in enumerate(re.findall(r"```graphql\n(.*?)```", path.read_text(encoding="utf-8"), re.S))
]


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("where", "document"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_validates(where: str, document: str) -> None:
    assert [str(e) for e in validate(SCHEMA, parse(document))] == []
