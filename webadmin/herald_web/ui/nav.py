"""The main menu, in the manual's order. An app adds its page with
`register(key, title, url_name, level)` from its AppConfig.ready(); a key
is a top-level section ("status") or a System page ("system.accounts").
Only registered pages appear, and only to visitors with the level."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from herald.access import Level

SECTIONS = {
    "status": "Status", "audio": "Audio", "speaker-test": "Speaker test", "light": "Light",
    "recordings": "Recordings", "apps": "Apps", "system": "System", "maintenance": "Maintenance",
}
SYSTEM_PAGES = (
    "time", "network", "snmp", "security", "accounts", "events", "mqtt", "sip", "storage", "onvif",
    "detectors", "logs", "plain-config",
)


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    url_name: str
    level: Level


@dataclass
class Entry:
    key: str
    title: str
    url: str
    children: list[Entry] = field(default_factory=list)


_items: dict[str, Item] = {}


def system_page(page: str) -> str:
    """The menu key of System page `page`. Made from the page's name: "system.network"
    is also the system service's bus key, which only its contract spells out."""
    if page not in SYSTEM_PAGES:
        raise ValueError(f"{page!r} is not a System page of the manual's menu")
    return f"system.{page}"


def register(key: str, title: str, url_name: str, level: Level) -> None:
    section, _, page = key.partition(".")
    if section not in SECTIONS or (page and (section != "system" or page not in SYSTEM_PAGES)):
        raise ValueError(f"{key!r} is not a place in the manual's menu")
    if key in _items:
        raise ValueError(f"menu entry {key!r} registered twice")
    _items[key] = Item(key, title, url_name, level)


def menu(level: Level) -> list[Entry]:
    """The entries a visitor at `level` sees, in the manual's order."""
    entries = []
    for section, title in SECTIONS.items():
        if section == "system":
            children = [
                Entry(item.key, item.title, reverse(item.url_name))
                for page in SYSTEM_PAGES
                if (item := _items.get(f"system.{page}")) and item.level <= level
            ]
            if children:
                entries.append(Entry(section, title, children[0].url, children))
        elif (item := _items.get(section)) and item.level <= level:
            entries.append(Entry(section, item.title, reverse(item.url_name)))
    return entries
