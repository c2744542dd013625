"""Build the OpenAPI 3.1 document from the endpoint specs of every registered ApiBlueprint."""

from __future__ import annotations

import re

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from alliance_conf import __version__
from alliance_conf.api.framework import ApiBlueprint, EndpointSpec, ErrorResponse, Page
from alliance_conf.core.inputs import DB_INT_MAX, DB_INT_MIN
from alliance_conf.security import MAX_ID

RULE_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
CONVERTER_TYPES = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "float": {"type": "number"},
}
REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Malformed request",
    401: "Not authenticated: no valid bearer token (or, signing in, wrong credentials)",
    403: "Not allowed for this user",
    404: "Not found",
    409: "Conflicts with the current state",
    422: "Invalid fields",
    429: "Too many requests",
    503: "Temporarily unavailable (the database cannot be reached)",
}


class ContractSchema(GenerateJsonSchema):
    """Input whole numbers document the bound the framework enforces on every one of them
    (the database's ``integer``), unless the model declares a narrower one."""

    def int_schema(self, schema):
        json_schema = super().int_schema(schema)
        if self.mode == "validation":
            if "exclusiveMinimum" not in json_schema:
                json_schema["minimum"] = max(json_schema.get("minimum", DB_INT_MIN), DB_INT_MIN)
            if "exclusiveMaximum" not in json_schema:
                json_schema["maximum"] = min(json_schema.get("maximum", DB_INT_MAX), DB_INT_MAX)
        return json_schema

    def str_schema(self, schema):
        """Input text is stripped of surrounding white space before its length is checked, so a
        required text documents that it holds something else than white space."""
        json_schema = super().str_schema(schema)
        if self.mode == "validation" and json_schema.get("minLength", 0) >= 1:
            json_schema.setdefault("pattern", r"\S")
        return json_schema

    def dict_schema(self, schema):
        """A map whose keys are constrained text says so for every key (``propertyNames``):
        pydantic's ``patternProperties`` would leave keys that miss the pattern unconstrained."""
        json_schema = super().dict_schema(schema)
        patterns = json_schema.get("patternProperties")
        if patterns and len(patterns) == 1 and "additionalProperties" not in json_schema:
            ((pattern, values),) = patterns.items()
            del json_schema["patternProperties"]
            json_schema["propertyNames"] = {"pattern": pattern}
            json_schema["additionalProperties"] = values
        return json_schema

    def default_schema(self, schema):
        """A field left out keeps its value (``None`` meaning "unchanged" in a PATCH) but is
        not nullable: documenting ``default: null`` there would contradict its type."""
        json_schema = super().default_schema(schema)
        nullable = json_schema.get("type") == "null" or any(
            option.get("type") == "null" for option in json_schema.get("anyOf", [])
        )
        if "default" in json_schema and json_schema["default"] is None and not nullable:
            del json_schema["default"]
        return json_schema


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []
    for match in RULE_ARG.finditer(rule):
        schema = CONVERTER_TYPES.get(match["converter"] or "", {"type": "string"})
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return RULE_ARG.sub(lambda m: "{" + m["name"] + "}", rule), params


def _response_model(spec: EndpointSpec):
    """The pydantic model documented as the response; list[...] responses document their item."""
    if spec.response is None:
        return None
    if spec.paginated:
        return Page[spec.response.__args__[0]]
    if _is_list(spec):
        return spec.response.__args__[0]
    return spec.response


def _is_list(spec: EndpointSpec) -> bool:
    return not spec.paginated and getattr(spec.response, "__origin__", None) is list


def _query_params(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=ContractSchema)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if prop.get("description"):
            param["description"] = prop["description"]
        if prop.get("type") == "array":
            param["style"] = "form"
            param["explode"] = True
        params.append(param)
    return params


