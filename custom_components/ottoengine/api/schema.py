"""Declarative schemas of the REST API: what each route accepts and answers (Home Assistant-free).

Every view declares, per method, an ``Operation``: its query parameters, its JSON body (an
``Obj``) or multipart parts, and its responses per status. The same declarations do two jobs:

- ``OttoView.json_body`` (and the guard, for query parameters) validate each request with
  ``Schema.check``: a value of the wrong type, out of range or not one of the choices is a 400
  naming the field, with the same wording the handlers always used (``message=`` keeps a
  handler's wording where tests and clients rely on it);
- ``api/openapi.py`` turns them into the OpenAPI 3.1 document (``Schema.json_schema``).

So the document cannot drift from the code: a field the handler reads but the schema does not
declare is still validated by the handler (semantic checks, such as "printer 7 does not
exist" or a slot conflict, stay there), and a declared field is validated before the handler
sees it. Path ids are integers >= 1 (anything else is a 404, see ``base.parse_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import math
from typing import Any, Final

type Json = dict[str, Any]


class SchemaError(Exception):
    """A value that does not fit its schema: ``field`` is the top-level name, for the 400."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, kw_only=True)
class Schema:
    """A JSON value. ``message`` replaces the generated 400 message for any mismatch."""

    nullable: bool = False
    description: str | None = None
    message: str | None = None
    # Values that fit, for the document's readers (and the fuzzer's examples phase).
    examples: Sequence[Any] = ()

    type_name: str = field(default="", init=False, repr=False)

    def json_schema(self) -> Json:
        schema = self._json_schema()
        if self.nullable:
            schema = _nullable(schema)
        if self.description:
            schema["description"] = self.description
        if self.examples:
            schema["examples"] = list(self.examples)
        return schema

    def _json_schema(self) -> Json:
        raise NotImplementedError

    def problem(self, value: object) -> str | None:
        """Why ``value`` does not fit (``None``: it fits).

        ``message`` (the handler's wording) replaces the answer for a value of the wrong type;
        a value out of range or too long is answered with what is wrong with it.
        """
        if value is None:
            return None if self.nullable else self._fail(self._expected())
        found = self._problem(value)
        if found is None:
            return None
        return self._fail(found) if found == self._expected() else found

    def _fail(self, found: str) -> str:
        return self.message or found

    def _expected(self) -> str:
        return "must be " + self.type_name + (" or null" if self.nullable else "")

    def _problem(self, value: object) -> str | None:
        raise NotImplementedError

    def check(self, value: object, name: str) -> None:
        """Raise ``SchemaError`` naming ``name`` when ``value`` does not fit."""
        found = self.problem(value)
        if found is not None:
            raise SchemaError(name, found)


def _nullable(schema: Json) -> Json:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


@dataclass(frozen=True, kw_only=True)
class Str(Schema):
    min_length: int | None = None
    max_length: int | None = None
    enum: Sequence[str] | None = None
    format: str | None = None
    # Not only spaces (handlers strip names and addresses): documented as the pattern "\S".
    non_blank: bool = False
    type_name: str = field(default="a string", init=False, repr=False)

    def _json_schema(self) -> Json:
        schema: Json = {"type": "string"}
        if self.non_blank:
            schema["pattern"] = r"\S"
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.min_length is not None:
            schema["minLength"] = self.min_length
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.format is not None:
            schema["format"] = self.format
        return schema

    def _expected(self) -> str:
        if self.enum is not None:
            choices = ", ".join(f'"{choice}"' for choice in self.enum)
            return f"must be one of {choices}" + (" or null" if self.nullable else "")
        return super()._expected()

    def _problem(self, value: object) -> str | None:
        if not isinstance(value, str):
            return self._expected()
        if self.enum is not None and value not in self.enum:
            return self._expected()
        if self.non_blank and not value.strip():
            return self.message or "must not be blank"
        if self.min_length is not None and len(value) < self.min_length:
            return "must not be empty" if self.min_length == 1 else self._length()
        if self.max_length is not None and len(value) > self.max_length:
            return self._length()
        return None

    def _length(self) -> str:
        if self.min_length and self.max_length is not None:
            return f"must be {self.min_length} to {self.max_length} characters"
        if self.max_length is not None:
            return f"must be at most {self.max_length} characters"
        return f"must be at least {self.min_length} characters"


