"""What the board's inputs share: a line that is active or not, and the
callbacks a part runs when it changes (gpiozero's model).

A line (an input-event code on Linux, a file on the simulated board) tells
its part each change from a thread of its own; callbacks run on that
thread, so they must be quick or hand their work on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("herald.hal")

Callback = Callable[[], object] | None


class InputLine(Protocol):
    def value(self) -> bool:
        """Active now (pressed, switched, motion)."""
        ...

    def watch(self, changed: Callable[[bool], None]) -> None:
        """Start calling `changed` with each new value."""
        ...

    def close(self) -> None: ...


class DigitalInput:
    """A part behind one input line: its value, waits and callbacks."""

    def __init__(self, line: InputLine) -> None:
        self._line = line
        self._changed = threading.Condition()
        self._active = line.value()
        line.watch(self._change)

    @property
    def is_active(self) -> bool:
        return self._active

    def close(self) -> None:
        self._line.close()

    def wait_for(self, active: bool, timeout: float | None = None) -> bool:
        """Block until the line is `active`; False if the timeout came first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._active == active, timeout)

    def _change(self, active: bool) -> None:
        with self._changed:
            if active == self._active:
                return
            self._active = active
            self._changed.notify_all()
        if active:
            self._activated()
        else:
            self._deactivated()

    def _activated(self) -> None: ...

    def _deactivated(self) -> None: ...


def run_callback(callback: Callback) -> None:
    """Run a part's callback; its failure is logged, the part goes on."""
    if callback is None:
        return
    try:
        callback()
    except Exception:
        log.exception("an input callback failed")
