"""`herald-update`: the update client's command line, for units and people.

    herald-update prepare                  at boot, before the services: put back the
                                           configuration a rollback returns to
    herald-update gate                     decide this boot (herald-health.service)
    herald-update install BUNDLE|URL [--type standard|factory-default|autorollback]
                          [--confirm-minutes N]
    herald-update rollback                 boot the previous firmware next
    herald-update status                   slots and the last upgrade, as JSON

`install` and `rollback` do not restart the device: the caller decides when
(the web admin waits for playback to end).

Each command imports what it needs: `prepare` runs before the services on
every boot, and the D-Bus and Redis clients it does not use would add
seconds to it on a slow CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from herald.environment import current
from herald.update import contract
from herald.update.contract import KINDS, STANDARD, UpdateRefused, bundle_url_problem, is_url
from herald.update.pending import UpgradeRecords, boot_id, records_dir
from herald.update.policy import upgrade_request
from herald.update.snapshot import Snapshots, booted_slot, restore_at_boot

if TYPE_CHECKING:
    from herald.update.install import Updater

HEALTH_URL = "http://127.0.0.1/healthz"


def _prepare(_args: argparse.Namespace) -> str:
    directory = records_dir()
    snapshots = Snapshots(directory, current().database)
    try:
        pending = UpgradeRecords(directory).pending()
    except ValueError:
        pending = None  # the gate sets it aside and says so
    restored = restore_at_boot(snapshots, pending, booted_slot(), boot_id())
    if restored is None:
        return "configuration left as it is"
    return f"configuration of firmware {restored.version} put back"


@contextlib.asynccontextmanager
async def _updater() -> AsyncIterator[Updater]:
    from herald.update.install import Updater

    updater = await Updater.connect()
    try:
        yield updater
    finally:
        updater.close()


async def _gate(args: argparse.Namespace) -> str:
    from herald.bus import AsyncBus
    from herald.update.gate import Gate, reboot_device
    from herald.update.health import web_check

    env = current()
    bus = AsyncBus(env.redis_url, source=contract.SERVICE)
    # /healthz asks the web admin's database, Redis, the worker, herald-core and
    # the update service, and says which of them does not answer.
    checks = [web_check(args.health_url)]
    try:
        async with _updater() as updater:
            gate = Gate(updater.rauc, updater.records, updater.snapshots, checks, bus,
                        updater.version, reboot_device, health_timeout=args.timeout)
            return await gate.run()
    finally:
        await bus.close()


async def _install(args: argparse.Namespace) -> str:
    request = upgrade_request(args.type, args.confirm_minutes)
    async with _updater() as updater:
        done = await updater.upgrade(
            args.bundle, request,
            progress=lambda stage, percent, text: print(f"{stage} {percent:3d}% {text}",
                                                        flush=True))
    return f"firmware {done.to_version} installed; it starts at the next restart"


async def _rollback(_args: argparse.Namespace) -> str:
    async with _updater() as updater:
        return f"firmware {await updater.rollback()} starts at the next restart"


async def _status(_args: argparse.Namespace) -> str:
    async with _updater() as updater:
        return json.dumps((await updater.status()).to_dict(), indent=2)


def bundle_source(text: str) -> str:
    """A file's absolute path (RAUC's service runs elsewhere), or a checked URL."""
    if not is_url(text):
        return str(Path(text).absolute())
    problem = bundle_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="herald-update", description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="put back the configuration a rollback returns to"
                        ).set_defaults(run=_prepare)
    gate = commands.add_parser("gate", help="decide this boot: mark the slot good or give it up")
    gate.add_argument("--timeout", type=float, default=300,
                      help="seconds the services get to answer (default 300)")
    gate.add_argument("--health-url", default=HEALTH_URL)
    gate.set_defaults(run=_gate)
    install = commands.add_parser("install", help="install a signed bundle into the other slot")
    install.add_argument("bundle", type=bundle_source,
                         help="a bundle file, or the http(s) URL to stream it from")
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
        result = args.run(args)
        if not isinstance(result, str):  # a coroutine: the commands on D-Bus or Redis
            import asyncio  # not for prepare: on every boot's critical path, it costs seconds

            result = asyncio.run(result)
        print(result)
    except Exception as exc:
        from herald.update.rauc import RaucError

        if not isinstance(exc, (UpdateRefused, RaucError, ValueError)):
            raise
        print(f"herald-update: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
