"""The SNMP settings (SNMP.* parameters) as the agent uses them, checked once
here: a setting the agent cannot honour is left out with a problem in words,
for the status the System > SNMP page shows and the log, never a crash."""

from __future__ import annotations

from dataclasses import dataclass

from herald.params import Snapshot
from herald.snmp.contract import TRAP_PREFIX

V3_USER = "initial"  # the manual's v3 account
V3_MIN_PASSWORD = 8  # USM derives keys from at least 8 characters (RFC 3414 11.2)
SYSTEM_GROUP = "SNMP.System."  # sysContact, sysLocation: not agent settings


@dataclass(frozen=True)
class Receiver:
    """A trap receiver (SNMP.Trap.T<n>) and the traps it wants. `link` is the
    manual's "Link up" switch (SNMP.Trap.T<n>.LinkUp.Enabled): it stands for
    both linkUp and linkDown, as AXIS devices send both under it; a manager
    told only of links coming back would not know they went."""

    address: str
    community: str
    cold_start: bool
    warm_start: bool
    auth_fail: bool
    link: bool


@dataclass(frozen=True)
class AgentSettings:
    enabled: bool
    v1: bool
    v2c: bool
    read_community: str
    write_community: str
    v3_password: str  # "" while v3 is off or its password is unusable
    receivers: tuple[Receiver, ...]
    problems: tuple[str, ...]

    @property
    def versions(self) -> tuple[str, ...]:
        on = (("v1", self.v1), ("v2c", self.v2c), ("v3", bool(self.v3_password)))
        return tuple(name for name, used in on if used) if self.enabled else ()


def is_agent_setting(name: str) -> bool:
    """Whether a change of parameter `name` reconfigures the agent."""
    return name.startswith("SNMP.") and not name.startswith(SYSTEM_GROUP)


def read_settings(snapshot: Snapshot, kept_password: str) -> AgentSettings:
    """The agent's settings from the parameters. `kept_password` is the v3
    password set first (the manual: it is set once, until factory default)."""
    def yes(name: str) -> bool:
        return snapshot.get(name) == "yes"

    problems: list[str] = []
    v1, v2c = yes("SNMP.V1"), yes("SNMP.V2c")
    read, write = snapshot.get("SNMP.V1ReadCommunity"), snapshot.get("SNMP.V1WriteCommunity")
    if (v1 or v2c) and read == write:
        problems.append("The read and write communities are the same: "
                        "v1 and v2c are off until they differ.")
        v1 = v2c = False
    password = ""
    if yes("SNMP.V3"):
        given = snapshot.get("SNMP.InitialUserPasswd")
        if kept_password and given != kept_password:
            problems.append("The v3 password of the account \"initial\" was set already; "
                            "only a factory default sets it again. The first one stays.")
        password = kept_password or given
        if not password:
            problems.append("SNMP v3 is on but the account \"initial\" has no password yet.")
        elif len(password) < V3_MIN_PASSWORD:
            problems.append(f"The v3 password needs at least {V3_MIN_PASSWORD} characters: "
                            "v3 is off.")
            password = ""
    receivers = []
    if yes("SNMP.Trap.Enabled"):
        for instance in sorted(i for i in snapshot.instances if i.startswith(TRAP_PREFIX)):
            receivers.append(Receiver(
                address=snapshot.get(f"{instance}.Address"),
                community=snapshot.get(f"{instance}.Community"),
                cold_start=yes(f"{instance}.ColdStart.Enabled"),
                warm_start=yes(f"{instance}.WarmStart.Enabled"),
                auth_fail=yes(f"{instance}.AuthFail.Enabled"),
                link=yes(f"{instance}.LinkUp.Enabled"),
            ))
    enabled = yes("SNMP.Enabled")
    if enabled and not (v1 or v2c or password):
        problems.append("SNMP is on but no version is usable: the agent does not answer.")
    return AgentSettings(enabled, v1, v2c, read, write, password, tuple(receivers),
                         tuple(problems))
