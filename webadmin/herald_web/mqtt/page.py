"""System > MQTT: the client's settings (MQTT.* parameters) by the manual's
tabs, its subscriptions (numbered parameter groups, added and removed here),
and its status as herald-mqtt tells it. The page stores parameters;
herald-mqtt follows them and its status says what came of them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.mqtt.contract import STATEFUL, STATELESS, SUBSCRIPTION_TEMPLATE, SUBSCRIPTIONS
from herald.params import GroupError, ParamError, Snapshot
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import params
from herald_web.mqtt.status import client_status
from herald_web.system import plain

# The add form's fields: a subscription's parameters.
SUBSCRIPTION_FIELDS = ("Filter", "UseDevicePrefix", "Type", "QoS")
SECTIONS = (("MQTT client", "MQTT.Client"), ("Connect message", "MQTT.ConnectMessage"),
            ("Last Will and Testament", "MQTT.LastWill"), ("MQTT publication", "MQTT.Publication"))


def _names(snapshot: Snapshot, group: str) -> list[str]:
    return [r.name for r, _ in snapshot.readable(Level.ADMIN) if r.name.startswith(group + ".")]


def _post(request: HttpRequest, snapshot: Snapshot) -> str:
    """Do what the form asks; returns the message for the next page."""
    action = request.POST.get("action")
    if action == "add":
        added = params().add(SUBSCRIPTION_TEMPLATE, SUBSCRIPTIONS, {
            f"{SUBSCRIPTIONS}.S.{name}": request.POST.get(name, "")
            for name in SUBSCRIPTION_FIELDS}, Level.ADMIN)
        return f"Added subscription {added}."
    if action == "remove":
        group = f"{SUBSCRIPTIONS}.{request.POST.get('subscription', '')}"
        if group not in snapshot.instances:
            raise GroupError(f"there is no subscription {group}")
        params().remove([group], Level.ADMIN)
        return f"Removed subscription {group.rsplit('.', 1)[1]}."
    changed = apply_params(plain.changes(request, snapshot, "MQTT."), Level.ADMIN,
                           request.user.get_username())
    return f"Saved: {', '.join(changed)}." if changed else "No changes."


@page(Level.ADMIN)
def mqtt_page(request: HttpRequest) -> HttpResponse:
    snapshot = params().snapshot()
    if request.method == "POST":
        try:
            messages.success(request, _post(request, snapshot))
        except (ParamError, GroupError) as exc:
            messages.error(request, f"Nothing was saved: {exc}.")
        return redirect("mqtt:page")
    sections = [(title, [plain.row(snapshot.tree.resolve(name), snapshot.get(name), group)
                         for name in _names(snapshot, group)]) for title, group in SECTIONS]
    return render(request, "mqtt/mqtt.html", {
        "section": "system", "page_key": "system.mqtt", "sections": sections,
        "status": client_status(), "types": (STATELESS, STATEFUL),
        "subscriptions": [{"name": group.rsplit(".", 1)[1], **{
            name: snapshot.get(f"{group}.{name}") for name in SUBSCRIPTION_FIELDS}}
            for group in sorted(snapshot.instances) if group.startswith(SUBSCRIPTIONS + ".")]})
