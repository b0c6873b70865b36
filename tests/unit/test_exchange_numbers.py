"""Numbers that JSON cannot carry (NaN, the infinities) or that most JSON readers cannot hold exactly (beyond 2^53)
are refused wherever the exchange format takes a number, by name: Python callers can pass them, and Python's json
reads NaN and Infinity. (The validators take a fast path for plain values: domain/exchange.py.)"""

from __future__ import annotations

import math
from typing import Any

import pytest

from graphsvc.domain.validation import DocumentInvalid, validate_structure

_FORMAT = "graphsvc-cmdb/1"


def _doc(weight: Any, attribute: Any) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "configurationItems": [
            {"id": "CI-A", "name": "a", "type": "SERVER", "attributes": {"v": attribute}},
            {"id": "CI-B", "name": "b", "type": "SERVER"},
        ],
        "dependencies": [{"from": "CI-A", "to": "CI-B", "weight": weight}],
    }


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        validate_structure(doc)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_plain_numbers_pass_unchanged() -> None:
    doc = validate_structure(_doc(2.5, 2**53))
    assert doc.dependencies[0].weight == 2.5
    assert doc.configurationItems[0].attributes == {"v": 2**53}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_number_that_is_not_finite_is_refused(value: float) -> None:
    for problems in (_problems(_doc(value, 1)), _problems(_doc(1.0, value))):
        assert len(problems) == 1 and "finite number" in problems[0], problems


@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 1e300])
def test_a_number_beyond_two_to_the_53_is_refused(value: float) -> None:
    assert any("2^53" in p for p in _problems(_doc(1.0, value)))


@pytest.mark.parametrize("value", [True, "1"])
def test_a_boolean_or_text_is_not_a_weight(value: Any) -> None:
    assert any("dependencies[0].weight" in p for p in _problems(_doc(value, 1)))
