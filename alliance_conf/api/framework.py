"""Declare API endpoints once; validation, access checks, errors and OpenAPI follow from it.

::

    api = ApiBlueprint("conferences_api", __name__)

    @api.endpoint("/conferences/<slug>", "GET", response=ConferenceOut, summary="A conference")
    def get_conference(slug): ...

An endpoint may name ``body`` and ``query`` pydantic models (the view receives ``body=`` and
``query=``), a ``response`` model (ORM objects are validated from attributes), ``roles`` (signed
in with a bearer token and holding one of them; empty means any signed-in user) or
``public=True``. ``authorise`` (called with the URL arguments, before the query string and
body are read) checks object-level access, so a stranger learns nothing from validation errors.
A ``paginated`` endpoint returns a SQLAlchemy select; the framework pages it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache, wraps
from types import UnionType
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from alliance_conf.auth.access import Access
from alliance_conf.core.changes import refuse_no_op
from alliance_conf.core.errors import AllianceError, PermissionDenied, ValidationFailed
from alliance_conf.core.inputs import out_of_range, read_json
from alliance_conf.extensions import db
from alliance_conf.i18n import _, _l, ngettext

API_PREFIX = "/api/v1"
T = TypeVar("T")


class ApiModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid", str_strip_whitespace=True)


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, str | date):
        return value
    raise ValueError(_("Give the date as text: YYYY-MM-DD."))


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
"""A date in input: an ISO 8601 string only (pydantic alone would take ``0`` as 1970-01-01)."""


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    pages: int


class PageQuery(ApiModel):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int | None = Field(None, ge=1, le=1000)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorResponse(BaseModel):
    error: ErrorDetail


class Unauthorised(AllianceError):
    status = 401
    code = "unauthorised"


@dataclass
class EndpointSpec:
    rule: str
    method: str
    summary: str
    description: str
    access: Access
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    paginated: bool = False
    tags: list[str] = field(default_factory=list)
    content_type: str = "application/json"
    rate_limited: bool = False
    operation_id: str = ""
    conditional: bool = False  # answers carry an ETag; If-None-Match may get a 304


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    payload = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = jsonify(payload)
    response.status_code = status
    return response


def api_user():
    """The user authenticated by the request's bearer token (None when anonymous)."""
    return g.get("api_user")


