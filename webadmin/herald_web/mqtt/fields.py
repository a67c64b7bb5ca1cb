"""Reading the MQTT APIs' JSON fields beyond the VAPIX ones (vapix/json_fields.py):
a section of the request, and AXIS's true/false as a parameter's yes/no."""

from __future__ import annotations

from typing import Any

from herald_web.vapix.json_fields import pick


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    return pick(params, name, dict) or {}


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")
