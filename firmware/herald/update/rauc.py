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

# The part of RAUC's Installer interface Herald uses (InspectBundle since RAUC 1.9).
_INTROSPECTION = f"""
<node>
  <interface name="{INSTALLER}">
    <method name="InstallBundle">
      <arg name="source" type="s" direction="in"/>
      <arg name="args" type="a{{sv}}" direction="in"/>
    </method>
    <method name="InspectBundle">
      <arg name="bundle" type="s" direction="in"/>
      <arg name="args" type="a{{sv}}" direction="in"/>
      <arg name="info" type="a{{sv}}" direction="out"/>
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


class RaucUnavailable(RaucError):
    """No RAUC service answers (a development host, or RAUC is not running)."""


@dataclass(frozen=True)
class BundleInfo:
    """What a bundle's signed manifest says, once RAUC has checked the signature."""

    compatible: str
    version: str
    build: str
    verity_hash: str  # the payload's dm-verity root hash, hex
    verity_salt: str
    verity_size: int  # bytes of the hash tree after the payload


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
    def from_dbus(cls, name: str, status: dict[str, Any]) -> Slot:
        plain = _plain(status)

        def text(key: str) -> str:
            return str(plain.get(key, ""))

        return cls(name, text("bootname"), text("state"), text("boot-status"),
                   text("bundle.version"), text("installed.timestamp"))


class Rauc:
    """Calls to the RAUC service; one instance per D-Bus connection."""

    def __init__(self, bus: MessageBus, installer: ProxyInterface,
                 properties: ProxyInterface) -> None:
        self.bus = bus
        # Proxy methods (call_mark, get_boot_slot, on_completed...) are made at run time.
        self._installer: Any = installer
        self._properties: Any = properties

    @classmethod
    async def connect(cls, bus_address: str | None = None) -> Rauc:
        """Connect to the system bus (or the bus at `bus_address`)."""
        try:
            if bus_address:
                bus = await MessageBus(bus_address=bus_address).connect()
            else:
                bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        except OSError as exc:
            raise RaucUnavailable(f"no D-Bus system bus to reach RAUC: {exc}") from exc
        proxy = bus.get_proxy_object(SERVICE, PATH, _INTROSPECTION)
        return cls(bus, proxy.get_interface(INSTALLER),
                   proxy.get_interface("org.freedesktop.DBus.Properties"))

    def close(self) -> None:
        self.bus.disconnect()

    async def _call(self, method: str, *args: Any) -> Any:
        """Call `method` ("call_mark", "get_boot_slot"...) of RAUC's installer."""
        try:
            return await getattr(self._installer, method)(*args)
        except DBusError as exc:
            if exc.type in _NOT_RUNNING:
                raise RaucUnavailable(f"the RAUC service is not running: {exc.text}") from exc
            raise RaucError(_first_line(exc.text)) from exc

    async def inspect(self, bundle: str) -> BundleInfo:
        """Verify the bundle's signature and return what its manifest says."""
        info = _plain(await self._call("call_inspect_bundle", bundle, {}))
        update, meta = info.get("update", {}), info.get("bundle", {})
        return BundleInfo(str(update.get("compatible", "")), str(update.get("version", "")),
                          str(update.get("build", "")), str(meta.get("verity-hash", "")),
                          str(meta.get("verity-salt", "")), int(meta.get("verity-size", 0)))

    async def slots(self) -> list[Slot]:
        statuses = await self._call("call_get_slot_status")
        return [Slot.from_dbus(name, status) for name, status in statuses]

    async def primary(self) -> str:
        return await self._call("call_get_primary")

    async def boot_slot(self) -> str:
        return await self._call("get_boot_slot")

    async def compatible(self) -> str:
        return await self._call("get_compatible")

    async def mark(self, state: str, slot: str = "booted") -> str:
        """Mark a slot good, bad or active; returns RAUC's description."""
        _, message = await self._call("call_mark", state, slot)
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
            await self._call("call_install_bundle", bundle, {})
            result = await done
        finally:
            self._installer.off_completed(on_completed)
            self._properties.off_properties_changed(on_properties)
        if result != 0:
            error = await self._call("get_last_error")
            raise RaucError(_first_line(error) or f"installation failed (code {result})")


_NOT_RUNNING = ("org.freedesktop.DBus.Error.ServiceUnknown",
                "org.freedesktop.DBus.Error.NameHasNoOwner")


def _plain(value: Any) -> Any:
    """A D-Bus value with every (nested) Variant unwrapped."""
    while isinstance(value, Variant):
        value = value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""
