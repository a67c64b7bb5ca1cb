"""The herald-core process: start the services, serve the bus, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal

from herald.audio.clips import ClipStore
from herald.audio.service import AudioService
from herald.bus import AsyncBus
from herald.core.config import CoreConfig
from herald.hal.audio_devices import load_audio_devices

log = logging.getLogger("herald.core")


async def run(config: CoreConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    bus = AsyncBus(config.redis_url, source="core")
    audio = AudioService(bus, load_audio_devices(), ClipStore(config.clips_dir),
                         config.audio_link, config.audio_settings)
    await audio.start()
    serving = asyncio.create_task(bus.serve("audio", audio.handlers), name="serve audio")
    log.info("herald-core running (%s mode, data in %s)", config.mode, config.data_dir)
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
    serving.cancel()
    await asyncio.gather(serving, return_exceptions=True)
    await audio.stop()
    await bus.close()
    if serving in done and serving.exception() is not None:
        raise serving.exception()
    log.info("herald-core stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run(CoreConfig.from_env()))
