"""The one list of error codes (graphsvc/graphql/error_codes.py) is complete and documented: each code has a meaning
and a status, docs/api.md lists exactly these codes, and each class of graphsvc's error tree carries one of them."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import GraphQLError

import graphsvc.errors as errors
from graphsvc.graphql.error_codes import MEANING, STATUS, Code, code_of

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_codes() -> list[str]:
    """The codes in the first column of docs/api.md's "Errors and codes" table."""
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("## Errors and codes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE)


def test_every_code_has_a_meaning_and_a_status() -> None:
    assert set(MEANING) == set(Code) == set(STATUS)
    assert all(400 <= status < 600 for code, status in STATUS.items() if not code.startswith("PERSISTED_QUERY_NOT_"))
    assert all(code.value == code.name for code in Code)


def test_docs_list_exactly_the_codes_once_each() -> None:
    listed = documented_codes()
    assert len(listed) == len(set(listed)), "a code is listed twice"
    assert set(listed) == {code.value for code in Code}


def test_each_class_of_the_error_tree_carries_a_listed_code() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    coded = {cls: cls.code for cls in classes if "code" in vars(cls)}
    assert set(coded.values()) <= {code.value for code in Code}, coded
    # every request error and the database's unavailability and timeouts say what they are; a DatabaseError (a bug
    # or a server fault) is masked as INTERNAL_SERVER_ERROR, which the base class has no code for
    for cls in classes:
        if issubclass(cls, errors.RequestError | errors.DatabaseUnavailable | errors.QueryTimeout):
            assert getattr(cls, "code", None) in set(Code), cls


def test_an_argument_graphql_core_refuses_as_it_runs_is_the_requests_fault() -> None:
    null = GraphQLError("Argument 'first' of non-null type 'Int!' must not be null.")
    assert code_of(null) == Code.BAD_USER_INPUT  # a directive's, raised as it is
    assert code_of(GraphQLError(null.message, original_error=null)) == Code.BAD_USER_INPUT  # a field's, located
    # what a resolver returned, and the schema's own defaults, are the server's
    not_null = TypeError("Cannot return null for non-nullable field Query.services.")
    assert code_of(GraphQLError(str(not_null), original_error=not_null)) == Code.INTERNAL_SERVER_ERROR
    serialised = GraphQLError("Int cannot represent non-integer value: 'x'")
    assert code_of(GraphQLError(serialised.message, original_error=serialised)) == Code.INTERNAL_SERVER_ERROR
    default = GraphQLError("Argument 'first' has invalid default value 'x'.")
    assert code_of(GraphQLError(default.message, original_error=default)) == Code.INTERNAL_SERVER_ERROR
