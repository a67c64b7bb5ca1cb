"""herald-core's board: its parts, made once per process.

A device (or a host given HERALD_BOARD_CONFIG) uses the Linux board of its
board file; a development host without one gets the simulated board in
<data>/board (see herald.simulation.board). A part the board lacks is
None, and what needs it says so in the log; so is a part the board file names
but the system does not give (a missing device, no permission), which is an
error in the log rather than a service that never starts. The parts outlive run()'s
restarts after a lost Redis: a button held at power-on is seen once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from herald.bus import AsyncBus
from herald.core import contract
from herald.environment import Environment
from herald.hal.board import Board, MissingPart, load_board
from herald.hal.button import Button
from herald.hal.led import StatusLED
from herald.hal.mic_switch import MicSwitch
from herald.hal.motion_sensor import MotionSensor

log = logging.getLogger("herald.core")
T = TypeVar("T")

FACTORY_DEFAULT_SECONDS = 10.0  # the control button held at power-on (the manual's reset)


@dataclass(frozen=True)
class Parts:
    led: StatusLED | None
    button: Button | None
    mic_switch: MicSwitch | None
    motion_sensor: MotionSensor | None


def this_board(environment: Environment) -> Board:
    if environment.is_device or os.environ.get("HERALD_BOARD_CONFIG"):
        return load_board()
    from herald.simulation.board import SimulatedBoard  # a device never loads it

    board = SimulatedBoard(environment.data_dir / "board")
    log.info("simulated board in %s", board.directory)
    return board


@functools.cache
def parts(environment: Environment) -> Parts:
    board = this_board(environment)
    return Parts(*(_part(make) for make in (
        board.status_led, lambda: board.button(hold_time=FACTORY_DEFAULT_SECONDS),
        board.mic_switch, board.motion_sensor)))


async def publish_motion(sensor: MotionSensor, bus: AsyncBus) -> None:
    """The PIR's state on the bus (board.MOTION), for the events service."""
    loop = asyncio.get_running_loop()

    def publish() -> None:
        asyncio.run_coroutine_threadsafe(bus.set_state(contract.MOTION, sensor.motion_detected),
                                         loop)

    sensor.when_motion = sensor.when_no_motion = publish
    await bus.set_state(contract.MOTION, sensor.motion_detected)


def _part(make: Callable[[], T]) -> T | None:
    try:
        return make()
    except MissingPart as missing:
        log.info("%s", missing)
    except (ValueError, OSError) as error:  # named in the board file, but not usable
        log.error("board part not usable, herald-core goes on without it: %s", error)
    return None
