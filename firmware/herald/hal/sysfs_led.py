"""A two-die status LED as the Linux kernel exposes it: LED class devices.

Each die is a directory such as /sys/class/leds/status:red holding
brightness, max_brightness and trigger. A steady light writes brightness;
a blink hands the timing to the kernel's ``timer`` trigger (delay_on,
delay_off), so it goes on while herald-core is busy; a pulse uses the
``pattern`` trigger's ramps where the kernel offers it, else it blinks with
the same timing.
"""

from __future__ import annotations

from pathlib import Path

from herald.hal.led import LEDState


class SysfsLEDDie:
    """One LED class device."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            self.max_brightness = int(self._read("max_brightness"))
            self.triggers = {name.strip("[]") for name in self._read("trigger").split()}
        except (OSError, ValueError) as error:
            raise ValueError(f"{directory} is not an LED class device: {error}") from error
        if self.max_brightness < 1:
            raise ValueError(f"{directory}: max_brightness is {self.max_brightness}")

    def show(self, level: float, state: LEDState) -> None:
        if level <= 0 or state.pattern == "off":
            self._write("trigger", "none")  # also stops a running trigger
            self._write("brightness", "0")
            return
        value = max(1, round(level * self.max_brightness))
        if state.pattern == "pulse" and "pattern" in self.triggers:
            self._write("trigger", "pattern")
            self._write("pattern", f"0 {_ms(state.on_time)} {value} {_ms(state.off_time)}")
            self._write("repeat", "-1")
        elif state.pattern in ("blink", "pulse") and "timer" in self.triggers:
            self._write("trigger", "none")
            self._write("brightness", str(value))  # the timer blinks at this level
            self._write("trigger", "timer")
            self._write("delay_on", str(_ms(state.on_time)))
            self._write("delay_off", str(_ms(state.off_time)))
        else:  # a die without the triggers shows the colour steadily
            self._write("trigger", "none")
            self._write("brightness", str(value))

    def _read(self, name: str) -> str:
        return (self.directory / name).read_text()

    def _write(self, name: str, value: str) -> None:
        (self.directory / name).write_text(value + "\n")


class SysfsLED:
    """The status LED's output: its red and green dies."""

    def __init__(self, red: Path, green: Path) -> None:
        self.red = SysfsLEDDie(red)
        self.green = SysfsLEDDie(green)

    def show(self, state: LEDState) -> None:
        red, green = state.dies
        self.red.show(red, state)
        self.green.show(green, state)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
