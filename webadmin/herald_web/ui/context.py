"""What every page's frame shows: the device, the menu, the visitor, the theme."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herald.system.identity import this_device, this_firmware
from herald_web.accounts.access import level_of
from herald_web.device import params
from herald_web.ui.nav import menu

THEMES = ("light", "dark")


def device(request: HttpRequest) -> dict[str, Any]:
    values = params().snapshot()
    level = level_of(request.user)
    theme = request.COOKIES.get("theme")
    return {
        "device": {
            "name": values.get("Brand.ProdShortName"),
            "full_name": values.get("Brand.ProdFullName"),
            "serial": this_device().serial,
            "firmware": this_firmware().version,
        },
        "menu": menu(level),
        "visitor_level": level,
        "theme": theme if theme in THEMES else "",
    }
