"""Reading a VAPIX JSON request's fields (the MQTT, time and remote syslog
APIs'): each of the type AXIS documents, or a clear JsonApiError naming it
(so nothing is stored)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from herald_web.vapix.jsonapi import JsonApiError


def pick(params: dict[str, Any], name: str, kind: type, where: str = "") -> Any:
    """`params[name]` if given (None if not), checked to be of `kind`."""
    value = params.get(name)
    if value is None:
        return None
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise JsonApiError("invalid", f"{where}{name} must be {_words[kind]}")
    return value


def only(value: Any, names: Iterable[str], where: str, kind: str) -> dict[str, Any]:
    """`value`, an object holding none but `names` (each `kind`: "a server
    field"), or the refusal naming `where` (its place in the request)."""
    if not isinstance(value, dict):
        raise JsonApiError("invalid", f"{where} must be an object")
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise JsonApiError("invalid", f"{where}.{unknown[0]} is not {kind} "
                                      f"(they are {', '.join(names)})")
    return value


_words = {str: "a string", int: "an integer", bool: "true or false", dict: "an object",
          list: "a list"}
