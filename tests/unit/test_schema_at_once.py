"""The schema after a bulk import is made all at once (db/migrate.py `schema_after_bulk_import`): the migrations'
CREATE INDEX and CREATE CONSTRAINT statements out of their order, the other statements after them. That is the same
schema only while no statement drops or alters what an earlier one made (`made_at_once`), and while every statement
that makes schema is seen as one."""

from __future__ import annotations

import re

import pytest

from graphsvc.db.migrate import _FULLTEXT, _SCHEMA, Migration, made_at_once, migrations


def test_the_shipped_migrations_may_be_made_at_once() -> None:
    assert made_at_once(migrations())


@pytest.mark.parametrize(
    "statement",
    ["DROP INDEX ci_type IF EXISTS", "drop constraint item_id_unique", "ALTER CURRENT GRAPH TYPE SET {}"],
)
def test_a_migration_that_drops_or_alters_schema_is_made_in_order(statement: str) -> None:
    shipped = [*migrations(), Migration(99, "later", ("CREATE INDEX x IF NOT EXISTS FOR (n:X) ON (n.x)", statement))]
    assert not made_at_once(shipped)


def test_every_statement_that_makes_schema_is_seen_as_one() -> None:
    statements = [s for m in migrations() for s in m.statements]
    schema = [s for s in statements if _SCHEMA.match(s)]
    assert schema and [s for s in schema if _FULLTEXT.match(s)]
    for statement in statements:
        if not _SCHEMA.match(statement):
            assert not re.search(r"\b(INDEX|CONSTRAINT)\b", statement, re.IGNORECASE), statement