PYDANTIC_MESSAGES = {
    "missing": _l("Field required"),
    "extra_forbidden": _l("Extra inputs are not permitted"),
    "string_type": _l("Input should be a valid string"),
    "int_type": _l("Input should be a valid integer"),
    "int_parsing": _l("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": _l("Input should be a valid integer, got a number with a fractional part"),
    "bool_type": _l("Input should be a valid boolean"),
    "bool_parsing": _l("Input should be a valid boolean, unable to interpret input"),
    "list_type": _l("Input should be a valid list"),
    "dict_type": _l("Input should be a valid dictionary"),
    "model_type": _l("Input should be a valid dictionary or instance of a model"),
    "json_invalid": _l("Invalid JSON"),
}
"""Pydantic's words for the common refusals, translated (its English unchanged)."""


def _pydantic_message(err: dict) -> str:
    """The message of one pydantic error in the request's language; the field is never
    translated, and a message of ours (``ValueError`` in a validator) is already."""
    kind, ctx, message = err["type"], err.get("ctx") or {}, err["msg"]
    if kind in PYDANTIC_MESSAGES:
        return str(PYDANTIC_MESSAGES[kind])
    if kind == "string_too_long":
        return ngettext(
            "String should have at most %(num)d character",
            "String should have at most %(num)d characters",
            ctx["max_length"],
        )
    if kind == "string_too_short":
        return ngettext(
            "String should have at least %(num)d character",
            "String should have at least %(num)d characters",
            ctx["min_length"],
        )
    if kind == "greater_than_equal":
        return _("Input should be greater than or equal to %(limit)s", limit=ctx["ge"])
    if kind == "less_than_equal":
        return _("Input should be less than or equal to %(limit)s", limit=ctx["le"])
    if kind == "greater_than":
        return _("Input should be greater than %(limit)s", limit=ctx["gt"])
    if kind in ("enum", "literal_error"):
        return _("Input should be %(expected)s", expected=ctx["expected"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message


def _pydantic_fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(part) for part in err["loc"]) or "__root__"
        message = _pydantic_message(err)
        fields.setdefault(name, message)
    return fields


def _invalid_fields(what: str) -> str:
    if what == "query string":
        return _("The query string has invalid fields.")
    return _("The request body has invalid fields.")


def parse_model(model: type[BaseModel], data: Any, what: str) -> BaseModel:
    """Validate ``data``; any whole number beyond the database's ``integer`` (``1e20`` too) is
    refused whatever the model declares, so no body or query string overflows a column."""
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_invalid_fields(what), _pydantic_fields(exc)) from None
    fields = out_of_range(parsed)
    if fields:
        raise ValidationFailed(_invalid_fields(what), fields)
    return parsed


CHANGE_METHODS = frozenset({"PATCH", "PUT"})


def _fields_sent(body: BaseModel | None) -> set[str]:
    """The fields a change request sends; none at all is refused at once (a 422)."""
    sent = set(body.model_fields_set) if body is not None else set()
    if body is not None and not sent:
        raise ValidationFailed(_("Send at least one field to change."), {"__root__": _("Empty.")})
    return sent


def _read_json_body() -> Any:
    if not request.data:
        return {}
    if not request.is_json:
        raise AllianceError(_("The request body must be JSON (Content-Type: application/json)."))
    return read_json(request.get_data(cache=True))


def _read_query(model: type[BaseModel]) -> dict:
    """The query string as the model's input; a parameter it does not declare is passed on too,
    so the model (``extra="forbid"``) refuses it as the document says, rather than ignoring it."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        values = request.args.getlist(key)
        data[key] = values if _is_list_field(info.annotation) else values[-1]
    for key in request.args:
        data.setdefault(key, request.args[key])
    return data


def _is_list_field(annotation) -> bool:
    """``list[X]``, also inside an optional (``list[X] | None``): the query key may repeat."""
    if get_origin(annotation) is list:
        return True
    return get_origin(annotation) in (Union, UnionType) and any(
        get_origin(arg) is list for arg in get_args(annotation)
    )


@cache
def _list_adapter(item_model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(list[item_model])


def dump_items(item_model: type[BaseModel], rows) -> list[dict]:
    """Rows (ORM objects or mappings) as JSON-ready dicts: one validation pass for the list,
    not one per row."""
    adapter = _list_adapter(item_model)
    return adapter.dump_python(adapter.validate_python(list(rows)), mode="json")


def paginate(statement: sa.Select, item_model: type[BaseModel], page: int, per_page: int | None):
    config = current_app.config
    per_page = min(per_page or config["API_DEFAULT_PER_PAGE"], config["API_MAX_PER_PAGE"])
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return {
        "items": dump_items(item_model, result.items),
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "pages": max(1, math.ceil(result.total / per_page)),
    }


def _serialise(spec: EndpointSpec, result):
    if isinstance(result, Response):
        return result
    status = spec.status
    if isinstance(result, tuple):
        result, status = result
    if result is None:
        return Response(status=204 if status in (200, 204) else status)
    if isinstance(result, BaseModel):
        payload = result.model_dump(mode="json")
    elif (
        spec.response is not None
        and isinstance(spec.response, type)
        and issubclass(spec.response, BaseModel)
    ):
        payload = spec.response.model_validate(result).model_dump(mode="json")
    elif spec.response is not None and getattr(spec.response, "__origin__", None) is list:
        (item_model,) = spec.response.__args__
        payload = dump_items(item_model, result)
    else:
        payload = result
    response = jsonify(payload)
    response.status_code = status
    return response


class ApiBlueprint(Blueprint):
    """A blueprint under /api/v1 whose endpoints carry their own documentation."""

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)
        self.specs: list[EndpointSpec] = []

    def endpoint(
        self,
        rule: str,
        method: str = "GET",
        *,
        summary: str,
        roles=(),
        public: bool = False,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int | None = None,
        paginated: bool = False,
        tags: list[str] | None = None,
        content_type: str = "application/json",
        endpoint: str | None = None,
        authorise=None,
        operation_id: str | None = None,
        conditional: bool = False,
        throttled: bool = False,
    ):
        """``operation_id`` names the operation for client generators (default: the view's
        name, e.g. ``list_delegations``); it must be unique in the API. ``conditional``: the
        view answers with an ``ETag`` and a ``304`` to a matching ``If-None-Match`` (it builds
        that answer itself); the document says so. ``throttled``: the operation itself may
        refuse with a 429 (a lockout, a code sent too recently), as a rate limit would."""
        method = method.upper()
        access = Access(public=public, roles=frozenset(str(r) for r in roles))
        if paginated and query is None:
            query = PageQuery

        def decorator(view):
            spec = EndpointSpec(
                rule=(self.url_prefix or "") + rule,
                method=method,
                summary=summary,
                description=(view.__doc__ or "").strip(),
                access=access,
                body=body,
                query=query,
                response=response,
                status=status or (201 if method == "POST" else 200),
                paginated=paginated,
                tags=tags or [self.name.removesuffix("_api")],
                content_type=content_type,
                rate_limited=throttled or getattr(view, "rate_limit", None) is not None,
                operation_id=operation_id or endpoint or view.__name__,
                conditional=conditional,
            )

            @wraps(view)
            def wrapper(**kwargs):
                user = api_user()
                if not access.public:
                    if user is None:
                        raise Unauthorised(
                            _("Send a valid bearer token (POST /api/v1/auth/tokens).")
                        )
                    if not access.allows(user):
                        raise PermissionDenied(_("Your role does not allow this."))
                if authorise is not None:
                    authorise(**kwargs)  # object-level access, before the input is even read
                if query is not None:
                    kwargs["query"] = parse_model(query, _read_query(query), "query string")
                if body is not None:
                    kwargs["body"] = parse_model(body, _read_json_body(), "request body")
                if method in CHANGE_METHODS:
                    sent = _fields_sent(kwargs.get("body"))
                    with refuse_no_op(sent):  # nothing committed: a 422, rolled back
                        result = view(**kwargs)
                else:
                    result = view(**kwargs)
                if paginated and isinstance(result, sa.Select):
                    q = kwargs["query"]
                    item_model = response.__args__[0] if response is not None else None
                    return jsonify(paginate(result, item_model, q.page, q.per_page))
                return _serialise(spec, result)

            wrapper.access = access
            wrapper.api_spec = spec
            self.specs.append(spec)
            self.add_url_rule(rule, endpoint or view.__name__, wrapper, methods=[method])
            return view

        return decorator
