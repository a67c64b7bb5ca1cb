"""The agent as pysnmp runs it for one set of settings: a command responder
on the UDP port (v1/v2c communities and the v3 user "initial" through VACM)
and a notification originator for the trap receivers. The service makes a
new Agent for each change of the settings rather than editing a live
engine's tables (pysnmp has no transaction over them)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.hlapi.v3arch import asyncio as hlapi
from pysnmp.proto import errind, rfc1902

from herald.snmp.mib import (
    LINK_DOWN,
    LINK_UP,
    RULE_MESSAGE,
    RULE_NAME,
    RULE_TRAP,
    SYS_UPTIME,
    Interface,
    MibController,
    link_varbinds,
    ticks,
)
from herald.snmp.settings import V3_USER, AgentSettings, Receiver

log = logging.getLogger(__name__)

EVERYTHING = (1, 3, 6, 1)  # the view each account reads (and the write community writes)
# Bad credentials, as pysnmp's message processing reports them.
AUTH_FAILURES = (errind.unknownCommunityName, errind.wrongDigest,
                 errind.authenticationFailure, errind.unknownUserName, errind.decryptionError)
SM_FAILURES = ("rfc2576.prepareDataElements:sm-failure", "rfc3412.prepareDataElements:sm-failure")
COMMUNITY_MODELS = {"v1": 1, "v2c": 2}  # securityModel of each community version
MP_MODELS = {"v1": 0, "v2c": 1}
TRAPS = {"cold_start": "coldStart", "warm_start": "warmStart",
         "auth_fail": "authenticationFailure"}  # linkUp, linkDown: link_trap()


def engine_id(mac: bytes) -> bytes:
    """RFC 3411 snmpEngineID from the device's MAC (format 3): the same after
    every restart, so a manager's v3 keys and a receiver's user stay valid."""
    return bytes([0x80, 0x00, 0x7E, 0xD9]) + b"\x03" + mac  # 0x80 | enterprise 32473


def bind(host: str, port: int) -> socket.socket:
    """The agent's UDP socket, bound now so that a taken port is a clear error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class Agent:
    def __init__(self, settings: AgentSettings, controller: MibController, sock: socket.socket,
                 engine_id: bytes, trap_port: int, on_auth_failure: Callable[[], None],
                 uptime: Callable[[], int]) -> None:
        self.settings, self.sock, self.uptime = settings, sock, uptime  # uptime: centiseconds
        self.engine_id, self.trap_port = engine_id, trap_port
        self.engine = engine.SnmpEngine(snmpEngineID=rfc1902.OctetString(engine_id))
        config.add_transport(self.engine, udp.DOMAIN_NAME,
                             udp.UdpAsyncioTransport().open_server_mode(sock=sock))
        self._accounts()
        snmp_context = context.SnmpContext(self.engine)
        snmp_context.unregister_context_name(b"")
        snmp_context.register_context_name(b"", controller)
        for responder in (cmdrsp.GetCommandResponder, cmdrsp.NextCommandResponder,
                          cmdrsp.BulkCommandResponder, cmdrsp.SetCommandResponder):
            responder(self.engine, snmp_context)

        def failed(_engine: Any, _point: str, variables: dict[str, Any], _ctx: Any) -> None:
            if variables["statusInformation"].get("errorIndication") in AUTH_FAILURES:
                on_auth_failure()
        self.engine.observer.register_observer(failed, *SM_FAILURES)
        # Traps leave from an engine of their own with the same engine ID: the
        # originator's community entries would otherwise open the agent to them.
        self.notifier = engine.SnmpEngine(snmpEngineID=rfc1902.OctetString(engine_id))

    def _accounts(self) -> None:
        s = self.settings
        models = [COMMUNITY_MODELS[v] for v, on in (("v1", s.v1), ("v2c", s.v2c)) if on]
        # One entry per community: pysnmp maps a community to the first entry
        # that has it, whatever the version; VACM then admits the versions on.
        for access, community in (("read", s.read_community), ("write", s.write_community)):
            if not models:
                break
            config.add_v1_system(self.engine, access, community, securityName=access)
            for model in models:
                config.add_vacm_user(self.engine, model, access, "noAuthNoPriv",
                                     readSubTree=EVERYTHING,
                                     writeSubTree=EVERYTHING if access == "write" else ())
        if s.v3_password:
            config.add_v3_user(self.engine, V3_USER,
                               config.USM_AUTH_HMAC192_SHA256, s.v3_password,
                               config.USM_PRIV_CFB128_AES, s.v3_password)
            config.add_vacm_user(self.engine, 3, V3_USER, "authPriv",
                                 readSubTree=EVERYTHING, writeSubTree=EVERYTHING)

    async def close(self) -> None:
        """Stop answering; returns once the port is free for the next agent."""
        self.engine.close_dispatcher()
        self.notifier.close_dispatcher()
        while self.sock.fileno() != -1:  # asyncio closes it on the loop's next turn
            await asyncio.sleep(0)

    def _auth(self, receiver: Receiver) -> tuple[hlapi.CommunityData | hlapi.UsmUserData, str]:
        """How a receiver is sent to: v2c, else v1 with its community; v3 (the
        manual: traps over v3 only) as "initial" with authentication and privacy."""
        s = self.settings
        if s.v2c or s.v1:
            version = "v2c" if s.v2c else "v1"
            return hlapi.CommunityData(receiver.community, mpModel=MP_MODELS[version]), version
        return hlapi.UsmUserData(V3_USER, s.v3_password, s.v3_password,
                                 authProtocol=hlapi.usmHMAC192SHA256AuthProtocol,
                                 privProtocol=hlapi.usmAesCfb128Protocol), "v3"

    async def notify(self, trap: str) -> None:
        """Send `trap` (a field of Receiver: "cold_start"...) to each receiver
        that wants it. A receiver that cannot be reached is logged, not fatal."""
        name = TRAPS[trap]
        await self._send_wanted(trap, name, hlapi.NotificationType(
            hlapi.ObjectIdentity("SNMPv2-MIB", name)).add_varbinds(self._uptime()))

    async def link_trap(self, interface: Interface) -> int:
        """linkUp or linkDown (as `interface.oper_up` says) with its ifIndex,
        ifAdminStatus and ifOperStatus, to each receiver whose "Link up" is on
        (v1: generic traps 3 and 2, as pysnmp translates them); how many wanted it."""
        up = interface.oper_up
        trap = hlapi.NotificationType(hlapi.ObjectIdentity(LINK_UP if up else LINK_DOWN))
        trap.add_varbinds(self._uptime(), *(hlapi.ObjectType(hlapi.ObjectIdentity(oid), value)
                                            for oid, value in link_varbinds(interface)))
        return await self._send_wanted("link", "linkUp" if up else "linkDown", trap)

    async def _send_wanted(self, switch: str, name: str, trap: hlapi.NotificationType) -> int:
        """`trap` to the receivers whose `switch` (a field of Receiver) is on."""
        wanted = [r for r in self.settings.receivers if getattr(r, switch)]
        await asyncio.gather(*(self._send(r, name, trap) for r in wanted))
        return len(wanted)

    async def rule_trap(self, rule: str, message: str) -> list[str]:
        """heraldRuleTrap with the rule's name and message to every receiver;
        the addresses of those it could not be sent to."""
        trap = hlapi.NotificationType(hlapi.ObjectIdentity(RULE_TRAP)).add_varbinds(
            self._uptime(), *(hlapi.ObjectType(hlapi.ObjectIdentity(oid),
                                               rfc1902.OctetString(text.encode()))
                              for oid, text in ((RULE_NAME, rule), (RULE_MESSAGE, message))))
        receivers = self.settings.receivers
        sent = await asyncio.gather(*(self._send(r, f"rule {rule!r}", trap) for r in receivers))
        return [r.address for r, ok in zip(receivers, sent, strict=True) if not ok]

    def _uptime(self) -> hlapi.ObjectType:
        """sysUpTime.0 as the agent counts it (pysnmp would send its notifier's, 0)."""
        return hlapi.ObjectType(hlapi.ObjectIdentity(SYS_UPTIME), ticks(self.uptime()))

    async def _send(self, receiver: Receiver, name: str, trap: hlapi.NotificationType) -> bool:
        auth, version = self._auth(receiver)
        try:
            target = await hlapi.UdpTransportTarget.create((receiver.address, self.trap_port),
                                                            timeout=1, retries=0)
            error, *_ = await hlapi.send_notification(
                self.notifier, auth, target, hlapi.ContextData(), "trap", trap)
        except Exception as exc:  # pysnmp raises its own and socket errors alike
            error = exc
        if error:
            log.warning("the %s trap to %s could not be sent: %s", name, receiver.address, error)
            return False
        log.info("sent the %s trap (%s) to %s", name, version, receiver.address)
        return True
