"""A rule's "Send SNMP trap" on the whole chain: herald-core's events service
runs the rule, herald-snmp sends heraldRuleTrap with the rule's name and
message to the configured trap receiver, and net-snmp's snmptrapd logs it.
With traps off, the rule's error says so and nothing is sent."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from herald.events import contract as events
from herald.simulation.sound_card import FileAudioDevices
from herald.snmp.mib import RULE_MESSAGE, RULE_NAME, RULE_TRAP, SYS_UPTIME
from tests.audio.conftest import Core, _run_core
from tests.conftest import REPO
from tests.snmp.conftest import Agent
from tests.snmp.netsnmp import TRAP_OID, dotted, tool, values


@pytest.fixture
def core(tmp_path: Path, own_redis_url: str) -> Iterator[Core]:
    """herald-core on the Redis herald-snmp uses, as on the device."""
    with FileAudioDevices(tmp_path / "card") as card:
        (tmp_path / "core").mkdir()
        yield from _run_core(tmp_path / "core", own_redis_url, card)


def add_rule(core: Core, port: int, message: str) -> None:
    reply = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Door forced", "trigger": {"topic": events.VIRTUAL_INPUT.topic, "source": port},
        "action": {"kind": events.SNMP_TRAP, "message": message}})
    assert reply["ok"], reply


def rules(core: Core) -> dict[str, Any]:
    return {r["name"]: r for r in core.bus.call(events.SERVICE, events.LIST_RULES)["rules"]}


def trap_uptime(trap: str) -> int:
    """The sysUpTime.0 a trap carries, in centiseconds."""
    found = re.search(re.escape(dotted(SYS_UPTIME)) + r" = Timeticks: \((\d+)\)", trap)
    assert found, trap
    return int(found[1])


def agent_uptime(agent: Agent) -> int:
    """sysUpTime.0 as the agent answers a get, in centiseconds."""
    return int(values(agent.port, "2c", dotted(SYS_UPTIME))[dotted(SYS_UPTIME)])


def test_a_rule_sends_a_trap_with_its_name_and_message(
        make_agent: Callable[..., Agent], core: Core) -> None:
    agent = make_agent()
    add_rule(core, 7, "{event} at {time}")
    before = agent_uptime(agent)
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=7, active=True)
    (trap,) = agent.traps.wait_for(f"{TRAP_OID} = OID: {dotted(RULE_TRAP)}")
    # The agent's own uptime, as a get answers it (not 0).
    assert 0 < before <= trap_uptime(trap) <= agent_uptime(agent)
    assert f'{dotted(RULE_NAME)} = STRING: "Door forced"' in trap
    assert f'{dotted(RULE_MESSAGE)} = STRING: "Virtual input at 20' in trap
    assert rules(core)["Door forced"]["error"] == ""


def test_with_traps_off_the_rule_says_so(make_agent: Callable[..., Agent], core: Core) -> None:
    agent = make_agent(receiver=None)
    add_rule(core, 8, "{rule}")
    core.bus.call(events.SERVICE, events.SET_VIRTUAL_INPUT, port=8, active=True)
    error = rules(core)["Door forced"]["error"]
    assert error == "no trap receivers: traps are off or none is set (System > SNMP)"
    assert dotted(RULE_TRAP) not in agent.traps.text()


def test_a_message_too_long_for_a_trap_is_refused(core: Core) -> None:
    reply = core.bus.call(events.SERVICE, events.ADD_RULE, by="test", rule={
        "name": "Long", "trigger": {"topic": events.MANUAL_TRIGGER.topic},
        "action": {"kind": events.SNMP_TRAP, "message": "é" * 128}})  # 256 bytes
    assert reply == {"ok": False, "message": "message: at most 255 bytes in an SNMP trap"}
    assert rules(core) == {}


def test_the_mib_names_the_trap_and_its_objects() -> None:
    """A manager that loads HERALD-MIB reads the trap by its names."""
    done = subprocess.run([tool("snmptranslate"), "-M", f"+:{REPO / 'firmware/herald/snmp'}",
                           "-m", "+HERALD-MIB", "-On", "HERALD-MIB::heraldRuleTrap",
                           "HERALD-MIB::heraldRuleName.0", "HERALD-MIB::heraldRuleMessage.0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [dotted(RULE_TRAP), dotted(RULE_NAME), dotted(RULE_MESSAGE)]
