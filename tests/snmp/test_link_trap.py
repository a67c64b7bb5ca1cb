"""linkDown and linkUp: herald-snmp follows the network interfaces herald-system
publishes on the bus and tells the trap receivers whose "Link up" switch is on
(net-snmp's snmptrapd logs what arrives), with the ifIndex the agent's ifTable
answers for the interface; the links known when it starts are no trap."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from herald.bus import Bus
from herald.snmp.mib import IF_ADMIN_STATUS, IF_ENTRY, IF_INDEX, IF_OPER_STATUS, LINK_DOWN, LINK_UP
from herald.system import contract as system
from herald.system.network import read_network
from tests.conftest import wait_until
from tests.snmp.conftest import EVERYTHING, Agent
from tests.snmp.netsnmp import COLD_START, TRAP_OID, WARM_START, dotted, values

IF_DESCR = 2
LINK_ONLY = {"SNMP.Trap.T.LinkUp.Enabled": "yes"}


def host_network() -> system.Network:
    """The host's interfaces as herald-system reads them, the first one's link up."""
    network = read_network()
    if not network.interfaces:
        pytest.fail("the host has no network interface but loopback: herald-system "
                    "publishes none, so there is no link to change")
    first = dataclasses.replace(network.interfaces[0], up=True)
    return system.Network((first, *network.interfaces[1:]))


def with_link(network: system.Network, up: bool) -> system.Network:
    """`network` with its first interface's link `up`, as herald-system would say it."""
    first = dataclasses.replace(network.interfaces[0], up=up)
    return system.Network((first, *network.interfaces[1:]))


def publish(bus: Bus, network: system.Network) -> None:
    """As herald-system's refresh_network does: the payload as the NETWORK state."""
    bus.set_state(system.NETWORK, network.to_dict())


def column(number: int, index: str) -> str:
    return f"{dotted((*IF_ENTRY, number))}.{index}"


def if_index(trap: str) -> str:
    """The ifIndex a linkUp or linkDown carries (its instance and its value agree)."""
    found = re.search(re.escape(column(IF_INDEX, "")) + r"(\d+) = INTEGER: (\d+)", trap)
    assert found and found[1] == found[2], trap
    return found[1]


def start(make_agent: Callable[..., Agent], own_redis_url: str, receiver: dict[str, str],
          settings: dict[str, str] = EVERYTHING) -> tuple[Agent, system.Network]:
    """herald-snmp started after herald-system has told the host's interfaces."""
    network = host_network()
    publish(Bus(own_redis_url, source="system"), network)
    agent = make_agent(settings, receiver={"SNMP.Trap.T.ColdStart.Enabled": "yes", **receiver})
    return agent, network


def test_link_down_then_up_with_the_interface_the_agent_answers(
        make_agent: Callable[..., Agent], own_redis_url: str) -> None:
    agent, network = start(make_agent, own_redis_url, LINK_ONLY)
    agent.traps.wait_for(TRAP_OID, COLD_START)
    publish(agent.bus, with_link(network, False))
    (down,) = agent.traps.wait_for(TRAP_OID, dotted(LINK_DOWN))
    publish(agent.bus, with_link(network, True))
    (up,) = agent.traps.wait_for(TRAP_OID, dotted(LINK_UP))
    text = agent.traps.text()
    assert text.index(dotted(LINK_DOWN)) < text.index(dotted(LINK_UP))
    # Only the changes: the link that was up when the agent started is no linkUp.
    assert text.count(dotted(LINK_UP)) == 1 and text.count(dotted(LINK_DOWN)) == 1
    index = if_index(down)
    assert if_index(up) == index
    name = network.interfaces[0].name
    answered = values(agent.port, "2c", column(IF_DESCR, index), column(IF_ADMIN_STATUS, index))
    assert answered[column(IF_DESCR, index)] == f'"{name}"'
    admin = answered[column(IF_ADMIN_STATUS, index)]
    for trap, oper in ((down, "2"), (up, "1")):
        assert f"{column(IF_ADMIN_STATUS, index)} = INTEGER: {admin}" in trap
        assert f"{column(IF_OPER_STATUS, index)} = INTEGER: {oper}" in trap


def test_v1_sends_the_generic_link_traps(make_agent: Callable[..., Agent],
                                         own_redis_url: str) -> None:
    agent, network = start(make_agent, own_redis_url, LINK_ONLY,
                           {**EVERYTHING, "SNMP.V2c": "no", "SNMP.V3": "no"})
    agent.traps.wait_for("Cold Start Trap (0)")
    publish(agent.bus, with_link(network, False))
    # snmptrapd names the generic trap (2, 3) and shows the specific one (0).
    (down,) = agent.traps.wait_for("Link Down Trap (0)")
    publish(agent.bus, with_link(network, True))
    (up,) = agent.traps.wait_for("Link Up Trap (0)")
    index = if_index(down)
    assert if_index(up) == index
    assert f"{column(IF_OPER_STATUS, index)} = INTEGER: 2" in down
    assert f"{column(IF_OPER_STATUS, index)} = INTEGER: 1" in up


def test_a_receiver_with_link_up_off_gets_no_link_trap(
        make_agent: Callable[..., Agent], own_redis_url: str) -> None:
    agent, network = start(make_agent, own_redis_url, {"SNMP.Trap.T.WarmStart.Enabled": "yes"})
    agent.traps.wait_for(TRAP_OID, COLD_START)
    publish(agent.bus, with_link(network, False))
    wait_until(lambda: "went down: " in agent.log.read_text(),
               what="herald-snmp to take in the link going down")
    # A trap it sends later arrives after any link trap it would have sent.
    agent.change(SNMP_V1ReadCommunity="site-read")
    agent.traps.wait_for(TRAP_OID, WARM_START)
    assert dotted(LINK_DOWN) not in agent.traps.text()
    assert dotted(LINK_UP) not in agent.traps.text()
