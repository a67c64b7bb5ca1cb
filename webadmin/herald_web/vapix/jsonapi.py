"""VAPIX's JSON-RPC style APIs: one POST body in, one envelope out.

    api = JsonApi(versions=("1.0",), errors=LEGACY)

    @api.method("getThing", Level.OPERATOR)
    def get_thing(request, params): return {"thing": 1}   # the reply's "data"

    @cgi("thing.cgi", Level.ANONYMOUS)
    def thing(request): return api.handle(request)

A handler refuses input by raising `JsonApiError("invalid", "why")`. Errors
travel in the envelope with HTTP 200, as VAPIX does; a caller without
credentials for a method gets a Digest challenge (401) so that clients learn
to authenticate, an account below the method's level 403. A caller without
credentials whose request names no method open to all (an empty POST, as
`curl --digest` probes with; a malformed body) gets the challenge too, when
the API has methods that need an account.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from herald.access import Level
from herald_web.vapix.registry import unauthorized

log = logging.getLogger(__name__)

# Error codes by kind: the older APIs (API discovery, basic device info) and
# the newer ones (audio device control, MQTT) number them differently.
LEGACY = {
    "invalid": 1000, "forbidden": 2001, "not_post": 2002, "version": 2003, "method": 2004,
    "json": 4000, "missing": 4002, "internal": 8000,
}
MODERN = {
    "internal": 1100, "version": 2100, "json": 2101, "method": 2102, "not_post": 2102,
    "missing": 2103, "invalid": 2104, "forbidden": 2105,
}
MESSAGES = {
    "invalid": "Invalid parameter value", "forbidden": "Access forbidden",
    "not_post": "HTTP request type not supported. Only POST is supported",
    "version": "The requested API version is not supported", "method": "Method not supported",
    "json": "The provided JSON input was invalid", "missing": "Required parameter missing",
    "internal": "Internal error",
}

Handler = Callable[[HttpRequest, dict[str, Any]], Mapping[str, Any]]
# Reads a request into its method's name and params, naming the method in the envelope.
Reader = Callable[[HttpRequest, dict[str, Any]], tuple[str, Any]]


class JsonApiError(Exception):
    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(message or MESSAGES[kind])
        self.kind = kind


@dataclass
class _Method:
    handler: Handler
    level: Level
    versioned: bool


@dataclass
class JsonApi:
    versions: tuple[str, ...]
    errors: Mapping[str, int] = field(default_factory=lambda: LEGACY)
    methods: dict[str, _Method] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.method("getSupportedVersions", Level.ANONYMOUS, versioned=False)(
            lambda request, params: {"apiVersions": list(self.versions)}
        )

    def method(self, name: str, level: Level = Level.ANONYMOUS,
               versioned: bool = True) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.methods[name] = _Method(handler, level, versioned)
            return handler
        return decorate

    def _version(self, asked: Any) -> str:
        if not isinstance(asked, str):
            raise JsonApiError("missing", "apiVersion is required")
        major, _, minor = asked.partition(".")
        for offered in reversed(self.versions):
            o_major, _, o_minor = offered.partition(".")
            if major == o_major and (minor or "0").isdigit() and int(minor or 0) <= int(o_minor):
                return asked
        raise JsonApiError("version")

    def _challenge(self, request: HttpRequest, name: str | None) -> bool:
        """Whether a refused request should learn to authenticate instead."""
        if request.user.is_authenticated:
            return False
        named = self.methods.get(name) if name else None
        if named is not None and named.level <= Level.ANONYMOUS:
            return False
        return any(m.level > Level.ANONYMOUS for m in self.methods.values())

    def handle(self, request: HttpRequest) -> HttpResponse:
        return self.answer(request, self._read)

    def _read(self, request: HttpRequest, envelope: dict[str, Any]) -> tuple[str, Any]:
        """The method's name and params of a POST body {"method": ..., "params": ...},
        its version checked into the envelope."""
        if request.method != "POST":
            raise JsonApiError("not_post")
        body = read_object(request)
        if "context" in body:
            envelope["context"] = body["context"]
        name = body.get("method")
        if not isinstance(name, str):
            raise JsonApiError("missing", "method is required")
        envelope["method"] = name
        method = self.methods.get(name)
        if method is None:
            raise JsonApiError("method")
        if method.versioned:
            envelope["apiVersion"] = self._version(body.get("apiVersion"))
        return name, body.get("params", {})

    def answer(self, request: HttpRequest, read: Reader) -> HttpResponse:
        """Run the method `read` finds in the request (it names it in the
        envelope first), answering in the envelope; an API whose requests
        are not {"method": ...} bodies passes its own reader."""
        envelope: dict[str, Any] = {"apiVersion": self.versions[-1]}
        try:
            name, params = read(request, envelope)
            method = self.methods.get(name)
            if method is None:
                raise JsonApiError("method")
            if request.herald_level < method.level:
                if not request.user.is_authenticated:
                    return unauthorized()
                envelope["error"] = {"code": self.errors["forbidden"],
                                     "message": MESSAGES["forbidden"]}
                return JsonResponse(envelope, status=403)
            if not isinstance(params, dict):
                raise JsonApiError("invalid", "params must be an object")
            envelope["data"] = dict(method.handler(request, params))
        except JsonApiError as error:
            if self._challenge(request, envelope.get("method")):
                return unauthorized()
            envelope["error"] = {"code": self.errors[error.kind], "message": str(error)}
        except Exception:
            log.exception("VAPIX %s failed", envelope.get("method", "?"))
            envelope["error"] = {"code": self.errors["internal"], "message": MESSAGES["internal"]}
        return JsonResponse(envelope)


def read_object(request: HttpRequest) -> dict[str, Any]:
    """The request's body: a JSON object, or the refusal saying what it is not."""
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise JsonApiError("invalid", f"the request is larger than "
                           f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise JsonApiError("json") from None
    if not isinstance(body, dict):
        raise JsonApiError("json", "the request must be a JSON object")
    return body
