"""Numbers that JSON cannot carry (NaN, the infinities) or that most JSON readers cannot hold exactly (beyond 2^53)
are refused by name, in a number (a dependency's weight, an attribute's value) and in an integer (a CI's
`rtoMinutes`): Python callers can pass them, and Python's json reads NaN and Infinity. Plain values pass as they are.
(The validators take a fast path for plain values, domain/exchange.py: these hold it to the checks behind it.)"""

from __future__ import annotations

import math
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from graphsvc.domain.exchange import FORMAT
from graphsvc.domain.validation import DocumentInvalid, validate_structure

_BOUND = 2**53


def _doc(weight: Any = 1.0, attribute: Any = 1, rto: Any = 60) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "configurationItems": [
            {"id": "CI-A", "name": "a", "type": "SERVER", "attributes": {"v": attribute}, "rtoMinutes": rto},
            {"id": "CI-B", "name": "b", "type": "SERVER"},
        ],
        "dependencies": [{"from": "CI-A", "to": "CI-B", "weight": weight}],
    }


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        validate_structure(doc)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


class _Level(IntEnum):
    HIGH = 3


class _Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("weight", "attribute", "rto", "expected"),
    [
        (2.5, _BOUND, 0, (2.5, _BOUND, 0)),
        (float(_BOUND), -_BOUND, _BOUND, (float(_BOUND), -_BOUND, _BOUND)),
        (3, -0.0, 5.0, (3.0, -0.0, 5)),  # an integer weight is a number; 5.0 is an integer
        (1.0, _Colour.RED, _Level.HIGH, (1.0, "red", 3)),  # enums from a Python caller, as their values
        (1.0, "tab\tand\x1b escape", 1, (1.0, "tab\tand escape", 1)),  # free text loses control characters
    ],
)
def test_plain_values_pass_as_they_are(weight: Any, attribute: Any, rto: Any, expected: tuple[Any, Any, Any]) -> None:
    doc = validate_structure(_doc(weight, attribute, rto))
    got = (doc.dependencies[0].weight, doc.configurationItems[0].attributes["v"], doc.configurationItems[0].rtoMinutes)
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_number_that_is_not_finite_is_refused(value: float) -> None:
    for doc, where in ((_doc(weight=value), "dependencies[0].weight"), (_doc(attribute=value), "attributes")):
        problems = _problems(doc)
        assert len(problems) == 1 and where in problems[0] and "finite number" in problems[0], problems


@pytest.mark.parametrize("value", [_BOUND + 1, -_BOUND - 1, float(_BOUND) + 2, 1e300])
def test_a_number_beyond_two_to_the_53_is_refused(value: float) -> None:
    for doc, where in (
        (_doc(weight=value), "dependencies[0].weight"),
        (_doc(attribute=value), "attributes"),
        (_doc(rto=value), "rtoMinutes"),
    ):
        problems = _problems(doc)
        assert len(problems) == 1 and where in problems[0] and "2^53" in problems[0], problems


@pytest.mark.parametrize("value", [True, "1"])
def test_a_boolean_or_text_is_not_a_weight_nor_minutes(value: Any) -> None:
    assert any("dependencies[0].weight" in p for p in _problems(_doc(weight=value)))
    assert any("rtoMinutes" in p for p in _problems(_doc(rto=value)))


def test_minutes_with_a_fraction_are_refused() -> None:
    assert any("rtoMinutes" in p for p in _problems(_doc(rto=1.5)))
