"""System > Date and time, applied: the Time.* settings (checked by their
types when stored) become chrony's sources and the system's time zone as
they change, and at herald-system's start. Both live in the environment's
time directory (/data/time on a device: the root filesystem is read-only;
chrony's sourcedir and /etc/localtime point there). The clock is set by hand
through chrony, only while no NTP source is asked for."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import os
from pathlib import Path
from typing import Any

from herald import timezone
from herald.access import Level
from herald.bus import AsyncBus
from herald.environment import Environment
from herald.files import replace_atomically
from herald.params import ParamStore
from herald.params import contract as params_contract
from herald.params.follow import apply_on_changes
from herald.params.types import TimeZone
from herald.system import chrony, dhcp_leases
from herald.system import contract as settings

log = logging.getLogger(__name__)

LOCALTIME = "localtime"


def sources(values: dict[str, str], dhcp: list[str]) -> list[chrony.Source]:
    """The NTP servers the settings ask for, DHCP's first (when asked for)."""
    manual = [host for host in (values.get(settings.NTP_SERVER), values.get(settings.NTP_SERVER2))
              if host]
    source = values.get(settings.SYNC_SOURCE)
    if source == settings.SYNC_NTS:
        return [chrony.Source(host, nts=True) for host in manual]
    if source == settings.SYNC_NTP:
        from_dhcp = dhcp if values.get(settings.OBTAIN_FROM_DHCP) == "yes" else []
        return [chrony.Source(host) for host in [*from_dhcp,
                                                  *(h for h in manual if h not in from_dhcp)]]
    return []


def install_zone(directory: Path, values: dict[str, str]) -> bool:
    """Point <directory>/localtime at the settings' zone; False when it already does."""
    path, found = directory / LOCALTIME, timezone.zone_file(values)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(found, Path):
        with contextlib.suppress(OSError):
            if os.readlink(path) == str(found):
                return False
        link = directory / f".{LOCALTIME}-{os.urandom(6).hex()}"
        os.symlink(found, link)
        os.replace(link, path)
        return True
    with contextlib.suppress(OSError):
        if not path.is_symlink() and path.read_bytes() == found:
            return False
    replace_atomically(path, found)
    os.chmod(path, 0o644)  # every process reads the system's time zone
    return True


class TimeSettings:
    def __init__(self, bus: AsyncBus, environment: Environment, params: ParamStore) -> None:
        self.bus, self.environment, self.params = bus, environment, params
        self.lock = asyncio.Lock()
        self.unknown_zone = ""
        self.problem = ""  # why chrony did not take the settings, for the pages

    async def follow(self) -> None:
        """Apply the settings now, then whenever one of them changes."""
        changes = await self.bus.subscribe(params_contract.CHANGED)
        await apply_on_changes(changes, lambda name: name.startswith("Time."), self.apply,
                               first=True)

    async def apply(self) -> None:
        """Also called every few seconds: a new DHCP lease may name other servers."""
        async with self.lock:
            await asyncio.to_thread(self._apply)

    def _apply(self) -> None:
        snapshot = self.params.snapshot()
        values = {name: snapshot.get(name) for name in settings.TIME_SETTINGS}
        leases = self.environment.leases_dir
        if values[settings.TIME_ZONE_FROM_DHCP] == "yes":
            values = self._adopt_dhcp_zone(values, dhcp_leases.lease_values(
                leases, dhcp_leases.TIMEZONE))
        directory = self.environment.time_dir
        if install_zone(directory, values):
            log.info("time zone: %s", values.get(settings.TIME_ZONE)
                     or values.get(settings.POSIX_TIME_ZONE))
        wanted = sources(values, dhcp_leases.lease_values(leases, dhcp_leases.NTP))
        written = chrony.write_sources(directory, chrony.render(wanted, self.environment.ntp_port))
        if written:
            log.info("NTP sources: %s", ", ".join(
                f"{s.host}{' (NTS)' if s.nts else ''}" for s in wanted) or "none")
        if self.environment.chronyc and (written or self.problem):  # a failure is tried again
            try:
                chrony.reload_sources(self.environment.chronyc)
                self.problem = ""
            except chrony.ChronyError as exc:
                if not self.problem:
                    log.error("chrony did not reload its sources: %s", exc)
                self.problem = f"chrony did not take the NTP servers: {exc}"

    def _adopt_dhcp_zone(self, values: dict[str, str], zones: list[str]) -> dict[str, str]:
        """Store the first zone DHCP gives that the device knows, as the time zone."""
        for name in zones:
            try:
                zone = TimeZone().parse(name)
            except ValueError:
                if name != self.unknown_zone:  # once, not at every look
                    log.warning("DHCP gives time zone %r, which this device does not know", name)
                    self.unknown_zone = name
                continue
            if zone != values[settings.TIME_ZONE]:
                self.params.update({settings.TIME_ZONE: zone}, Level.ADMIN)
                log.info("time zone from DHCP: %s", zone)
            return {**values, settings.TIME_ZONE: zone}
        return values

    async def set_time(self, utc: str, by: str = "") -> dict[str, Any]:
        """Set the clock by hand (Custom date and time)."""
        try:
            when = datetime.datetime.fromisoformat(utc)
        except (TypeError, ValueError):
            return {"ok": False, "message": f"{utc!r} is not a date and time (ISO 8601)."}
        if when.tzinfo is None:
            return {"ok": False, "message": f"{utc!r} has no UTC offset."}
        source = (await asyncio.to_thread(self.params.snapshot)).get(settings.SYNC_SOURCE)
        if source != settings.SYNC_NONE:
            return {"ok": False, "message": "The date and time are set by hand only with "
                                            "Custom date and time; the device synchronizes "
                                            f"with {source}."}
        if not self.environment.chronyc:
            return {"ok": False, "message": "This device has no chrony to set its clock."}
        try:
            await asyncio.to_thread(chrony.set_time, self.environment.chronyc, when)
        except chrony.ChronyError as exc:
            return {"ok": False, "message": f"The clock was not set: {exc}"}
        log.warning("date and time set to %s by %s", when.isoformat(), by)
        return {"ok": True}
