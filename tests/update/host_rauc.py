"""The real RAUC service on the build host, for the boot gate's tests.

RAUC from the build's tools chroot runs `rauc service` on a private D-Bus,
with the GRUB backend driving a real grubenv file (grub-editenv) and two
files as the root slots. This host's kernel has no device-mapper, so RAUC
cannot install a verity bundle here (the QEMU tests do that); marking slots,
their status and the boot order are RAUC's own. A restart of the device is
a restart of the service with the slot GRUB would now boot.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

from herald.update.rauc import Rauc, RaucError
from tests.conftest import wait_until
from tests.update import bundles

COMPATIBLE = "herald-qemux86-64"


class HostRauc:
    """`shared`: host directories RAUC sees at the same path (where bundles are)."""

    def __init__(self, work: Path, shared: tuple[Path, ...] = ()) -> None:
        self.work = work
        self.shared = shared
        self.process: subprocess.Popen | None = None
        (work / "run").mkdir(parents=True, exist_ok=True)
        (work / "data").mkdir(exist_ok=True)
        for slot in ("rootA", "rootB"):
            with (work / slot).open("wb") as f:
                f.truncate(4 * 1024 * 1024)
        (work / "system.conf").write_text(textwrap.dedent(f"""\
            [system]
            compatible={COMPATIBLE}
            bootloader=grub
            grubenv=/w/grubenv
            data-directory=/w/data

            [keyring]
            path=/w/ca.pem
            check-purpose=codesign

            [slot.rootfs.0]
            device=/w/rootA
            type=ext4
            bootname=A

            [slot.rootfs.1]
            device=/w/rootB
            type=ext4
            bootname=B
            """))
        (work / "ca.pem").write_bytes(bundles.dev_pki().ca.read_bytes())
        # As the image leaves it: slot A good and first, slot B never written.
        bundles.tools(work, "grub-editenv", "/w/grubenv", "create")
        bundles.tools(work, "grub-editenv", "/w/grubenv", "set", "ORDER=A B", "A_OK=1",
                      "A_TRY=0", "B_OK=0", "B_TRY=0")

    @property
    def address(self) -> str:
        return f"unix:path={self.work / 'run' / 'bus'}"

    def grubenv(self) -> dict[str, str]:
        out = bundles.tools(self.work, "grub-editenv", "/w/grubenv", "list")
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def next_boot(self) -> str:
        """The slot GRUB boots next: the first in ORDER that is OK (tries left)."""
        env = self.grubenv()
        for slot in env["ORDER"].split():
            if env.get(f"{slot}_OK") == "1" and int(env.get(f"{slot}_TRY", "0")) < 3:
                return slot
        return env["ORDER"].split()[0]

    def boot(self, slot: str) -> None:
        """Start RAUC as on a device that booted `slot` (GRUB counts the try)."""
        self.stop()
        env = self.grubenv()
        tries = int(env.get(f"{slot}_TRY", "0")) + 1
        bundles.tools(self.work, "grub-editenv", "/w/grubenv", "set", f"{slot}_TRY={tries}")
        socket = self.work / "run" / "bus"
        socket.unlink(missing_ok=True)
        script = ("dbus-daemon --session --nofork --nopidfile --address=unix:path=/w/run/bus & "
                  "d=$!; trap 'kill $d' EXIT TERM; "
                  "while [ ! -S /w/run/bus ]; do sleep 0.05; done; "
                  "DBUS_SESSION_BUS_ADDRESS=unix:path=/w/run/bus DBUS_STARTER_BUS_TYPE=session "
                  f"rauc --conf=/w/system.conf --override-boot-slot={slot} service")
        log = (self.work / "rauc.log").open("ab")
        binds = [arg for path in self.shared for arg in ("--bind", f"{path}:{path}")]
        self.process = subprocess.Popen(
            [str(bundles.CHROOT), str(bundles.ensure_tools()), "--bind", f"{self.work}:/w",
             *binds, "--", "sh", "-c", script],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._answers, timeout=30, interval=0.1, what="the RAUC service")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"rauc service exited:\n{(self.work / 'rauc.log').read_text()}")

        async def ask() -> bool:
            try:
                rauc = await Rauc.connect(self.address)
            except RaucError:
                return False
            try:
                return bool(await rauc.boot_slot())
            except RaucError:
                return False
            finally:
                rauc.close()

        return asyncio.run(ask())

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        time.sleep(0.1)
