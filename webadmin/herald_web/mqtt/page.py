"""System > MQTT: the client's settings (MQTT.* parameters) by the manual's
tabs, and its status as herald-mqtt tells it. The page stores parameters;
herald-mqtt follows them and its status says what came of them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.params import ParamError, Snapshot
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.mqtt.status import client_status
from herald_web.system import plain

SECTIONS = (("MQTT client", "MQTT.Client"), ("Connect message", "MQTT.ConnectMessage"),
            ("Last Will and Testament", "MQTT.LastWill"), ("MQTT publication", "MQTT.Publication"))


def _names(snapshot: Snapshot, group: str) -> list[str]:
    return [r.name for r, _ in snapshot.readable(Level.ADMIN) if r.name.startswith(group + ".")]


def _changes(request: HttpRequest, snapshot: Snapshot) -> dict[str, str]:
    """What the form changes: a secret only when one is typed."""
    changes = {}
    for resolved, value in snapshot.readable(Level.ADMIN):
        submitted = request.POST.get(resolved.name)
        if submitted is None or not resolved.name.startswith("MQTT."):
            continue
        if (submitted if resolved.definition.secret else submitted != value):
            changes[resolved.name] = submitted
    return changes


@page(Level.ADMIN)
def mqtt_page(request: HttpRequest) -> HttpResponse:
    snapshot = params().snapshot()
    if request.method == "POST":
        try:
            changed = apply_params(_changes(request, snapshot), Level.ADMIN,
                                   request.user.get_username())
        except ParamError as exc:
            messages.error(request, f"Nothing was saved: {exc}.")
        else:
            messages.success(request, f"Saved: {', '.join(changed)}." if changed
                             else "No changes.")
        return redirect("mqtt:page")
    sections = [(title, [plain.row(snapshot.tree.resolve(name), snapshot.get(name), group)
                         for name in _names(snapshot, group)]) for title, group in SECTIONS]
    return render(request, "mqtt/mqtt.html", {
        "section": "system", "page_key": "system.mqtt", "sections": sections,
        "status": client_status()})
