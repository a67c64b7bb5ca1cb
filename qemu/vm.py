"""A Herald device in QEMU (q35, OVMF, TCG): how it is started, reached and stopped.

One `Machine` is one disk: either a throwaway snapshot of the deployed image or
a persistent qcow2 overlay on it (for tests that reboot and switch slots). Each
`boot()` starts one QEMU process; guest reboots end it (`-no-reboot`) so every
boot can get its own fw_cfg boot script (`wait_until_up` powers on again after
a restart the device made by itself while booting). On test images, `run()` executes
shell commands through the debug shell on the virtio port "herald.debug".
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from qemu.qmp import QMP, QMPError

REPO = Path(__file__).resolve().parent.parent
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
GUEST_PORTS = {"http": ("tcp", 80), "https": ("tcp", 443), "ssh": ("tcp", 22),
               "snmp": ("udp", 161), "sip": ("tcp", 5060), "sip-udp": ("udp", 5060)}
DEFAULT_HOST_PORTS = {"http": 8080, "https": 8443, "ssh": 2222, "snmp": 1161,
                      "sip": 5060, "sip-udp": 5060}


# What the console shows when a boot ends in the device restarting itself,
# what may come before it and say why, and how long that restart may take
# once the debug shell is gone (panic=5).
SELF_RESTARTS = ("Kernel panic", "could not be started, restarting")
RESTART_CAUSES = ("Oops:", "BUG:", *SELF_RESTARTS)
SELF_RESTART_SECONDS = 30


def restart_cause(console: str) -> str:
    """The first console line that says why a boot ended in a restart (an
    oops, a kernel BUG, the panic, or GRUB giving up on a slot)."""
    for line in console.splitlines():
        if any(sign in line for sign in RESTART_CAUSES):
            return line.strip()
    return "no reason on the console"


class GuestError(RuntimeError):
    """The guest could not be reached, or a command in it failed."""


@dataclass
class CommandResult:
    """What a guest command printed (stdout and stderr together) and its exit code."""

    returncode: int
    output: str

    def check(self, command: str) -> CommandResult:
        if self.returncode != 0:
            raise GuestError(f"{command!r} exited {self.returncode}:\n{self.output}")
        return self


def free_port(kind: str = "tcp") -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    sock_type = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, sock_type) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def forwarded_ports() -> dict[str, int]:
    """Free host ports for every forwarded guest port (machines side by side)."""
    return {name: free_port(proto) for name, (proto, _) in GUEST_PORTS.items()}


def deployed_image(image: str = "herald-image", machine: str = "qemux86-64") -> Path:
    """The disk image `kas build` deployed for MACHINE."""
    path = REPO / "build" / "deploy" / machine / f"{image}-{machine}.img"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run kas build kas.yml first")
    return path


def machine_settings(image: Path) -> dict[str, str]:
    """QEMU settings the image's machine configuration deployed beside it."""
    conf = image.with_name(image.name.removesuffix(".img") + ".qemuboot.json")
    settings = {"machine": "q35", "cpu": "max", "smp": "2", "mem": "1024",
                "ovmf_code": str(OVMF_CODE), "ovmf_vars": str(OVMF_VARS)}
    if conf.exists():
        settings.update(json.loads(conf.read_text()))
    return settings


