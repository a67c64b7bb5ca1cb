"""Reading a Call service request: its two forms (a JSON body named by its
method, or the simple form's query string) and its fields, each checked to
be of its documented type so that a wrong one changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from herald.params import Snapshot
from herald_web.vapix.json_fields import only, pick
from herald_web.vapix.jsonapi import MODERN, JsonApi, JsonApiError, read_object
from herald_web.vapix.replies import arguments, quote

api = JsonApi(versions=("2.0",), errors=MODERN)
PREFIX = "axcall:"
SIMPLE = "simple"

# A field of a reply or request: its parameter and its JSON type (str, int or bool).
Fields = Mapping[str, tuple[str, type]]


class QueryParams(dict):
    """The simple form's fields: text, read as the type each field is."""


def read(request: HttpRequest, envelope: dict[str, Any]) -> tuple[str, Any]:
    """The method and its fields, from either form."""
    query = arguments(request)
    if "format" in query or "action" in query:
        if query.get("format") != SIMPLE:
            raise JsonApiError("invalid", f"format must be {SIMPLE} "
                                          f"(not {quote(query.get('format', ''), 20)!r})")
        name = query.get("action", "")
        fields = QueryParams({key: query[key] for key in query if key not in ("format",
                                                                               "action")})
    elif request.method != "POST":
        raise JsonApiError("not_post", "a GET takes ?format=simple&action=axcall:<Method>")
    else:
        body = read_object(request)
        if len(body) != 1:
            raise JsonApiError("json", 'the request must be one {"axcall:<Method>": {...}}')
        name, fields = next(iter(body.items()))
    envelope["method"] = name
    if not name.startswith(PREFIX) or name not in api.methods:
        raise JsonApiError("method", f"Method not supported: {quote(name, 40)!r}")
    return name, fields


def given(params: dict[str, Any], name: str, kind: type, where: str = "") -> Any:
    """`params[name]` of `kind`, or None when not given; the simple form's text
    read as `kind` ("true"/"false", a whole number, a comma separated list)."""
    value = params.get(name)
    if isinstance(params, QueryParams) and isinstance(value, str):
        if kind is bool and value in ("true", "false"):
            value = value == "true"
        elif kind is int and value.lstrip("-").isdigit():
            value = int(value)
        elif kind is list:
            value = value.split(",")
    return pick({name: value}, name, kind, where)


def required(params: dict[str, Any], name: str, kind: type, where: str = "") -> Any:
    value = given(params, name, kind, where)
    if value is None:
        raise JsonApiError("missing", f"{where}{name} is required")
    return value


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """The object `params[name]` (the simple form: the fields themselves)."""
    if isinstance(params, QueryParams):
        return params
    value = params.get(name)
    if value is None:
        raise JsonApiError("missing", f"{name} is required")
    if not isinstance(value, dict):
        raise JsonApiError("invalid", f"{name} must be an object")
    return value


def values(snapshot: Snapshot, fields: Fields, prefix: str = "") -> dict[str, Any]:
    """The fields' parameters' values, each as its JSON type."""
    return {field: _from_param(snapshot.get(prefix + name), kind)
            for field, (name, kind) in fields.items()}


def changes(body: dict[str, Any], fields: Fields, where: str, what: str,
            prefix: str = "") -> dict[str, str]:
    """The parameters' new values from `body`, which holds none but `fields`
    (what Herald has: another is refused, naming it, as `what`)."""
    only(body, fields, where, what)
    found = {}
    for field, (name, kind) in fields.items():
        value = given(body, field, kind, f"{where}.")
        if value is not None:
            found[prefix + name] = ("yes" if value else "no") if kind is bool else str(value)
    return found


def _from_param(value: str, kind: type) -> Any:
    return value == "yes" if kind is bool else kind(value)
