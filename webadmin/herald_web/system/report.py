"""The server report: what support needs to know about the device, as text
(with the access log, as the manual says), or as a zip with the logs."""

from __future__ import annotations

import datetime
import os
import shutil
import zipfile
from pathlib import Path

from django.conf import settings

from herald.access import Level
from herald.system import logs
from herald.system.identity import this_device, this_firmware
from herald_web.device import bus, params

SYSTEM_LOG_LINES = 1000


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


def text() -> str:
    env = settings.ENVIRONMENT
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
        ("System log (latest lines)",
         logs.read(env, logs.SYSTEM).splitlines()[-SYSTEM_LOG_LINES:]),
    ]
    parts = ["Herald server report"]
    for title, lines in sections:
        parts.append(f"\n----- {title} -----")
        parts.extend(lines)
    return "\n".join(parts) + "\n"


def archive_name() -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"serverreport_{this_device().serial}_{stamp}.zip"


def write_zip(path: Path) -> Path:
    """The report and the full logs in one zip at `path` (written atomically)."""
    env = settings.ENVIRONMENT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("serverreport.txt", text())
        for name in (logs.SYSTEM, logs.ACCESS):
            archive.writestr(name, logs.read(env, name))
    tmp.replace(path)
    return path
