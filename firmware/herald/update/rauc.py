"""Herald's client of the RAUC service on the system D-Bus.

RAUC does the dangerous part (verifying the signed bundle, writing the
inactive slot, switching the boot order); this client asks it to, reports
its progress, and turns its failures into one readable sentence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dbus_fast import BusType, DBusError, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.aio.proxy_object import ProxyInterface

SERVICE = "de.pengutronix.rauc"
PATH = "/"
INSTALLER = "de.pengutronix.rauc.Installer"

# The part of RAUC's Installer interface Herald uses (present since RAUC 1.3).
_INTROSPECTION = f"""
<node>
  <interface name="{INSTALLER}">
    <method name="InstallBundle">
      <arg name="source" type="s" direction="in"/>
      <arg name="args" type="a{{sv}}" direction="in"/>
    </method>
    <method name="Info">
      <arg name="bundle" type="s" direction="in"/>
      <arg name="compatible" type="s" direction="out"/>
      <arg name="version" type="s" direction="out"/>
    </method>
    <method name="Mark">
      <arg name="state" type="s" direction="in"/>
      <arg name="slot_identifier" type="s" direction="in"/>
      <arg name="slot_name" type="s" direction="out"/>
      <arg name="message" type="s" direction="out"/>
    </method>
    <method name="GetSlotStatus">
      <arg name="slot_status_array" type="a(sa{{sv}})" direction="out"/>
    </method>
    <method name="GetPrimary">
      <arg name="primary" type="s" direction="out"/>
    </method>
    <property name="Operation" type="s" access="read"/>
    <property name="LastError" type="s" access="read"/>
    <property name="Progress" type="(isi)" access="read"/>
    <property name="Compatible" type="s" access="read"/>
    <property name="BootSlot" type="s" access="read"/>
    <signal name="Completed"><arg name="result" type="i"/></signal>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <signal name="PropertiesChanged">
      <arg name="interface_name" type="s"/>
      <arg name="changed_properties" type="a{{sv}}"/>
      <arg name="invalidated_properties" type="as"/>
    </signal>
  </interface>
</node>
"""

Progress = Callable[[int, str], None]


class RaucError(Exception):
    """RAUC refused or failed; the message is RAUC's own reason."""


@dataclass(frozen=True)
class Slot:
    """One root filesystem slot as RAUC reports it."""

    name: str  # "rootfs.0"
    bootname: str  # "A"
    state: str  # "booted", "active" or "inactive"
    boot_status: str  # "good" or "bad"
    version: str  # version of the bundle last installed there, "" if unknown
    installed: str  # timestamp of that install, "" if unknown

    @classmethod
    def from_dbus(cls, name: str, status: dict[str, Variant]) -> Slot:
        def text(key: str) -> str:
            value = status.get(key)
            return str(value.value) if value is not None else ""

        return cls(name, text("bootname"), text("state"), text("boot-status"),
                   text("bundle.version"), text("installed.timestamp"))


class Rauc:
    """Calls to the RAUC service; one instance per D-Bus connection."""

    def __init__(self, bus: MessageBus, installer: ProxyInterface,
                 properties: ProxyInterface) -> None:
        self.bus = bus
        # Proxy methods (call_info, on_completed, ...) are generated at run time.
        self._installer: Any = installer
        self._properties: Any = properties

    @classmethod
    async def connect(cls, bus_address: str | None = None) -> Rauc:
        """Connect to the system bus (or the bus at `bus_address`, for tests)."""
        if bus_address:
            bus = await MessageBus(bus_address=bus_address).connect()
        else:
            bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        proxy = bus.get_proxy_object(SERVICE, PATH, _INTROSPECTION)
        return cls(bus, proxy.get_interface(INSTALLER),
                   proxy.get_interface("org.freedesktop.DBus.Properties"))

    def close(self) -> None:
        self.bus.disconnect()

    async def _call(self, method: str, *args: Any) -> Any:
        try:
            return await getattr(self._installer, f"call_{method}")(*args)
        except DBusError as exc:
            raise RaucError(_first_line(exc.text)) from exc

    async def info(self, bundle: str) -> tuple[str, str]:
        """Verify the bundle's signature and return its (compatible, version)."""
        compatible, version = await self._call("info", bundle)
        return compatible, version

    async def slots(self) -> list[Slot]:
        statuses = await self._call("get_slot_status")
        return [Slot.from_dbus(name, status) for name, status in statuses]

    async def primary(self) -> str:
        return await self._call("get_primary")

    async def boot_slot(self) -> str:
        return await self._installer.get_boot_slot()

    async def compatible(self) -> str:
        return await self._installer.get_compatible()

    async def mark(self, state: str, slot: str = "booted") -> str:
        """Mark a slot good, bad or active; returns RAUC's description."""
        _, message = await self._call("mark", state, slot)
        return message

    async def install(self, bundle: str, progress: Progress | None = None) -> None:
        """Install `bundle` into the inactive slot; raises RaucError with RAUC's reason."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_completed(result: int) -> None:
            if not done.done():
                done.set_result(result)

        def on_properties(interface: str, changed: dict[str, Variant], _gone: list[str]) -> None:
            if progress is not None and interface == INSTALLER and "Progress" in changed:
                percent, text, _depth = changed["Progress"].value
                progress(int(percent), str(text))

        self._installer.on_completed(on_completed)
        self._properties.on_properties_changed(on_properties)
        try:
            await self._call("install_bundle", bundle, {})
            result = await done
        finally:
            self._installer.off_completed(on_completed)
            self._properties.off_properties_changed(on_properties)
        if result != 0:
            error = await self._installer.get_last_error()
            raise RaucError(_first_line(error) or f"installation failed (code {result})")


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""