@dataclass
class Machine:
    """A virtual Herald device with its disk, UEFI variables and forwarded ports."""

    image: Path
    workdir: Path
    snapshot: bool = True
    memory_mb: int | None = None
    ports: dict[str, int] = field(default_factory=dict)
    # Extra read-only disks, serial -> file; the guest sees /dev/disk/by-id/virtio-SERIAL.
    drives: dict[str, Path] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    # The console of every boot that ended in a restart (see wait_until_up).
    restarts: list[str] = field(default_factory=list)
    _boot_args: tuple[str | None, bool] = (None, False)
    _sock: socket.socket | None = None
    _buffer: bytes = b""
    _serial = itertools.count(1)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.settings = machine_settings(self.image)
        if self.memory_mb is None:
            self.memory_mb = int(self.settings["mem"])
        self.vars = self.workdir / "OVMF_VARS.fd"
        if not self.vars.exists():
            shutil.copyfile(self.settings["ovmf_vars"], self.vars)
        self.disk = self.image
        if not self.snapshot:
            # A copy-on-write overlay is only valid on the image it was made from.
            self.disk = self.workdir / "disk.qcow2"
            stamp = self.workdir / "image.stamp"
            info = self.image.stat()
            current = f"{self.image.resolve()} {info.st_size} {info.st_mtime_ns}\n"
            if not stamp.exists() or stamp.read_text() != current:
                self.disk.unlink(missing_ok=True)
                stamp.write_text(current)
            if not self.disk.exists():
                subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                                "-b", str(self.image.resolve()), str(self.disk)], check=True)
        for name in GUEST_PORTS:
            self.ports.setdefault(name, DEFAULT_HOST_PORTS[name])
        self.console_log = self.workdir / "console.log"
        self.audio_out = self.workdir / "speaker.wav"
        self.debug_socket = self.workdir / "debug.sock"
        self.boot_script = self.workdir / "boot-script.sh"
        self.qmp_socket = self.workdir / "qmp.sock"
        self.qmp = QMP(str(self.qmp_socket))
        # What the guest told its keyboard's LEDs, with the host's time (qemu.board).
        self.board_trace = self.workdir / "board-trace.log"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}/"

    def command(self, boot_script: str | None = None, reboot: bool = False) -> list[str]:
        """The QEMU command line for one boot."""
        forwards = ",".join(
            f"hostfwd={proto}:127.0.0.1:{self.ports[name]}-:{guest}"
            for name, (proto, guest) in GUEST_PORTS.items())
        fmt = "qcow2" if self.disk.suffix == ".qcow2" else "raw"
        cmd = [
            "qemu-system-x86_64", "-machine", self.settings["machine"],
            "-accel", "tcg,thread=multi", "-cpu", self.settings["cpu"],
            "-smp", self.settings["smp"], "-m", str(self.memory_mb),
            "-display", "none", "-monitor", "none", "-nodefaults",
            "-serial", f"file:{self.console_log}",
            "-msg", "timestamp=on",
            "-trace", f"enable=ps2_set_ledstate,file={self.board_trace}",
            "-qmp", f"unix:{self.qmp_socket},server=on,wait=off",
            "-drive", f"if=pflash,format=raw,readonly=on,file={self.settings['ovmf_code']}",
            "-drive", f"if=pflash,format=raw,file={self.vars}",
            "-drive", f"file={self.disk},if=none,id=hd0,format={fmt}",
            "-device", "virtio-blk-pci,drive=hd0,bootindex=1",
            "-netdev", f"user,id=n0,{forwards}",
            "-device", "virtio-net-pci,netdev=n0,romfile=,mac=52:54:00:c1:41:00",
            "-audiodev", f"wav,id=snd0,path={self.audio_out}",
            "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
            "-device", "virtio-rng-pci",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=dbg,path={self.debug_socket},server=on,wait=off",
            "-device", "virtserialport,chardev=dbg,name=herald.debug",
        ]
        for serial, path in self.drives.items():
            cmd += ["-drive", f"file={path},if=none,id={serial},format=raw,readonly=on",
                    "-device", f"virtio-blk-pci,drive={serial},serial={serial}"]
        if self.snapshot:
            cmd.append("-snapshot")
        if not reboot:
            cmd.append("-no-reboot")
        if boot_script is not None:
            self.boot_script.write_text(boot_script)
            cmd += ["-fw_cfg", f"name=opt/herald/boot-script,file={self.boot_script}"]
        return cmd

    def boot(self, boot_script: str | None = None, reboot: bool = False) -> None:
        """Start QEMU; returns at once (see `wait_until_up`). With reboot, guest
        reboots stay in the same QEMU process."""
        if self.process and self.process.poll() is None:
            raise GuestError("the machine is already running")
        self.console_log.unlink(missing_ok=True)
        self.debug_socket.unlink(missing_ok=True)
        self.board_trace.unlink(missing_ok=True)
        self.qmp.close()
        self._boot_args = (boot_script, reboot)
        self.process = subprocess.Popen(self.command(boot_script, reboot), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._sock = None
        self._buffer = b""

    def console(self) -> str:
        return self.console_log.read_text(errors="replace") if self.console_log.exists() else ""

    def _alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            err = self.process.stderr.read().decode(errors="replace") if self.process else ""
            raise GuestError(f"QEMU is not running. {err}\nconsole:\n{self.console()[-3000:]}")

    def _connect(self) -> socket.socket:
        if self._sock is None:
            self._alive()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(self.debug_socket))
            self._sock = sock
        return self._sock

    def _exchange(self, command: str, timeout: float) -> CommandResult | None:
        """Send one command to the debug shell; None if no answer came in time."""
        n = next(self._serial)
        encoded = base64.b64encode(command.encode()).decode()
        # The leading newline ends any partial line an earlier, timed-out send left.
        line = (f"\necho '@@{n}:start@@'; sh -c \"$(echo {encoded} | base64 -d)\" </dev/null 2>&1;"
                f" echo \"@@{n}:$?@@\"\n")
        sock = self._connect()
        sock.settimeout(5)
        try:
            sock.sendall(line.encode())
        except TimeoutError:  # the guest has not opened its end of the port yet
            return None
        except ConnectionError as closed:  # QEMU went away (a restart or a power cut)
            self._sock = None
            raise GuestError("the debug port closed") from closed
        pattern = re.compile(rb"@@%d:start@@\n(.*?)@@%d:(\d+)@@\n" % (n, n), re.S)
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self._buffer)
            if match:
                self._buffer = self._buffer[match.end():]
                return CommandResult(int(match.group(2)), match.group(1).decode(errors="replace"))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._alive()
            sock.settimeout(min(remaining, 1.0))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionError:  # QEMU went away (a restart or a power cut)
                chunk = b""
            if not chunk:
                self._sock = None
                raise GuestError("the debug port closed")
            self._buffer += chunk

    def wait_until_up(self, timeout: float = 600) -> float:
        """Wait until the debug shell answers and systemd has finished booting,
        powering on again whenever the device restarts itself on the way.

        Returns the seconds from QEMU start to the shell's first answer."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            try:
                answered = self._first_answer(deadline, timeout) - started
                self.run("systemctl is-system-running --wait >/dev/null || true",
                         timeout=max(deadline - time.monotonic(), 30))
                return answered
            except GuestError:
                if not self._powered_on_after_restart():
                    raise

    def _first_answer(self, deadline: float, timeout: float) -> float:
        """When the debug shell first answered (monotonic time)."""
        while time.monotonic() < deadline:
            self._alive()
            try:
                if self._exchange("true", timeout=3) is not None:
                    return time.monotonic()
            except (OSError, GuestError):
                self._sock = None
                time.sleep(1)
        raise GuestError(f"no answer from the debug shell in {timeout:.0f} s:\n"
                         f"{self.console()[-3000:]}")

    def _powered_on_after_restart(self) -> bool:
        """Power on again if this boot ended in a restart the device made by
        itself: a kernel panic (panic= on the kernel command line) or a slot
        GRUB could not load. -no-reboot turns such a restart into QEMU's exit
        where real hardware would simply boot again, so the harness carries
        on and says so. (Multi-threaded TCG also, rarely, breaks the kernel's
        live code patching: an int3 oops early in boot.)"""
        if self.process is None:
            return False
        try:
            self.process.wait(timeout=SELF_RESTART_SECONDS)
        except subprocess.TimeoutExpired:  # still running: not a restart
            return False
        console = self.console()
        if not any(sign in console for sign in SELF_RESTARTS):
            return False
        self.restarts.append(console)
        print(f"the device restarted itself during boot:\n{console[-600:]}", flush=True)
        self.boot(*self._boot_args)
        return True

    def run(self, command: str, timeout: float = 120, check: bool = False) -> CommandResult:
        """Run a shell command in the guest as root."""
        result = self._exchange(command, timeout)
        if result is None:
            raise GuestError(f"{command!r} did not finish in {timeout:.0f} s")
        return result.check(command) if check else result

    def slots(self) -> dict[str, dict]:
        """RAUC's slots by boot name (A, B): state ('booted', 'inactive'), boot status."""
        out = self.run("rauc status --detailed --output-format=json 2>/dev/null",
                       check=True).output
        return {s["bootname"]: s for slot in json.loads(out)["slots"] for s in slot.values()}

    def wait_for_exit(self, timeout: float = 300) -> int:
        """Wait until QEMU ends (a guest reboot or poweroff ends it)."""
        if self.process is None:
            return 0
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise GuestError(f"QEMU still running after {timeout:.0f} s:\n"
                             f"{self.console()[-3000:]}") from exc
        finally:
            self._sock = None

    def reboot(self, boot_script: str | None = None) -> None:
        """Reboot the guest and start the next boot (a new QEMU process)."""
        self.run("systemctl reboot", timeout=30)
        self.wait_for_exit()
        self.boot(boot_script)

    def power_button(self) -> None:
        """Press the (ACPI) power button, as on a machine without debug access."""
        try:
            self.qmp.execute("system_powerdown")
        except QMPError as error:
            raise GuestError(str(error)) from error

    def poweroff(self) -> None:
        """Power off from inside through the debug shell (under load quicker than
        the power button); press the button if the shell does not answer."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(GuestError, OSError):
            self.run("systemctl poweroff", timeout=10)
        with contextlib.suppress(GuestError):
            self.wait_for_exit(timeout=60)
        self.shutdown()

    def cut_power(self) -> bool:
        """The power fails: QEMU is killed, no shutdown, nothing flushed.
        False if it had already ended (the guest had restarted or powered off)."""
        if self.process is None:
            return False
        running = self.process.poll() is None
        self.process.kill()
        self.process.wait()
        self._sock = None
        return running

    def shutdown(self, timeout: float = 120) -> None:
        """Power the guest off cleanly; kill QEMU only if it does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(OSError, GuestError):
            self.power_button()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._sock = None
