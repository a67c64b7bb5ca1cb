"""The light service (in herald-core, which owns the status LED): profiles
started as activities, the highest priority of them on the LED, and when
none runs, the system's state as the manual's LED indicators say."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any

from herald.bus import AsyncBus, state_event
from herald.hal.led import StatusLED
from herald.light import contract
from herald.light.contract import Activity, Invalid, LightStatus, Profile
from herald.light.store import ProfileStore
from herald.update import contract as update

log = logging.getLogger(__name__)

STARTUP, NORMAL, FAILED_UPGRADE = "startup", "normal", "failed upgrade"
IDENTIFY_LIGHT = Profile("Identify", pattern="blink", speed="fast", colour="amber",
                         duration=contract.TIME, amount=contract.LOCATE_SECONDS)
SLOW_FLASH_SECONDS = 1.0  # the failed upgrade's red, on and off


class LightService:
    def __init__(self, bus: AsyncBus, store: ProfileStore, led: StatusLED | None) -> None:
        self.bus, self.store, self.led = bus, store, led
        self.activities: dict[int, tuple[Activity, Profile]] = {}
        self.endings: dict[int, asyncio.TimerHandle] = {}
        self.ending: set[asyncio.Task] = set()  # held: the loop keeps only weak references
        self.ids = itertools.count(1)
        self.system = STARTUP
        self.watch: asyncio.Task | None = None
        self._show()

    @property
    def handlers(self) -> dict[str, Any]:
        return {contract.PROFILES: self.profiles, contract.SAVE: self.save,
                contract.REMOVE: self.remove, contract.START: self.start_profile,
                contract.PREVIEW: self.preview, contract.STOP: self.stop_activity,
                contract.LOCATE: self.locate,
                contract.EXPORT: self.export, contract.IMPORT: self.import_profiles}

    async def start(self) -> None:
        """Normal operation from now, or the failed upgrade's red (watched)."""
        subscription = await self.bus.subscribe(state_event(update.STATUS))
        self.watch = asyncio.create_task(self._watch_upgrades(subscription))
        await self._upgrade_state((await self.bus.state()).get(update.STATUS))

    async def stop(self) -> None:
        if self.watch is not None:
            self.watch.cancel()
        for ending in self.endings.values():
            ending.cancel()

    async def profiles(self) -> dict[str, Any]:
        profiles = await asyncio.to_thread(self.store.list)
        return {"ok": True, "profiles": [p.to_dict() for p in profiles]}

    async def save(self, profile: Any = None, old_name: str = "") -> dict[str, Any]:
        return await self._change(lambda: self.store.save(Profile.parse(profile), old_name))

    async def remove(self, name: str = "") -> dict[str, Any]:
        return await self._change(lambda: self.store.remove(name))

    async def export(self, names: list[str] | None = None) -> dict[str, Any]:
        profiles = await asyncio.to_thread(self.store.list)
        return {"ok": True, "profiles": [p.to_dict() for p in profiles
                                         if not names or p.name in names]}

    async def import_profiles(self, profiles: Any = None, mode: str = "") -> dict[str, Any]:
        def merge() -> int:
            if not isinstance(profiles, list):
                raise Invalid("The file must hold a JSON list of profiles.")
            return self.store.merge([Profile.parse(raw) for raw in profiles], mode)
        return await self._change(merge)

    async def start_profile(self, name: str = "", by: str = "") -> dict[str, Any]:
        profile = await asyncio.to_thread(self.store.get, name)
        if profile is None:
            return {"ok": False, "message": f"There is no profile named {name!r}."}
        return await self.start_activity(profile, by)

    async def preview(self, profile: Any = None, by: str = "") -> dict[str, Any]:
        """The page's Preview: a profile as the form holds it, before it is saved."""
        try:
            checked = Profile.parse(profile)
        except Invalid as refusal:
            return {"ok": False, "message": str(refusal)}
        return await self.start_activity(checked, by)

    async def locate(self, by: str = "") -> dict[str, Any]:
        return await self.start_activity(IDENTIFY_LIGHT, by, contract.IDENTIFY)

    async def start_activity(self, profile: Profile, by: str,
                             priority: int | None = None) -> dict[str, Any]:
        """`priority`: one of those above 10 (Identify), which no profile has."""
        if len(self.activities) >= contract.MAX_ACTIVITIES and priority is None:
            return {"ok": False, "message":
                    f"{contract.MAX_ACTIVITIES} light activities run already; stop one first."}
        seconds = _seconds(profile)
        now = time.time()
        activity = Activity(next(self.ids), profile.name, priority or profile.priority,
                            profile.pattern, profile.colour, now,
                            None if seconds is None else now + seconds, by)
        self.activities[activity.id] = (activity, profile)
        if seconds is not None:
            self.endings[activity.id] = asyncio.get_running_loop().call_later(
                seconds, self._end_later, activity.id)
        log.info("light activity %d: %s, priority %d, by %s",
                 activity.id, profile.name, activity.priority, by)
        await self._publish()
        return {"ok": True, "activity": activity.id}

    async def stop_activity(self, activity: int = 0) -> dict[str, Any]:
        running = self.activities.get(activity)
        if running is None:
            return {"ok": False, "message": "That light activity does not run."}
        if running[0].priority not in contract.PROFILE_PRIORITIES:
            return {"ok": False, "message": f"{running[0].name} ends by itself."}
        await self._end(activity)
        return {"ok": True}

    def _end_later(self, activity: int) -> None:
        task = asyncio.ensure_future(self._end(activity))
        self.ending.add(task)
        task.add_done_callback(self.ending.discard)

    async def _end(self, activity: int) -> None:
        self.activities.pop(activity, None)
        ending = self.endings.pop(activity, None)
        if ending is not None:
            ending.cancel()
        await self._publish()

    def shown(self) -> tuple[Activity, Profile] | None:
        """The highest priority; of equals, the latest started."""
        return max(self.activities.values(), key=lambda pair: (pair[0].priority, pair[0].id),
                   default=None)

    async def _change(self, change: Any) -> dict[str, Any]:
        try:
            await asyncio.to_thread(change)
        except Invalid as refusal:
            return {"ok": False, "message": str(refusal)}
        return {"ok": True}

    async def _watch_upgrades(self, subscription: Any) -> None:
        async for event in subscription:
            await self._upgrade_state(event.data.get("value"))

    async def _upgrade_state(self, raw: dict[str, Any] | None) -> None:
        status = update.FirmwareStatus.from_dict(raw) if raw else None
        failed = status is not None and status.last is not None \
            and status.last.outcome == update.FAILED
        self.system = FAILED_UPGRADE if failed else NORMAL
        await self._publish()

    async def _publish(self) -> None:
        self._show()
        shown = self.shown()
        ordered = sorted((a for a, _ in self.activities.values()),
                         key=lambda a: (a.priority, a.id), reverse=True)
        await self.bus.set_state(contract.STATUS, LightStatus(
            tuple(ordered), shown[0].id if shown else None, self.system).to_dict())

    def _show(self) -> None:
        if self.led is None:
            return
        shown = self.shown()
        if shown is None:
            if self.system == FAILED_UPGRADE:
                self.led.blink("red", SLOW_FLASH_SECONDS, SLOW_FLASH_SECONDS)
            else:
                self.led.on("amber" if self.system == STARTUP else "green")
            return
        profile = shown[1]
        brightness = contract.INTENSITIES[profile.intensity]
        flash = contract.SPEEDS[profile.speed]
        if profile.pattern == "blink":
            self.led.blink(profile.colour, flash, flash, brightness=brightness)
        elif profile.pattern == "pulse":
            self.led.pulse(profile.colour, flash, flash, brightness=brightness)
        else:
            self.led.on(profile.colour, brightness)


def _seconds(profile: Profile) -> float | None:
    """How long an activity runs before it ends by itself; None: until stopped."""
    if profile.duration == contract.TIME:
        return float(profile.amount)
    if profile.duration == contract.REPETITIONS:
        return profile.amount * 2 * contract.SPEEDS[profile.speed]
    return None
