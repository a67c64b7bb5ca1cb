"""The VAPIX basics: param.cgi, applications/list.cgi, basicdeviceinfo.cgi and
apidiscovery.cgi."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse

from herald.access import Level
from herald.params import GroupError, ParamError, Pattern
from herald.system.identity import this_device, this_firmware
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.vapix.definitions import listdefinitions
from herald_web.vapix.discovery import Api, offer, offered
from herald_web.vapix.jsonapi import JsonApi, JsonApiError
from herald_web.vapix.registry import cgi, forbidden, unauthorized
from herald_web.vapix.replies import arguments, quote, text

RESERVED = {"action", "usergroup", "responseformat", "listformat", "group", "template", "force"}

log = logging.getLogger(__name__)
offer(Api("param-cgi", "Legacy Parameter Handling", "1.0"))
offer(Api("api-discovery", "API Discovery Service", "1.0"))
offer(Api("basic-device-info", "Basic Device Information", "1.2"))


@cgi("param.cgi", Level.VIEWER, aliases=("admin/param.cgi", "operator/param.cgi",
                                          "view/param.cgi"))
def param_cgi(request: HttpRequest) -> HttpResponse:
    args = arguments(request)
    action = args.get("action", "").lower()
    level = request.herald_level
    groups = [g for g in args.get("group", "").split(",") if g.strip()]
    if action == "list":
        if not groups:  # the whole tree, what clients ask for most: rendered once a snapshot
            return text(params().snapshot().derived(
                ("param.cgi list", level), lambda snapshot: _lines(
                    (resolved.name, value) for resolved, value in snapshot.readable(level))))
        listing = params().list(groups, level)
        return text(_lines(listing.lines) + "".join(
            f"# Error: Error -1 getting param in group '{quote(g)}'\n" for g in listing.missing))
    if action == "listdefinitions":
        try:
            patterns = [Pattern(g) for g in groups]
        except ValueError as exc:
            return text(f"# Error: {exc}\n")
        model = params().get("Brand.ProdNbr")
        body = listdefinitions(params().snapshot(), level, model, patterns)
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    if action not in ("update", "add", "remove"):
        return text("# Error: action must be list, listdefinitions, update, add or remove\n")
    if level < Level.OPERATOR:  # an anonymous viewer may have an account: challenge it
        return forbidden() if request.user.is_authenticated else unauthorized()
    if action == "update":
        return _update(args, level, request.user.get_username())
    if action == "add":
        values = {k: v for k, v in args.items() if k.lower() not in RESERVED}
        try:
            made = params().add(args.get("template", ""), args.get("group", ""), values, level)
        except GroupError as exc:
            return text(f"# Request failed: {exc}\n")
        log.info("settings group %s added by %s", made, request.user.get_username())
        return text(f"{made} OK\n")
    try:
        params().remove(groups, level)
    except GroupError as exc:
        return text(f"# Request failed: {exc}\n")
    log.info("settings groups %s removed by %s", ", ".join(groups), request.user.get_username())
    return text("OK\n")


def _lines(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f"root.{name}={value}\n" for name, value in values)


def _update(args: Any, level: Level, by: str) -> HttpResponse:
    changes: dict[str, str] = {}
    for key, values in args.lists():
        if key.lower() in RESERVED:
            continue
        if len(values) != 1:
            return text(f"# Error: Error setting '{quote(key)}': given more than once!\n")
        changes[key] = values[0]
    if not changes:
        return text("# Error: No parameters to update\n")
    try:
        apply_params(changes, level, by)
    except ParamError as exc:
        return text(
            f"# Error: Error setting '{quote(exc.name)}' to '{quote(exc.value)}'! ({exc.reason})\n"
        )
    return text("OK\n")


# -- applications ---------------------------------------------------------------


@cgi("applications/list.cgi", Level.VIEWER)
def applications(request: HttpRequest) -> HttpResponse:
    """The installed ACAP applications: none, Herald runs no ACAP. Properties has
    no EmbeddedDevelopment group either, so clients see no platform to install on."""
    return HttpResponse('<reply result="ok"></reply>\n', content_type="text/xml; charset=utf-8")


# -- basic device information -----------------------------------------------

device_info = JsonApi(versions=("1.0", "1.1", "1.2"))
UNRESTRICTED = ("Brand", "BuildDate", "HardwareID", "ProdFullName", "ProdNbr", "ProdShortName",
                "ProdType", "ProdVariant", "SerialNumber", "Version", "WebURL")
RESTRICTED = ("Architecture", "Soc", "SocSerialNumber")


def _properties() -> dict[str, str]:
    values = params().snapshot()
    firmware = this_firmware()
    brand = {k: values.get(f"Brand.{k}") for k in
             ("Brand", "ProdFullName", "ProdNbr", "ProdShortName", "ProdType", "ProdVariant",
              "WebURL")}
    return {
        **brand,
        "Architecture": values.get("Properties.System.Architecture"),
        "BuildDate": firmware.build_date,
        "HardwareID": values.get("Properties.System.HardwareID"),
        "SerialNumber": this_device().serial,
        "Soc": values.get("Properties.System.Soc"),
        "SocSerialNumber": "",
        "Version": firmware.version,
    }


@device_info.method("getAllProperties", Level.OPERATOR)
def get_all_properties(request: HttpRequest, args: dict[str, Any]) -> dict[str, Any]:
    return {"propertyList": _properties()}


@device_info.method("getAllUnrestrictedProperties", Level.ANONYMOUS)
def get_unrestricted(request: HttpRequest, args: dict[str, Any]) -> dict[str, Any]:
    properties = _properties()
    return {"propertyList": {k: properties[k] for k in UNRESTRICTED}}


@device_info.method("getProperties", Level.OPERATOR)
def get_properties(request: HttpRequest, args: dict[str, Any]) -> dict[str, Any]:
    wanted = args.get("propertyList")
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise JsonApiError("missing", "params.propertyList must be a list of names")
    properties = _properties()
    for name in wanted:
        if name not in properties:
            raise JsonApiError("invalid", f"Property not supported: {name[:64]}")
    return {"propertyList": {name: properties[name] for name in wanted}}


@cgi("basicdeviceinfo.cgi", Level.ANONYMOUS)
def basicdeviceinfo(request: HttpRequest) -> HttpResponse:
    return device_info.handle(request)


# -- API discovery ------------------------------------------------------------

discovery = JsonApi(versions=("1.0",))


@discovery.method("getApiList", Level.ANONYMOUS)
def get_api_list(request: HttpRequest, args: dict[str, Any]) -> dict[str, Any]:
    wanted_id, wanted_version = args.get("id", "*"), args.get("version", "*")
    if not isinstance(wanted_id, str) or not isinstance(wanted_version, str):
        raise JsonApiError("invalid", "params.id and params.version are glob patterns")
    return {"apiList": [
        {"id": api.id, "name": api.name, "version": api.version, "status": api.status,
         "docLink": api.doc_link}
        for api in offered()
        if fnmatch.fnmatchcase(api.id, wanted_id)
        and fnmatch.fnmatchcase(api.version, wanted_version)
    ]}


@cgi("apidiscovery.cgi", Level.ANONYMOUS)
def apidiscovery(request: HttpRequest) -> HttpResponse:
    return discovery.handle(request)
