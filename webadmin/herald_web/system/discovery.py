"""System > Network, its network discovery protocols: Bonjour, UPnP and
WS-Discovery, each on or off with the names Bonjour and UPnP tell. The page
stores the parameters; herald-system's discovery follows them at once and
publishes what it answers, which the page shows."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from herald.access import Level
from herald.discovery import contract
from herald.params import ParamError
from herald_web.accounts.access import page
from herald_web.accounts.parameters import apply_params
from herald_web.device import bus, params
from herald_web.system import plain
from herald_web.ui import nav

# In the manual's order.
SETTINGS = (contract.BONJOUR_ENABLED, contract.BONJOUR_NAME, contract.UPNP_ENABLED,
            contract.UPNP_NAME, contract.WSD_ENABLED)


def _status() -> contract.DiscoveryStatus | None:
    raw = bus().state().get(contract.STATUS)
    return contract.DiscoveryStatus.from_dict(raw) if raw else None


@page(Level.ADMIN)
def discovery_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        snapshot = params().snapshot()
        changes = {name: request.POST[name] for name in SETTINGS
                   if name in request.POST and request.POST[name] != snapshot.get(name)}
        try:
            changed = apply_params(changes, Level.ADMIN, request.user.get_username())
        except ParamError as exc:
            messages.error(request, f"Nothing was saved: {exc}.")
        else:
            messages.success(request, f"Saved: {', '.join(changed)}." if changed
                             else "No changes.")
        return redirect("system:network-discovery")
    snapshot = params().snapshot()
    rows = [plain.row(snapshot.tree.resolve(name), snapshot.get(name), name.rsplit(".", 1)[0])
            for name in SETTINGS]
    return render(request, "system/discovery.html", {
        "section": "system", "page_key": nav.system_page("network"), "rows": rows,
        "status": _status(),
    })
