"""Real-time scheduling for the threads that feed and drain the sound card.

A speaker that waits behind a busy web server glitches. The playback and
capture threads ask for SCHED_FIFO; without the right (CAP_SYS_NICE or an
RLIMIT_RTPRIO, which the herald-core unit grants) they run as before and
say so once.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

PRIORITY = 20  # above ordinary threads, below the kernel's own interrupt threads (50)
_warned = threading.Event()


def make_realtime(what: str) -> bool:
    """Run the calling thread with real-time priority; False if not allowed."""
    try:
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_FIFO,
                              os.sched_param(PRIORITY))
    except (PermissionError, OSError) as exc:
        if not _warned.is_set():
            _warned.set()
            log.warning("%s runs without real-time priority (%s): it may glitch under load",
                        what, exc)
        return False
    return True
