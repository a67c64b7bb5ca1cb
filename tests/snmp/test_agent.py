"""herald-snmp against Debian's net-snmp tools: what a site's manager sees."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable

from herald.snmp.mib import SPEAKER_OID
from herald.system.identity import this_firmware
from tests.conftest import REPO, wait_until
from tests.snmp.conftest import EVERYTHING, SERIAL, Agent
from tests.snmp.netsnmp import (
    AUTH_FAILURE,
    COLD_START,
    FIRMWARE_VERSION,
    HR_UPTIME,
    SYS_CONTACT,
    SYS_DESCR,
    SYS_LOCATION,
    SYS_NAME,
    SYS_OBJECT_ID,
    SYS_UPTIME,
    TRAP_OID,
    WARM_START,
    run,
    tool,
    values,
)

OID_TEXT = "." + ".".join(map(str, SPEAKER_OID))


def test_get_answers_the_device_values_over_v1_v2c_and_v3(agent: Agent) -> None:
    version = this_firmware().version
    for snmp in ("1", "2c", "3"):
        got = values(agent.port, snmp, SYS_DESCR, SYS_OBJECT_ID, SYS_NAME, HR_UPTIME,
                     FIRMWARE_VERSION)
        assert got[SYS_NAME] == f'"herald-{SERIAL[-6:].lower()}"', snmp  # its host name
        assert got[SYS_OBJECT_ID] == OID_TEXT
        assert got[FIRMWARE_VERSION] == f'"{version}"'
        assert version in got[SYS_DESCR] and int(got[HR_UPTIME]) > 0


def test_a_walk_covers_the_whole_tree_in_order(agent: Agent) -> None:
    walks = {}
    for snmp in ("1", "2c", "3"):
        done = run("snmpwalk", agent.port, snmp, "-Oq", ".1")
        assert done.returncode == 0, done.stderr
        # The end of the tree: v1 says "End of MIB", v2c and v3 repeat the last OID.
        walks[snmp] = [line.split(" ", 1)[0] for line in done.stdout.splitlines()
                       if line.startswith(".") and "No more variables" not in line]
    oids = walks["2c"]
    assert walks["1"] == oids == walks["3"]
    numbers = [tuple(int(n) for n in oid.strip(".").split(".")) for oid in oids]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    for expected in (SYS_DESCR, SYS_LOCATION, ".1.3.6.1.2.1.2.1.0", ".1.3.6.1.2.1.2.2.1.2.1",
                     ".1.3.6.1.2.1.4.2.0", HR_UPTIME, FIRMWARE_VERSION,
                     ".1.3.6.1.4.1.32473.1.1.2.5.0"):
        assert expected in oids


def test_a_wrong_community_or_key_gets_no_answer_and_an_authentication_trap(
        agent: Agent) -> None:
    agent.traps.wait_for(COLD_START)
    wrong = run("snmpget", agent.port, "2c", SYS_NAME, community="guess", timeout=1, retries=0)
    assert wrong.returncode != 0 and "Timeout" in wrong.stderr and not wrong.stdout
    agent.traps.wait_for(AUTH_FAILURE)
    wrong_key = run("snmpget", agent.port, "3", SYS_NAME, password="not-the-key-1",
                    timeout=1, retries=0)
    assert wrong_key.returncode != 0 and not wrong_key.stdout
    assert "Authentication failure" in wrong_key.stderr
    entries = agent.traps.wait_for(TRAP_OID, AUTH_FAILURE, count=2)
    assert all(SYS_UPTIME in entry for entry in entries)


def test_only_the_write_community_sets_contact_and_location(agent: Agent) -> None:
    refused = run("snmpset", agent.port, "2c", SYS_CONTACT, "s", "intruder")
    assert refused.returncode != 0 and "noAccess" in refused.stderr
    refused_v1 = run("snmpset", agent.port, "1", SYS_CONTACT, "s", "intruder")
    assert refused_v1.returncode != 0
    assert agent.params.get("SNMP.System.Contact") == ""

    done = run("snmpset", agent.port, "2c", SYS_CONTACT, "s", "ops@example.org",
               SYS_LOCATION, "s", "Hall 3", community="site-write")
    assert done.returncode == 0, done.stderr
    assert agent.params.get("SNMP.System.Contact") == "ops@example.org"
    assert agent.params.get("SNMP.System.Location") == "Hall 3"
    assert values(agent.port, "1", SYS_LOCATION)[SYS_LOCATION] == '"Hall 3"'
    v3 = run("snmpset", agent.port, "3", SYS_LOCATION, "s", "Hall 4")
    assert v3.returncode == 0, v3.stderr

    read_only = run("snmpset", agent.port, "2c", SYS_DESCR, "s", "x", community="site-write")
    assert read_only.returncode != 0 and "notWritable" in read_only.stderr
    too_long = run("snmpset", agent.port, "2c", SYS_CONTACT, "s", "x" * 256,
                   community="site-write")
    assert too_long.returncode != 0
    assert agent.params.get("SNMP.System.Location") == "Hall 4"


def test_cold_start_after_start_and_warm_start_after_a_setting_change(agent: Agent) -> None:
    (cold,) = agent.traps.wait_for(TRAP_OID, COLD_START)
    assert SYS_UPTIME in cold
    # A manager's own write is not a change of SNMP setting.
    run("snmpset", agent.port, "2c", SYS_CONTACT, "s", "ops", community="site-write")
    agent.change(SNMP_V1ReadCommunity="site-read")
    (warm,) = agent.traps.wait_for(TRAP_OID, WARM_START)
    assert SYS_UPTIME in warm and WARM_START not in agent.traps.text().split(warm)[0]
    assert values(agent.port, "2c", SYS_NAME, community="site-read")
    old = run("snmpget", agent.port, "2c", SYS_NAME, timeout=1, retries=0)
    assert old.returncode != 0
    assert agent.traps.text().count(WARM_START) == 1


def test_v1_traps_when_only_v1_is_on(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent({**EVERYTHING, "SNMP.V2c": "no", "SNMP.V3": "no"})
    (cold,) = agent.traps.wait_for("Cold Start Trap (0)")
    assert "Enterprise Specific" not in cold


def test_v3_traps_go_as_the_initial_account_when_only_v3_is_on(
        make_agent: Callable[..., Agent]) -> None:
    agent = make_agent({**EVERYTHING, "SNMP.V1": "no", "SNMP.V2c": "no"})
    (cold,) = agent.traps.wait_for(TRAP_OID, COLD_START)
    assert SYS_UPTIME in cold
    assert run("snmpget", agent.port, "2c", SYS_NAME, timeout=1, retries=0).returncode != 0
    assert values(agent.port, "3", SYS_NAME)


def test_the_v3_password_is_set_once(agent: Agent) -> None:
    agent.change(SNMP_InitialUserPasswd="another-password")
    wait_until(lambda: any("set already" in p for p in agent.status()["problems"]),
               what="the status to say the v3 password stays")
    assert values(agent.port, "3", SYS_NAME)
    refused = run("snmpget", agent.port, "3", SYS_NAME, password="another-password",
                  timeout=1, retries=0)
    assert refused.returncode != 0


def test_snmp_is_off_by_default(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent({}, receiver=None)
    assert agent.status()["running"] is False and agent.status()["problems"] == []
    assert run("snmpget", agent.port, "2c", SYS_NAME, timeout=1, retries=0).returncode != 0


def test_bad_settings_give_a_clear_status_and_the_rest_works(
        make_agent: Callable[..., Agent]) -> None:
    agent = make_agent({**EVERYTHING, "SNMP.V1WriteCommunity": "public",
                        "SNMP.InitialUserPasswd": "short"}, receiver=None)
    status = agent.status()
    assert status["running"] is False
    assert any("communities are the same" in p for p in status["problems"])
    assert any("at least 8 characters" in p for p in status["problems"])
    assert "communities are the same" in agent.log.read_text()
    agent.change(SNMP_V1WriteCommunity="site-write")
    wait_until(lambda: agent.status()["versions"] == ["v1", "v2c"],
               what="the agent to answer v1 and v2c")
    assert values(agent.port, "2c", SYS_NAME)
    assert agent.process.poll() is None


def test_a_taken_port_is_a_status_not_a_crash(make_agent: Callable[..., Agent]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("0.0.0.0", 0))
        agent = make_agent(port=taken.getsockname()[1], receiver=None)
        status = agent.status()
        assert status["running"] is False
        assert any("cannot listen on UDP port" in p for p in status["problems"])
        assert agent.process.poll() is None


def test_the_mib_loads_in_net_snmp() -> None:
    mibs = REPO / "firmware" / "herald" / "snmp"
    done = subprocess.run([tool("snmptranslate"), "-M", f"+:{mibs}", "-m", "+HERALD-MIB", "-On",
                           "HERALD-MIB::heraldAudioMuted.0", "HERALD-MIB::heraldSpeaker"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [".1.3.6.1.4.1.32473.1.1.2.5.0", OID_TEXT]
    # Only the IETF modules Debian leaves out may be missing, nothing in ours.
    ours = [line for line in done.stderr.splitlines() if "HERALD-MIB" in line]
    assert all("Cannot find module (SNMPv2-" in line or
               ("Did not find" in line and ("DisplayString" in line or "TruthValue" in line))
               for line in ours), ours


def test_an_unknown_trap_receiver_is_logged_and_the_agent_answers(
        make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(receiver={"SNMP.Trap.T.Address": "receiver.invalid",
                                 "SNMP.Trap.T.ColdStart.Enabled": "yes"})
    wait_until(lambda: "could not be sent" in agent.log.read_text(),
               what="the agent to log the trap it could not send")
    assert "receiver.invalid" in agent.log.read_text()
    assert values(agent.port, "2c", SYS_NAME) and agent.process.poll() is None
