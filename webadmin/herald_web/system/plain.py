"""Plain config: every parameter an administrator may see, as form rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from herald.access import Level
from herald.params import Resolved, Snapshot
from herald.params.types import Bool, Enum, Int, Password


@dataclass(frozen=True)
class Row:
    name: str  # full name, the form field's name
    label: str
    nice_name: str
    kind: str  # bool, enum, int, password, text or readonly
    value: str
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    error: str = ""


def groups(snapshot: Snapshot) -> list[str]:
    names: list[str] = []
    for resolved, _ in snapshot.readable(Level.ADMIN):
        top = resolved.name.split(".", 1)[0]
        if top not in names:
            names.append(top)
    return names


def changes(request: HttpRequest, snapshot: Snapshot, prefix: str) -> dict[str, str]:
    """What a settings form changes of the parameters under `prefix` ("MQTT."):
    a secret only when one is typed."""
    found = {}
    for resolved, value in snapshot.readable(Level.ADMIN):
        submitted = request.POST.get(resolved.name)
        if submitted is None or not resolved.name.startswith(prefix):
            continue
        if (submitted if resolved.definition.secret else submitted != value):
            found[resolved.name] = submitted
    return found


def writable(resolved: Resolved) -> bool:
    definition = resolved.definition
    return not definition.computed and definition.write <= Level.ADMIN


def row(resolved: Resolved, value: str, group: str, error: str = "") -> Row:
    kind_of = resolved.definition.param.type
    label = resolved.name[len(group) + 1:]
    common = {"name": resolved.name, "label": label, "value": value, "error": error,
              "nice_name": resolved.definition.param.nice_name}
    if not writable(resolved):
        return Row(kind="readonly", **common)
    if isinstance(kind_of, Bool):
        return Row(kind="bool", choices=(kind_of.true, kind_of.false), **common)
    if isinstance(kind_of, Enum):
        return Row(kind="enum", choices=kind_of.values, **common)
    if isinstance(kind_of, Int):
        return Row(kind="int", min=kind_of.min, max=kind_of.max, **common)
    if isinstance(kind_of, Password):
        return Row(kind="password", max_length=kind_of.max_length, **{**common, "value": ""})
    return Row(kind="text", max_length=getattr(kind_of, "max_length", 253), **common)
