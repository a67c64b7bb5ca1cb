"""The APIs this device offers, as API discovery lists them. An app lists an
API only once it is implemented: listing an id makes clients call it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    id: str
    name: str
    version: str
    status: str = "official"
    doc_link: str = ""


_apis: dict[str, Api] = {}


def offer(api: Api) -> None:
    if api.id in _apis:
        raise ValueError(f"API {api.id!r} offered twice")
    _apis[api.id] = api


def offered() -> list[Api]:
    return sorted(_apis.values(), key=lambda a: a.id)
