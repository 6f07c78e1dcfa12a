"""The declarative schemas (``api/schema.py``): what each kind accepts, the 400 messages it
gives, and the JSON Schema it documents."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.ottoengine.api.schema import (
    MAX_SAFE_INTEGER,
    AnyOf,
    AnyValue,
    Arr,
    Binary,
    Bool,
    Int,
    Num,
    Obj,
    Operation,
    Schema,
    SchemaError,
    Str,
)


@pytest.mark.parametrize(
    ("schema", "value", "problem"),
    [
        (Int(minimum=1), 0, "must be a positive integer"),
        (Int(minimum=1), True, "must be a positive integer"),
        (Int(minimum=1, nullable=True), "1", "must be a positive integer or null"),
        (Int(minimum=1), None, "must be a positive integer"),
        (Int(minimum=1, maximum=50), 51, "must be between 1 and 50"),
        (Int(minimum=-1, maximum=255), -2, "must be between -1 and 255"),
        (Int(maximum=3), 4, "must be at most 3"),
        (Int(minimum=2), 1, "must be at least 2"),
        (Int(), 1.5, "must be an integer"),
        (Int(), 2**53, "must be at most 9007199254740991"),
        (Int(minimum=1, nullable=True), 2**77, "must be at most 9007199254740991"),
        (Num(exclusive_minimum=0, maximum=600), 0, "must be more than 0 and at most 600"),
        (Num(exclusive_minimum=0), -1, "must be more than 0"),
        (Num(), float("nan"), "must be a number"),
        (Num(), "1", "must be a number"),
        (Bool(), 1, "must be true or false"),
        (Str(), 5, "must be a string"),
        (Str(non_blank=True), "  ", "must not be blank"),
        (Str(min_length=1), "", "must not be empty"),
        (Str(max_length=3), "abcd", "must be at most 3 characters"),
        (Str(min_length=2, max_length=3), "a", "must be 2 to 3 characters"),
        (Str(min_length=2), "a", "must be at least 2 characters"),
        (Str(enum=("a", "b")), "c", 'must be one of "a", "b"'),
        (Str(enum=("a",), nullable=True), 1, 'must be one of "a" or null'),
        (Arr(items=Str()), "x", "must be a list"),
        (Arr(items=Str(), min_items=1), [], "must have at least 1 items"),
        (Arr(items=Str(), max_items=1), ["a", "b"], "must have at most 1 items"),
        (Arr(items=Int()), [1, "2"], "[1] must be an integer"),
        (Obj(properties={"a": Int()}), {"a": "x"}, "a: must be an integer"),
        (Obj(properties={"a": Int()}, additional=False), {"b": 1}, "b: is not a known field"),
        (Obj(additional=Int()), {"b": "x"}, "b: must be an integer"),
        (Obj(), [], "must be an object"),
        (AnyOf(options=(Str(), Arr(items=Str()))), 5, "must be a string"),
        (Str(message="is required (a name)"), 5, "is required (a name)"),
        # A handler's wording replaces the type's message only, not a range's.
        (Int(minimum=1, maximum=9, message="must be a number"), 10, "must be between 1 and 9"),
    ],
)
def test_a_value_that_does_not_fit_is_named(schema: Schema, value: Any, problem: str) -> None:
    assert schema.problem(value) == problem


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        (Int(minimum=1), 1),
        (Int(minimum=1, nullable=True), None),
        (Num(exclusive_minimum=0, maximum=1), 1),
        (Str(enum=("a",)), "a"),
        (Arr(items=Int(minimum=-1)), [-1, 3]),
        (Obj(properties={"a": Int()}, required=("a",)), {"a": 1, "other": "kept"}),
        (AnyOf(options=(Str(), Arr(items=Str()))), ["G28"]),
        (AnyValue(), {"x": [None]}),
        (Binary(), b"bytes"),
    ],
)
def test_a_value_that_fits_passes(schema: Schema, value: Any) -> None:
    assert schema.problem(value) is None


def test_members_are_checked_before_missing_ones() -> None:
    body = Obj(properties={"a": Int(), "b": Str(message="is required (b)")}, required=("a", "b"))
    with pytest.raises(SchemaError) as err:
        body.check_members({"a": "x"})
    assert (err.value.field, err.value.message) == ("a", "must be an integer")
    with pytest.raises(SchemaError) as err:
        body.check_members({"a": 1})
    assert (err.value.field, err.value.message) == ("b", "is required (b)")
    with pytest.raises(SchemaError, match="c: is required"):
        Obj(properties={}, required=("c",)).check_members({})


def test_the_documented_json_schema() -> None:
    body = Obj(
        properties={
            "id": Int(minimum=1, nullable=True, description="an id", examples=(1,)),
            "kind": Str(enum=("a", "b"), nullable=True),
            "name": Str(non_blank=True, max_length=64, min_length=1, format="x"),
            "rate": Num(exclusive_minimum=0, maximum=2),
            "tags": Arr(items=Str(), min_items=1, max_items=3),
            "any": AnyValue(description="anything"),
            "either": AnyOf(options=(Str(), Int()), nullable=True),
            "file": Binary(),
            "flag": Bool(),
        },
        required=("id",),
        additional=False,
    )
    assert body.json_schema() == {
        "type": "object",
        "properties": {
            "id": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_SAFE_INTEGER,
                "description": "an id",
                "examples": [1],
            },
            "kind": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "name": {
                "type": "string",
                "pattern": r"\S",
                "minLength": 1,
                "maxLength": 64,
                "format": "x",
            },
            "rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 2},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
            "any": {"description": "anything"},
            "either": {
                "anyOf": [
                    {
                        "anyOf": [
                            {"type": "string"},
                            {"type": "integer", "maximum": MAX_SAFE_INTEGER},
                        ]
                    },
                    {"type": "null"},
                ]
            },
            "file": {"type": "string", "contentMediaType": "application/octet-stream"},
            "flag": {"type": "boolean"},
        },
        "required": ["id"],
        "additionalProperties": False,
    }
    assert Obj(additional=Int()).json_schema() == {
        "type": "object",
        "additionalProperties": {"type": "integer", "maximum": 2**53 - 1},
    }


def test_an_operation_checks_its_query_and_body() -> None:
    operation = Operation(
        summary="x",
        responses={},
        query={"status": Str(enum=("NEW",))},
        body=Obj(properties={"a": Int()}),
    )
    operation.check_query({"other": "ignored", "status": "NEW"})
    with pytest.raises(SchemaError, match="status"):
        operation.check_query({"status": "OLD"})
    with pytest.raises(SchemaError, match="a: must be an integer"):
        operation.check_body({"a": "x"})
    Operation(summary="no body", responses={}).check_body({"anything": 1})
