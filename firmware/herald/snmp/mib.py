"""The objects the agent answers (MIB-II system, interfaces and ip scalars,
HOST-RESOURCES hrSystemUptime, HERALD-MIB) and a pysnmp MIB controller over
them. The values are read when asked, from what `Facts` knows; the
controller is a sorted list of objects rather than pysnmp's compiled MIB
classes, so a value comes from one getter and an OID walk is a list search."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from pysnmp.proto import errind, rfc1902, rfc1905
from pysnmp.proto.error import StatusInformation
from pysnmp.smi import error as smi_error

Oid = tuple[int, ...]

ENTERPRISE = (1, 3, 6, 1, 4, 1, 32473)  # RFC 5612's documentation number: Herald has no PEN yet
HERALD = (*ENTERPRISE, 1)  # heraldMib in HERALD-MIB.txt
SPEAKER_OID = (*HERALD, 3, 1)  # heraldSpeaker: sysObjectID
RULE_TRAP = (*HERALD, 0, 1)  # heraldRuleTrap: a rule's "Send SNMP trap"
RULE_NAME, RULE_MESSAGE = (*HERALD, 1, 3, 1, 0), (*HERALD, 1, 3, 2, 0)  # its varbinds
SYSTEM = (1, 3, 6, 1, 2, 1, 1)
SYS_UPTIME = (*SYSTEM, 3, 0)  # sysUpTime.0: the agent's uptime, also in every trap
INTERFACES = (1, 3, 6, 1, 2, 1, 2)
IF_ENTRY = (*INTERFACES, 2, 1)  # ifTable's rows: (*IF_ENTRY, column, ifIndex)
IF_INDEX, IF_ADMIN_STATUS, IF_OPER_STATUS = 1, 7, 8  # the columns linkUp/linkDown carry
LINK_DOWN, LINK_UP = (1, 3, 6, 1, 6, 3, 1, 1, 5, 3), (1, 3, 6, 1, 6, 3, 1, 1, 5, 4)
IP = (1, 3, 6, 1, 2, 1, 4)
HR_SYSTEM_UPTIME = (1, 3, 6, 1, 2, 1, 25, 1, 1, 0)
SYS_SERVICES = 72  # application (64) and end-to-end (8) layers, RFC 3418
TEXT_MAX = 255  # DisplayString
TRUE, FALSE = 1, 2  # TruthValue
VACM = 3  # the view-based access control model's number


@dataclass(frozen=True)
class Interface:
    index: int
    name: str
    loopback: bool
    mtu: int
    speed_bps: int
    mac: bytes
    admin_up: bool
    oper_up: bool
    in_octets: int
    out_octets: int


class Facts(Protocol):
    """What the agent tells: the service keeps it (service.py)."""

    def descr(self) -> str: ...
    def name(self) -> str: ...
    def contact(self) -> str: ...
    def location(self) -> str: ...
    def set_system(self, which: str, value: str) -> None: ...
    def agent_uptime(self) -> int: ...  # centiseconds
    def host_uptime(self) -> int: ...  # centiseconds
    def interfaces(self) -> Sequence[Interface]: ...
    def ip_forwarding(self) -> bool: ...
    def ip_default_ttl(self) -> int: ...
    def firmware_version(self) -> str: ...
    def active_slot(self) -> str: ...
    def audio(self) -> Audio: ...


@dataclass(frozen=True)
class Audio:
    clip_playing: bool = False
    clip_name: str = ""
    live_active: bool = False
    volume_db: int = 0  # the output gain
    muted: bool = False


@dataclass(frozen=True)
class MibObject:
    oid: Oid
    read: Callable[[], Any]
    write: Callable[[Any], None] | None = None


def _text(value: str) -> rfc1902.OctetString:
    return rfc1902.OctetString(value.encode()[:TEXT_MAX])


def _truth(value: bool) -> rfc1902.Integer32:
    return rfc1902.Integer32(TRUE if value else FALSE)


def _status(up: bool) -> rfc1902.Integer32:
    """ifAdminStatus, ifOperStatus: up(1) or down(2)."""
    return rfc1902.Integer32(1 if up else 2)


def _counter(value: int) -> rfc1902.Counter32:
    return rfc1902.Counter32(value % 2**32)


def ticks(centiseconds: int) -> rfc1902.TimeTicks:
    return rfc1902.TimeTicks(centiseconds % 2**32)


def _system_writer(facts: Facts, which: str) -> Callable[[Any], None]:
    def write(value: Any) -> None:
        facts.set_system(which, bytes(value).decode("utf-8", "replace"))
    return write


def scalars(facts: Facts) -> list[MibObject]:
    """The objects that are there whatever the device has."""
    def audio(field: str, shape: Callable[[Any], Any]) -> Callable[[], Any]:
        return lambda: shape(getattr(facts.audio(), field))

    return [
        MibObject((*SYSTEM, 1, 0), lambda: _text(facts.descr())),
        MibObject((*SYSTEM, 2, 0), lambda: rfc1902.ObjectIdentifier(SPEAKER_OID)),
        MibObject(SYS_UPTIME, lambda: ticks(facts.agent_uptime())),
        MibObject((*SYSTEM, 4, 0), lambda: _text(facts.contact()),
                  _system_writer(facts, "Contact")),
        MibObject((*SYSTEM, 5, 0), lambda: _text(facts.name())),
        MibObject((*SYSTEM, 6, 0), lambda: _text(facts.location()),
                  _system_writer(facts, "Location")),
        MibObject((*SYSTEM, 7, 0), lambda: rfc1902.Integer32(SYS_SERVICES)),
        MibObject((*INTERFACES, 1, 0), lambda: rfc1902.Integer32(len(facts.interfaces()))),
        MibObject((*IP, 1, 0), lambda: rfc1902.Integer32(1 if facts.ip_forwarding() else 2)),
        MibObject((*IP, 2, 0), lambda: rfc1902.Integer32(facts.ip_default_ttl())),
        MibObject(HR_SYSTEM_UPTIME, lambda: ticks(facts.host_uptime())),
        MibObject((*HERALD, 1, 1, 1, 0), lambda: _text(facts.firmware_version())),
        MibObject((*HERALD, 1, 1, 2, 0), lambda: _text(facts.active_slot())),
        MibObject((*HERALD, 1, 2, 1, 0), audio("clip_playing", _truth)),
        MibObject((*HERALD, 1, 2, 2, 0), audio("clip_name", _text)),
        MibObject((*HERALD, 1, 2, 3, 0), audio("live_active", _truth)),
        MibObject((*HERALD, 1, 2, 4, 0), audio("volume_db", rfc1902.Integer32)),
        MibObject((*HERALD, 1, 2, 5, 0), audio("muted", _truth)),
    ]


# ifTable columns (RFC 2863) the agent fills: column number -> value of an Interface.
IF_COLUMNS: dict[int, Callable[[Interface], Any]] = {
    IF_INDEX: lambda i: rfc1902.Integer32(i.index),
    2: lambda i: _text(i.name),
    3: lambda i: rfc1902.Integer32(24 if i.loopback else 6),  # softwareLoopback, ethernetCsmacd
    4: lambda i: rfc1902.Integer32(i.mtu),
    5: lambda i: rfc1902.Gauge32(min(i.speed_bps, 2**32 - 1)),
    6: lambda i: rfc1902.OctetString(i.mac),
    IF_ADMIN_STATUS: lambda i: _status(i.admin_up),
    IF_OPER_STATUS: lambda i: _status(i.oper_up),
    10: lambda i: _counter(i.in_octets),
    16: lambda i: _counter(i.out_octets),
}


def interface_rows(interfaces: Sequence[Interface]) -> list[MibObject]:
    return [MibObject((*IF_ENTRY, column, interface.index),
                      partial(shape, interface))
            for column, shape in IF_COLUMNS.items()
            for interface in sorted(interfaces, key=lambda i: i.index)]


def link_varbinds(interface: Interface) -> list[tuple[Oid, Any]]:
    """ifIndex, ifAdminStatus and ifOperStatus of `interface`, as linkUp and
    linkDown carry them (IF-MIB), from the same getters as the ifTable."""
    return [((*IF_ENTRY, column, interface.index), IF_COLUMNS[column](interface))
            for column in (IF_INDEX, IF_ADMIN_STATUS, IF_OPER_STATUS)]


class MibController:
    """pysnmp's MIB instrumentation interface (read, read next, write) over
    the objects; access is checked with the VACM function pysnmp passes."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.fixed = scalars(facts)

    def objects(self) -> list[MibObject]:
        return sorted(self.fixed + interface_rows(self.facts.interfaces()),
                      key=lambda o: o.oid)

    @staticmethod
    def _denied(view: str, oid: Oid, idx: int, context: dict[str, Any]) -> bool:
        """Whether VACM keeps `oid` out of the caller's `view` ("read", "write");
        raises when the caller has no access at all (pysnmp answers an error).
        Asks VACM itself: pysnmp 7.1's responder helper lets a "not in view"
        answer through as allowed, which would let the read community write."""
        engine = context["snmpEngine"]
        request = engine.observer.get_execution_context("rfc3412.receiveMessage:request")
        try:
            verdict = engine.access_control_model[VACM].is_access_allowed(
                engine, request["securityModel"], request["securityName"],
                request["securityLevel"], view, request["contextName"],
                rfc1902.ObjectName(oid))
        except StatusInformation as exc:
            if exc["errorIndication"] == errind.notInView:
                return True
            raise smi_error.AuthorizationError(name=oid, idx=idx) from None
        return verdict is not None  # a "not in view" StatusInformation returned

    def read_variables(self, *var_binds: tuple[Any, Any], **context: Any) -> list[tuple]:
        by_oid = {o.oid: o for o in self.objects()}
        answer = []
        for idx, (name, _) in enumerate(var_binds):
            oid = tuple(name)
            found = by_oid.get(oid)
            if found is None or self._denied("read", oid, idx, context):
                answer.append((name, rfc1905.noSuchObject))
            else:
                answer.append((name, found.read()))
        return answer

    def read_next_variables(self, *var_binds: tuple[Any, Any], **context: Any) -> list[tuple]:
        objects = self.objects()
        oids = [o.oid for o in objects]
        answer = []
        for idx, (name, _) in enumerate(var_binds):
            at = bisect.bisect_right(oids, tuple(name))
            while at < len(objects) and self._denied("read", oids[at], idx, context):
                at += 1
            if at == len(objects):
                answer.append((name, rfc1905.endOfMibView))
            else:
                answer.append((rfc1902.ObjectName(oids[at]), objects[at].read()))
        return answer

    def write_variables(self, *var_binds: tuple[Any, Any], **context: Any) -> list[tuple]:
        """All or nothing: every value is checked before any is stored."""
        by_oid = {o.oid: o for o in self.objects()}
        writes = []
        for idx, (name, value) in enumerate(var_binds):
            oid = tuple(name)
            if self._denied("write", oid, idx, context):
                raise smi_error.NoAccessError(name=name, idx=idx)
            found = by_oid.get(oid)
            if found is None or found.write is None:
                raise smi_error.NotWritableError(name=name, idx=idx)
            if not isinstance(value, rfc1902.OctetString):
                raise smi_error.WrongTypeError(name=name, idx=idx)
            if len(value) > TEXT_MAX:
                raise smi_error.WrongLengthError(name=name, idx=idx)
            writes.append((found.write, value))
        for write, value in writes:
            write(value)
        return list(var_binds)


def read_interfaces(root: Path = Path("/sys/class/net")) -> list[Interface]:
    """The network interfaces as Linux sees them (ifTable's rows)."""
    def read(path: Path, default: str = "0") -> str:
        try:
            return path.read_text().strip()
        except (OSError, ValueError):  # speed of a link that is down: EINVAL
            return default

    found = []
    for device in sorted(root.iterdir()) if root.is_dir() else ():
        index = read(device / "ifindex")
        if not index.isdigit():
            continue
        flags = int(read(device / "flags", "0x0"), 16)
        speed = read(device / "speed", "0")
        mac = read(device / "address", "")
        found.append(Interface(
            index=int(index), name=device.name, loopback=read(device / "type") == "772",
            mtu=int(read(device / "mtu")),
            speed_bps=max(int(speed), 0) * 1_000_000 if speed.lstrip("-").isdigit() else 0,
            mac=bytes.fromhex(mac.replace(":", "")) if mac else b"",
            admin_up=bool(flags & 1), oper_up=read(device / "operstate") in ("up", "unknown"),
            in_octets=int(read(device / "statistics" / "rx_bytes")),
            out_octets=int(read(device / "statistics" / "tx_bytes")),
        ))
    return found
