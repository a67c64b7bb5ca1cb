"""`herald-update`: the update client's command line, for units and people.

    herald-update gate                     decide this boot (herald-health.service)
    herald-update install BUNDLE [--type standard|factory-default|autorollback]
                          [--confirm-minutes N]
    herald-update rollback                 boot the previous firmware next
    herald-update status                   slots and the last upgrade, as JSON

`install` and `rollback` do not restart the device: the caller decides when
(the web admin waits for playback to end).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys

from herald.bus import AsyncBus, Bus
from herald.environment import current
from herald.identity import read_firmware
from herald.update.gate import Gate, reboot_device
from herald.update.health import service_check, web_check
from herald.update.install import rollback, upgrade
from herald.update.pending import AUTOROLLBACK, KINDS, STANDARD, UpgradeRecords
from herald.update.policy import UpdateRefused
from herald.update.rauc import Rauc, RaucError
from herald.update.version import Version

HEALTH_URL = "http://127.0.0.1/healthz"


def records() -> UpgradeRecords:
    return UpgradeRecords(current().data_dir / "update")


async def _gate(args: argparse.Namespace) -> str:
    env = current()
    rauc = await Rauc.connect()
    bus = AsyncBus(env.redis_url, source="update")
    checks = [web_check(args.health_url), service_check(Bus(env.redis_url), "audio")]
    try:
        gate = Gate(rauc, records(), checks, bus, read_firmware().version, reboot_device,
                    health_timeout=args.timeout)
        return await gate.run()
    finally:
        await bus.close()
        rauc.close()


async def _install(args: argparse.Namespace) -> str:
    firmware = read_firmware()
    floor = Version.parse(firmware.min_version) if firmware.min_version else None
    rauc = await Rauc.connect()
    try:
        done = await upgrade(
            rauc, records(), args.bundle, args.type, firmware.version, floor,
            confirm_seconds=round(args.confirm_minutes * 60) if args.type == AUTOROLLBACK else 0,
            progress=lambda percent, text: print(f"{percent:3d}% {text}", flush=True))
        return f"firmware {done.to_version} installed; it starts at the next restart"
    finally:
        rauc.close()


async def _rollback(_args: argparse.Namespace) -> str:
    rauc = await Rauc.connect()
    try:
        version = await rollback(rauc, records(), read_firmware().version)
        return f"firmware {version} starts at the next restart"
    finally:
        rauc.close()


async def _status(_args: argparse.Namespace) -> str:
    rauc = await Rauc.connect()
    try:
        slots = [dataclasses.asdict(s) for s in await rauc.slots()]
        booted = await rauc.boot_slot()
    finally:
        rauc.close()
    result = records().result()
    pending = records().pending()
    return json.dumps({
        "booted": booted, "slots": slots,
        "pending": dataclasses.asdict(pending) if pending else None,
        "last_upgrade": dataclasses.asdict(result) if result else None,
    }, indent=2)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="herald-update", description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    gate = commands.add_parser("gate", help="decide this boot: mark the slot good or give it up")
    gate.add_argument("--timeout", type=float, default=300,
                      help="seconds the services get to answer (default 300)")
    gate.add_argument("--health-url", default=HEALTH_URL)
    gate.set_defaults(run=_gate)
    install = commands.add_parser("install", help="install a signed bundle into the other slot")
    install.add_argument("bundle")
    install.add_argument("--type", choices=KINDS, default=STANDARD)
    install.add_argument("--confirm-minutes", type=float, default=5,
                         help="autorollback: minutes to confirm the new firmware (default 5)")
    install.set_defaults(run=_install)
    commands.add_parser("rollback", help="boot the previous firmware next").set_defaults(
        run=_rollback)
    commands.add_parser("status", help="slots and the last upgrade, as JSON").set_defaults(
        run=_status)
    return top


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="herald-update: %(message)s")
    args = parser().parse_args(argv)
    try:
        print(asyncio.run(args.run(args)))
    except (UpdateRefused, RaucError, ValueError) as exc:
        print(f"herald-update: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
