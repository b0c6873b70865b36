"""Each kind's mutation input, its patch and its exchange model name the same fields, so a field added to the
exchange format and forgotten in the API (or the other way round) fails here rather than in a user's hands."""

from __future__ import annotations

import dataclasses

import pytest

from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import inputs
from graphsvc.graphql.change_mutations import ChangeInput
from graphsvc.graphql.incident_mutations import IncidentInput
from graphsvc.graphql.inputs import input_dict
from graphsvc.usecases.edits import MODELS

EDITABLE = [
    Kind.SERVICE,
    Kind.CONFIGURATION_ITEM,
    Kind.TEAM,
    Kind.SITE,
    Kind.BUSINESS_UNIT,
    Kind.REDUNDANCY_GROUP,
]


def _api_names(input_type: type) -> set[str]:
    """The exchange names input_dict gives the input's fields (what the use cases validate)."""
    blank = input_type.__new__(input_type)
    for f in dataclasses.fields(input_type):
        object.__setattr__(blank, f.name, None)
    return set(input_dict(blank))


def _model_names(kind: Kind) -> set[str]:
    return {f.alias or name for name, f in MODELS[kind].model_fields.items()}


def _type_name(kind: Kind) -> str:
    return "".join(word.title() for word in kind.value.split("_"))


@pytest.mark.parametrize("kind", EDITABLE, ids=lambda k: k.value)
def test_the_input_names_every_field_of_the_exchange_model_and_no_other(kind: Kind) -> None:
    assert _api_names(getattr(inputs, f"{_type_name(kind)}Input")) == _model_names(kind)


@pytest.mark.parametrize("kind", EDITABLE, ids=lambda k: k.value)
def test_the_patch_names_the_inputs_fields_but_the_id(kind: Kind) -> None:
    name = _type_name(kind)
    patch, create = getattr(inputs, f"{name}Patch"), getattr(inputs, f"{name}Input")
    assert _api_names(patch) == _api_names(create) - {"id"}


@pytest.mark.parametrize(
    ("input_type", "kind", "set_by_the_server"),
    [
        (ChangeInput, Kind.CHANGE, {"draft"}),
        (IncidentInput, Kind.INCIDENT, set()),
    ],
    ids=["change", "incident"],
)
def test_record_inputs_name_only_exchange_fields(input_type: type, kind: Kind, set_by_the_server: set[str]) -> None:
    # Status and its times are set by the lifecycle mutations, so the input names a subset of the model's fields.
    assert _api_names(input_type) - set_by_the_server <= _model_names(kind)
