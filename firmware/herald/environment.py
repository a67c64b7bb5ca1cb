"""Where a Herald service runs: mode, data directory, Redis, identity.

Every service reads the same environment (on the device from
/etc/default/herald, installed by the herald-firmware recipe); on a development host the
defaults keep everything inside the repository's var/ directory. A command
run by hand on the device (`herald-update status` in a root shell) has none of
those variables: it reads them from that file, so it sees what the services see.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEVICE = "device"
DEVELOPMENT = "development"
REPO = Path(__file__).resolve().parents[2]
DEVICE_DEFAULTS = Path("/etc/default/herald")


@dataclass(frozen=True)
class Environment:
    mode: str
    data_dir: Path
    redis_url: str
    identity_dir: Path
    # How a restart is done: `systemctl reboot` on a device; none on a
    # development host (the processes keep running), unless HERALD_REBOOT_COMMAND
    # names one (tests record the restarts a page asks for).
    reboot_command: tuple[str, ...] = ()
    # How a service a setting turns on is started and stopped (herald.system.
    # on_demand): `systemctl` on a device; none on a development host, where
    # the tests start the daemons they need, unless HERALD_UNIT_COMMAND names one.
    unit_command: tuple[str, ...] = ()
    # Date and time (herald.system.time_settings): where chrony's sources and
    # the time zone file go (/etc/localtime and chrony's sourcedir point
    # there on a device), and how chronyd is asked: `chronyc` on a device;
    # none on a development host unless HERALD_CHRONYC names one (tests: their
    # own chronyd's socket); HERALD_NTP_PORT, the servers' port for tests;
    # HERALD_LEASES_DIR, systemd-networkd's DHCP leases (their NTP servers).
    time_dir: Path = Path("/data/time")
    chronyc: tuple[str, ...] = ()
    ntp_port: int | None = None
    leases_dir: Path = Path("/run/systemd/netif/leases")
    # How the journal is read (the system log's and the remote syslog's kernel
    # and system services): `journalctl` on a device; none on a development
    # host, whose journal is not the device's, unless HERALD_JOURNALCTL names
    # one (tests: journalctl on a journal file of their own).
    journalctl: tuple[str, ...] = ()
    # The crash report's core dumps: where systemd-coredump keeps them
    # (HERALD_COREDUMP_DIR for tests), and how their journal records are read:
    # `coredumpctl` on a device; none on a development host unless
    # HERALD_COREDUMPCTL names one.
    coredump_dir: Path = Path("/var/lib/systemd/coredump")
    coredumpctl: tuple[str, ...] = ()

    @property
    def is_device(self) -> bool:
        return self.mode == DEVICE

    @property
    def database(self) -> Path:
        return self.data_dir / "db.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"

    @property
    def certs_dir(self) -> Path:
        return self.data_dir / "certs"


def keep_files_private(environment: Environment) -> None:
    """What a Herald process creates is not for other accounts to read (the
    database holds the accounts' Digest hashes): group herald at most. A
    database an older firmware made readable to all is closed up too."""
    os.umask(0o027)
    for path in (environment.database, environment.secrets_dir):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, os.stat(path).st_mode & 0o7770)


def device_defaults(path: Path = DEVICE_DEFAULTS) -> dict[str, str]:
    """The variables /etc/default/herald sets (shell syntax: NAME=value, quoted or not)."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return {}
    values = {}
    for line in lines:
        name, equals, value = line.partition("=")
        if equals and name.strip().isidentifier() and not line.lstrip().startswith("#"):
            words = shlex.split(value, comments=True)
            values[name.strip()] = words[0] if words else ""
    return values


def current() -> Environment:
    """The environment of this process, from HERALD_* variables and REDIS_URL;
    without HERALD_MODE (a command run by hand), from /etc/default/herald."""
    return from_variables(os.environ if "HERALD_MODE" in os.environ else
                          {**device_defaults(), **os.environ})


def from_variables(variables: Mapping[str, str]) -> Environment:
    mode = variables.get("HERALD_MODE", DEVELOPMENT)
    if mode not in (DEVICE, DEVELOPMENT):
        raise ValueError(f"HERALD_MODE must be {DEVICE!r} or {DEVELOPMENT!r}, not {mode!r}")
    default_data = "/data/herald" if mode == DEVICE else str(REPO / "var")
    data_dir = Path(variables.get("HERALD_DATA_DIR", default_data))
    default_identity = "/data/identity" if mode == DEVICE else str(data_dir / "identity")
    default_redis = (
        "unix:///run/redis/redis-server.sock" if mode == DEVICE
        else f"unix://{data_dir / 'run' / 'redis.sock'}"
    )
    return Environment(
        mode=mode,
        data_dir=data_dir,
        redis_url=variables.get("REDIS_URL", default_redis),
        identity_dir=Path(variables.get("HERALD_IDENTITY_DIR", default_identity)),
        reboot_command=tuple(shlex.split(variables.get(
            "HERALD_REBOOT_COMMAND", "systemctl reboot" if mode == DEVICE else ""))),
        unit_command=tuple(shlex.split(variables.get(
            "HERALD_UNIT_COMMAND", "systemctl" if mode == DEVICE else ""))),
        time_dir=Path(variables.get("HERALD_TIME_DIR",
                                    "/data/time" if mode == DEVICE else str(data_dir / "time"))),
        chronyc=tuple(shlex.split(variables.get(
            "HERALD_CHRONYC", "chronyc" if mode == DEVICE else ""))),
        ntp_port=int(variables["HERALD_NTP_PORT"]) if variables.get("HERALD_NTP_PORT") else None,
        leases_dir=Path(variables.get("HERALD_LEASES_DIR", "/run/systemd/netif/leases")),
        journalctl=tuple(shlex.split(variables.get(
            "HERALD_JOURNALCTL", "journalctl" if mode == DEVICE else ""))),
        coredump_dir=Path(variables.get("HERALD_COREDUMP_DIR", "/var/lib/systemd/coredump")),
        coredumpctl=tuple(shlex.split(variables.get(
            "HERALD_COREDUMPCTL", "coredumpctl" if mode == DEVICE else ""))),
    )