@dataclass(frozen=True, kw_only=True)
class _Number(Schema):
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None

    def _json_schema(self) -> Json:
        schema: Json = {"type": self._json_type()}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        if self._maximum() is not None:
            schema["maximum"] = self._maximum()
        return schema

    def _maximum(self) -> float | None:
        return self.maximum

    def _json_type(self) -> str:
        raise NotImplementedError

    def _is_type(self, value: object) -> bool:
        raise NotImplementedError

    def _problem(self, value: object) -> str | None:
        if isinstance(value, bool) or not self._is_type(value):
            return self._expected()
        assert isinstance(value, int | float)
        maximum = self._maximum()
        too_low = (self.minimum is not None and value < self.minimum) or (
            self.exclusive_minimum is not None and value <= self.exclusive_minimum
        )
        too_high = maximum is not None and value > maximum
        if not (too_low or too_high):
            return None
        if self._positive() and too_low:
            return self._expected()
        if self.exclusive_minimum is not None:
            low = f"more than {_number(self.exclusive_minimum)}"
        else:
            low = f"at least {_number(self.minimum)}" if self.minimum is not None else ""
        if low and self.maximum is not None:
            if self.exclusive_minimum is None:
                return f"must be between {_number(self.minimum)} and {_number(self.maximum)}"
            return f"must be {low} and at most {_number(self.maximum)}"
        if too_high:
            return f"must be at most {_number(maximum)}"
        return f"must be {low}"

    def _positive(self) -> bool:
        return False


# The largest integer every JSON client reads exactly (JavaScript's Number.MAX_SAFE_INTEGER):
# the bound of every integer field without a smaller one. Larger ones were accepted once and
# could then not be answered nor saved (Home Assistant's JSON writer stops at 64 bits).
MAX_SAFE_INTEGER: Final = 2**53 - 1


def _number(value: float | None) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


@dataclass(frozen=True, kw_only=True)
class Int(_Number):
    """An integer (never a boolean), at most ``MAX_SAFE_INTEGER``. ``Int(minimum=1)`` is "a
    positive integer"."""

    type_name: str = field(default="an integer", init=False, repr=False)

    def _maximum(self) -> float | None:
        return self.maximum if self.maximum is not None else MAX_SAFE_INTEGER

    def _json_type(self) -> str:
        return "integer"

    def _is_type(self, value: object) -> bool:
        return isinstance(value, int)

    def _positive(self) -> bool:
        """1 and up, without a maximum: answered as "a positive integer"."""
        return self.minimum == 1 and self.maximum is None and self.exclusive_minimum is None

    def _expected(self) -> str:
        if self._positive():
            return "must be a positive integer" + (" or null" if self.nullable else "")
        return super()._expected()


@dataclass(frozen=True, kw_only=True)
class Num(_Number):
    type_name: str = field(default="a number", init=False, repr=False)

    def _json_type(self) -> str:
        return "number"

    def _is_type(self, value: object) -> bool:
        return isinstance(value, int | float) and math.isfinite(value)


@dataclass(frozen=True, kw_only=True)
class Bool(Schema):
    type_name: str = field(default="true or false", init=False, repr=False)

    def _json_schema(self) -> Json:
        return {"type": "boolean"}

    def _problem(self, value: object) -> str | None:
        return None if isinstance(value, bool) else self._expected()


@dataclass(frozen=True, kw_only=True)
class Arr(Schema):
    items: Schema
    min_items: int | None = None
    max_items: int | None = None
    type_name: str = field(default="a list", init=False, repr=False)

    def _json_schema(self) -> Json:
        schema: Json = {"type": "array", "items": self.items.json_schema()}
        if self.min_items is not None:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        return schema

    def _problem(self, value: object) -> str | None:
        if not isinstance(value, list):
            return self._expected()
        if self.min_items is not None and len(value) < self.min_items:
            return f"must have at least {self.min_items} items"
        if self.max_items is not None and len(value) > self.max_items:
            return f"must have at most {self.max_items} items"
        for index, item in enumerate(value):
            found = self.items.problem(item)
            if found is not None:
                return f"[{index}] {found}"
        return None