def build_openapi(app: Flask) -> dict:
    specs: list[EndpointSpec] = []
    for blueprint in app.blueprints.values():
        if isinstance(blueprint, ApiBlueprint):
            specs.extend(blueprint.specs)

    schema_inputs: list[tuple[type, str]] = [(ErrorResponse, "serialization")]
    for spec in specs:
        if spec.body is not None:
            schema_inputs.append((spec.body, "validation"))
        if spec.query is not None:  # its enums and nested models live in the components
            schema_inputs.append((spec.query, "validation"))
        model = _response_model(spec)
        if model is not None:
            schema_inputs.append((model, "serialization"))
    refs, definitions = models_json_schema(
        schema_inputs, ref_template=REF, schema_generator=ContractSchema
    )
    for name, definition in definitions.get("$defs", {}).items():
        if name.endswith(("-Input", "-Output")):  # one model, two shapes: two type names
            definition["title"] = name.replace("-", "")
    for spec in specs:  # the framework refuses an empty PATCH or PUT: it would change nothing
        if spec.method in ("PATCH", "PUT") and spec.body is not None:
            name = refs[(spec.body, "validation")]["$ref"].rsplit("/", 1)[1]
            definitions["$defs"][name]["minProperties"] = 1

    paths: dict[str, dict] = {}
    for spec in sorted(specs, key=lambda s: (s.rule, s.method)):
        path, params = _path_and_params(spec.rule)
        if spec.query is not None:
            params = params + _query_params(spec.query)
        operation: dict = {
            "operationId": spec.operation_id,
            "summary": spec.summary,
            "tags": spec.tags,
            "responses": {},
        }
        if spec.description:
            operation["description"] = spec.description
        if params:
            operation["parameters"] = params
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
            }
        model = _response_model(spec)
        success: dict = {"description": "Success"}
        if spec.status == 204:
            success = {"description": "Done; no content"}
        elif model is not None:
            schema = refs[(model, "serialization")]
            if _is_list(spec):
                schema = {"type": "array", "items": schema}
            success["content"] = {"application/json": {"schema": schema}}
        elif spec.content_type != "application/json":
            success["content"] = {
                spec.content_type: {"schema": {"type": "string", "format": "binary"}}
            }
        else:  # a JSON object whose shape is described in the summary (e.g. /me/data)
            success["content"] = {"application/json": {"schema": {"type": "object"}}}
        operation["responses"][str(spec.status)] = success
        if spec.conditional:
            success["headers"] = {"ETag": {"schema": {"type": "string"}}}
            operation["responses"]["304"] = {
                "description": "Not modified: the If-None-Match ETag is still current",
                "headers": {"ETag": {"schema": {"type": "string"}}},
            }
            operation.setdefault("parameters", []).append(
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "The ETag of the answer you hold; 304 if it is current",
                    "schema": {"type": "string"},
                }
            )
        # Any operation can refuse with a domain error (a public one too: wrong credentials;
        # a read too: a state that has no such document yet), so 401, 403 and 409 are
        # documented everywhere.
        errors = [400, 401, 403, 404, 409, 422, 503]
        if spec.rate_limited:
            errors.append(429)
        if not spec.access.public:
            operation["security"] = [{"bearerAuth": []}]
        else:
            operation["security"] = []
        for code in sorted(set(errors)):
            operation["responses"][str(code)] = {
                "description": ERROR_TEXT[code],
                "content": {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}},
            }
        paths.setdefault(path, {})[spec.method.lower()] = operation

    _check_unique_names(specs, definitions.get("$defs", {}))
    _add_links(specs, paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "alliance-conf API",
            "version": __version__,
            "description": "Conferences, delegations, registration, declarations and their "
            "follow-up. Authenticate with a bearer token from POST /api/v1/auth/tokens. "
            'Errors share one shape: {"error": {"code", "message", "fields"}}.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _check_unique_names(specs: list[EndpointSpec], schemas: dict) -> None:
    """Client generators key types by name and calls by operation id: a clash drops one."""
    ids = [spec.operation_id for spec in specs]
    clashes = sorted({name for name in ids if ids.count(name) > 1})
    clashes += sorted(name for name in schemas if "__" in name)  # pydantic's module prefix
    if clashes:
        raise RuntimeError(f"OpenAPI names used twice (rename one): {', '.join(clashes)}")


def _path_names(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _add_links(specs: list[EndpointSpec], paths: dict) -> None:
    """Link each create operation (201 with an ``id``) to the operations on what it created:
    ``POST .../amendments`` answers an amendment whose ``id`` is ``amendment_id`` in
    ``/amendments/{amendment_id}``; other path parameters come from the request's own path, or
    from the created object (``POST /conferences`` gives the ``slug``). Stateful fuzzing and
    client generators follow these links."""
    targets = [
        (path, method, operation)
        for path, item in paths.items()
        for method, operation in item.items()
    ]
    for spec in specs:
        model = _response_model(spec)
        if spec.method != "POST" or spec.status != 201 or model is None or _is_list(spec):
            continue
        fields = set(model.model_fields)
        source_path, _ = _path_and_params(spec.rule)
        source_params = set(_path_names(source_path))
        collection = [part for part in source_path.split("/") if part and "{" not in part][-1]
        created_id = collection.removesuffix("s") + "_id"
        links = {}
        for path, _method, operation in targets:
            parameters, from_body = {}, False
            for name in _path_names(path):
                if name == created_id and "id" in fields:
                    parameters[name], from_body = "$response.body#/id", True
                elif name in source_params:
                    parameters[name] = f"$request.path.{name}"
                elif name in fields and name not in ("id",) and not name.endswith("_id"):
                    parameters[name], from_body = f"$response.body#/{name}", True
                else:
                    break
            else:
                if from_body and operation["operationId"] != spec.operation_id:
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": parameters,
                    }
        if links:
            operation = paths[source_path][spec.method.lower()]
            operation["responses"][str(spec.status)]["links"] = dict(sorted(links.items()))
