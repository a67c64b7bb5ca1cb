"""The device's network interfaces as the kernel has them, read through
iproute2's JSON: whether each has a link, and its IP addresses."""

from __future__ import annotations

import json
import logging
import subprocess

from herald.system.contract import Network, NetworkInterface

log = logging.getLogger(__name__)


def read_network() -> Network:
    """Every interface but loopback; none when `ip` cannot be asked (said in the log)."""
    try:
        done = subprocess.run(["ip", "-json", "address", "show"], capture_output=True,
                              text=True, timeout=5, check=True)
        entries = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("the network interfaces could not be read: %s", exc)
        return Network(())
    return Network(tuple(
        NetworkInterface(entry["ifname"],
                         {"UP", "LOWER_UP"} <= set(entry.get("flags", ())),
                         tuple(sorted(a["local"] for a in entry.get("addr_info", ())
                                      if "local" in a)))
        for entry in entries if "LOOPBACK" not in entry.get("flags", ())))