@dataclass(frozen=True, kw_only=True)
class Obj(Schema):
    """A JSON object. ``additional``: True (any other key), False (none) or their schema."""

    properties: Mapping[str, Schema] = field(default_factory=dict)
    required: Sequence[str] = ()
    additional: bool | Schema = True
    type_name: str = field(default="an object", init=False, repr=False)

    def _json_schema(self) -> Json:
        schema: Json = {"type": "object"}
        if self.properties:
            schema["properties"] = {
                name: prop.json_schema() for name, prop in self.properties.items()
            }
        if self.required:
            schema["required"] = list(self.required)
        if self.additional is False:
            schema["additionalProperties"] = False
        elif isinstance(self.additional, Schema):
            schema["additionalProperties"] = self.additional.json_schema()
        return schema

    def _problem(self, value: object) -> str | None:
        if not isinstance(value, dict):
            return self._expected()
        try:
            self.check_members(value)
        except SchemaError as err:
            return f"{err.field}: {err.message}"
        return None

    def check_members(self, value: Mapping[str, Any]) -> None:
        """Each member against its schema; ``SchemaError`` names the first that does not fit."""
        for name, item in value.items():
            prop = self.properties.get(name)
            if prop is not None:
                prop.check(item, name)
            elif self.additional is False:
                raise SchemaError(name, "is not a known field")
            elif isinstance(self.additional, Schema):
                self.additional.check(item, name)
        for name in self.required:
            if name not in value:
                prop = self.properties.get(name)
                message = prop.message if prop is not None and prop.message else "is required"
                raise SchemaError(name, message)


@dataclass(frozen=True, kw_only=True)
class AnyOf(Schema):
    """One of several shapes (e.g. a G-code string or a list of lines)."""

    options: Sequence[Schema]
    type_name: str = field(default="a valid value", init=False, repr=False)

    def _json_schema(self) -> Json:
        return {"anyOf": [option.json_schema() for option in self.options]}

    def _problem(self, value: object) -> str | None:
        problems = [option.problem(value) for option in self.options]
        if any(found is None for found in problems):
            return None
        return problems[0]


@dataclass(frozen=True, kw_only=True)
class AnyValue(Schema):
    """Any JSON value (free-form metadata, a device's own answer)."""

    type_name: str = field(default="a JSON value", init=False, repr=False)

    def _json_schema(self) -> Json:
        return {}

    def problem(self, value: object) -> str | None:
        return None


@dataclass(frozen=True, kw_only=True)
class Binary(Schema):
    """A file part of a multipart body (documented only: the upload handlers stream it)."""

    type_name: str = field(default="a file", init=False, repr=False)

    def _json_schema(self) -> Json:
        return {"type": "string", "contentMediaType": "application/octet-stream"}

    def _problem(self, value: object) -> str | None:
        return None


@dataclass(frozen=True, kw_only=True)
class Response:
    """One answer of a route: a JSON body (``schema``), or another ``content_type``."""

    description: str
    schema: Schema | None = None
    content_type: str = "application/json"


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One method of one route: what it accepts and what it answers.

    ``errors`` lists the statuses the handler itself raises beyond the ones every route of its
    kind may answer (``openapi.py`` adds 400 for a body or query, 404 for a path id, 401, 403
    for a change, 503 while OttoEngine is not set up, ...).
    """

    summary: str
    responses: Mapping[int, Response]
    description: str | None = None
    query: Mapping[str, Schema] = field(default_factory=dict)
    body: Obj | None = None
    multipart: Obj | None = None
    errors: Sequence[int] = ()

    def check_query(self, query: Mapping[str, str]) -> None:
        for name, schema in self.query.items():
            if name in query:
                schema.check(query[name], name)

    def check_body(self, body: Mapping[str, Any]) -> None:
        if self.body is not None:
            self.body.check_members(body)
