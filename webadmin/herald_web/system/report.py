"""The server report: what support needs to know about the device, as text
(with the access log, as the manual says), or as a zip with the logs; and
the crash report (debug.tgz), the server report with everything else that
helps find a fault."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import tarfile
import time
import zipfile
from pathlib import Path

from django.conf import settings

from herald.access import Level
from herald.system import contract, logs
from herald.system.identity import this_device, this_firmware
from herald_web.device import bus, call, params
from herald_web.system import system_log, trace

SYSTEM_LOG_LINES = 1000
COREDUMP_INFO_SECONDS = 120  # of the crash report's 300 (views.REPORT_TIMEOUT)
PROC_FILES = ("meminfo", "loadavg", "mounts", "net/dev", "net/route")
ZIP, TGZ = "zip", "tgz"


def _processes() -> list[str]:
    rows = []
    for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int):
        try:
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if ":" in line
            )
        except OSError:
            continue
        rows.append(f"{pid:>7} {status.get('VmRSS', '-').strip():>12}  {status['Name'].strip()}")
    return rows


def text(system: str | None = None) -> str:
    """The report; its latest system log lines from `system`, the system log
    already read for the archive beside it, so that both show the same."""
    env = settings.ENVIRONMENT
    system = system_log.read() if system is None else system
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    values = params().snapshot()
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    disk = shutil.disk_usage(env.data_dir)
    state = bus().state()
    sections = [
        ("Device", [
            f"Product: {values.get('Brand.ProdFullName')}",
            f"Serial number: {this_device().serial}",
            f"Firmware version: {this_firmware().version}",
            f"Build: {this_firmware().build_number or '-'}",
            f"Report made: {now}",
            f"Uptime: {datetime.timedelta(seconds=int(uptime))}",
            f"Mode: {env.mode}",
        ]),
        ("Parameters", [f"root.{r.name}={v}" for r, v in values.readable(Level.ADMIN)]),
        ("State on the bus", [f"{key}: {state[key]}" for key in sorted(state)]),
        ("Storage", [f"{env.data_dir}: {disk.used // 2**20} MiB used of "
                     f"{disk.total // 2**20} MiB, {disk.free // 2**20} MiB free"]),
        ("Processes (PID, resident memory, name)", _processes()),
        ("Access log", logs.read(env, logs.ACCESS).splitlines()),
        ("System log (latest lines)", system.splitlines()[-SYSTEM_LOG_LINES:]),
    ]
    parts = ["Herald server report"]
    for title, lines in sections:
        parts.append(f"\n----- {title} -----")
        parts.extend(lines)
    return "\n".join(parts) + "\n"


def archive_name(kind: str) -> str:
    """The download's name: the manual's crash report is debug.tgz."""
    if kind == TGZ:
        return "debug.tgz"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"serverreport_{this_device().serial}_{stamp}.zip"


def _report_and_system_log() -> dict[str, str]:
    """What both archives hold by these names: the report and the whole system
    log, with the journal's kernel and services (the log files alone miss
    the lines around a crash)."""
    system = system_log.read()
    return {"serverreport.txt": text(system), logs.SYSTEM: system}


def write_zip(path: Path) -> None:
    """The report and the full logs in one zip at `path`."""
    env = settings.ENVIRONMENT
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _report_and_system_log().items():
            archive.writestr(name, content)
        archive.writestr(logs.ACCESS, logs.read(env, logs.ACCESS))


def _add_text(archive: tarfile.TarFile, name: str, content: str) -> None:
    data = content.encode()
    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = len(data), int(time.time()), 0o644
    archive.addfile(member, io.BytesIO(data))


def _coredump_info(archive: tarfile.TarFile, name: str, deadline: float) -> str:
    """The dump's journal record (`coredumpctl info`, which herald-system may
    read) beside it, or why there is none, for the note; none after the
    deadline, so that many dumps or a herald-system that does not answer
    leave the crash report its time."""
    left = deadline - time.monotonic()
    if left <= 0:
        return f"no coredumpctl info (the {COREDUMP_INFO_SECONDS} s for them ran out)"
    answer = call(contract.SERVICE, contract.COREDUMP_INFO, timeout=left, name=name)
    if not answer["ok"]:
        return f"no coredumpctl info ({answer['message']})"
    _add_text(archive, f"coredump/{name}.info.txt", answer["info"])
    return f"coredumpctl info in coredump/{name}.info.txt"


def _coredumps(archive: tarfile.TarFile) -> None:
    """What systemd-coredump kept, and a note of what there was: an archive
    without core dumps says so rather than leave the reader guessing."""
    directory = settings.ENVIRONMENT.coredump_dir
    found = sorted(directory.iterdir()) if directory.is_dir() else []
    notes = []
    deadline = time.monotonic() + COREDUMP_INFO_SECONDS
    for dump in found:
        try:
            archive.add(dump, f"coredump/{dump.name}", recursive=False)
            size = dump.stat().st_size
        except OSError as exc:
            notes.append(f"{dump.name}: not included ({exc.strerror})")
            continue
        info = _coredump_info(archive, dump.name, deadline)
        notes.append(f"coredump/{dump.name}: {size} bytes; {info}")
    if not found:
        notes.append(f"No core dumps: systemd-coredump has none in {directory}.")
    _add_text(archive, "coredumps.txt", "\n".join(notes) + "\n")


def write_tgz(path: Path) -> None:
    """The crash report: the server report, the system log with the journal's
    lines, every log file (rotated ones too), the kernel's view of memory,
    mounts and network, the latest network trace, and the core dumps."""
    env = settings.ENVIRONMENT
    with tarfile.open(path, "w:gz") as archive:
        for name, content in _report_and_system_log().items():
            _add_text(archive, name, content)
        for log in sorted(env.logs_dir.glob("*.log*")):
            try:
                _add_text(archive, f"logs/{log.name}", log.read_text(errors="replace"))
            except FileNotFoundError:
                continue  # rotated away just now
        for name in PROC_FILES:
            _add_text(archive, f"proc/{name}", Path("/proc", name).read_text())
        if (latest := trace.finished_file()) is not None:
            archive.add(latest[0], f"trace/{latest[1]}")
        _coredumps(archive)


def write(kind: str, path: Path) -> Path:
    """The zip or the crash report at `path` (written atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    (write_tgz if kind == TGZ else write_zip)(tmp)
    tmp.replace(path)
    return path
