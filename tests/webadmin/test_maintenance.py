"""Restart, restore and factory default, from the UI and VAPIX; a reset cut
short by a power failure is finished at the next start; /healthz."""

from __future__ import annotations

import redis
from celery import Celery

from herald.access import Level
from herald.bus import CALL_PREFIX
from herald.events import contract as events
from herald.mqtt import contract as mqtt
from herald.params import ParamStore, default_tree
from herald.snmp import contract as snmp
from tests.conftest import wait_until
from tests.webadmin.fixtures import ROOT, set_up_accounts
from tests.webadmin.stack import post_form

STOP_SECONDS = 15  # what a restart may wait for the worker; the pass itself may take minutes
INITIAL_ADMIN_FIRST = "Error: initial admin user must be created first.\n"


def reboot_recorder(tmp_path):
    """The device's reboot, as the physical world sees it: a line per reboot."""
    record = tmp_path / "reboots"
    return record, {"HERALD_REBOOT_COMMAND": f"sh -c 'echo reboot >> {record}'"}


def reboots(record) -> int:
    return len(record.read_text().splitlines()) if record.exists() else 0


def configure(stack) -> None:
    """Settings a reset must forget or keep, a file it must remove."""
    with stack.vapix(ROOT) as root:
        assert root.post("/axis-cgi/param.cgi", data={
            "action": "update", "Network.BootProto": "none", "Network.IPAddress": "10.1.2.3",
            "Network.SubnetMask": "255.255.0.0", "Network.DefaultRouter": "10.1.0.1",
            "Network.HostName": "lobby", "SIP.Port": "5070"}).text == "OK\n"
        assert root.post("/axis-cgi/param.cgi", data={
            "action": "add", "template": "snmptrap", "group": "SNMP.Trap",
            "SNMP.Trap.T.Address": "10.1.0.9"}).text == "T0 OK\n"
    (stack.data_dir / "clips").mkdir(exist_ok=True)  # herald-system made it
    (stack.data_dir / "clips" / "doorbell.au").write_bytes(b".snd")


def settings_after_reset(stack) -> dict[str, str]:
    """Set root again (nothing else can read the device) and read back."""
    with stack.vapix() as anonymous:
        assert anonymous.get("/axis-cgi/pwdgrp.cgi?action=get").text == INITIAL_ADMIN_FIRST
    set_up_accounts(stack)
    with stack.vapix(ROOT) as root:
        text = root.get("/axis-cgi/param.cgi?action=list&group=Network,SIP.Port,SNMP").text
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_restart_and_restore_from_the_ui(herald_factory, tmp_path):
    record, env = reboot_recorder(tmp_path)
    stack = herald_factory(env)
    set_up_accounts(stack)
    configure(stack)
    with stack.browser(ROOT) as browser:
        reply = post_form(browser, "/maintenance/restart/", {}, token_from="/maintenance/")
        assert "The device is restarting." in reply.text
        wait_until(lambda: reboots(record) == 1, what="the reboot")
        reply = post_form(browser, "/maintenance/restore/", {}, token_from="/maintenance/")
        assert reply.status_code == 200
        wait_until(lambda: reboots(record) == 2, what="the reboot after restore")
        assert browser.get("/status/").headers["location"] == "/setup/"
    assert not (stack.data_dir / "clips").exists()
    values = settings_after_reset(stack)
    kept = {"Network.BootProto": "none", "Network.IPAddress": "10.1.2.3",
            "Network.SubnetMask": "255.255.0.0", "Network.DefaultRouter": "10.1.0.1"}
    assert {k: values[f"root.{k}"] for k in kept} == kept
    assert values["root.SIP.Port"] == "5060"
    assert values["root.Network.HostName"].startswith("herald-")
    assert "root.SNMP.Trap.T0.Address" not in values


def test_factory_default_from_vapix_resets_the_network_too(herald_factory, tmp_path):
    record, env = reboot_recorder(tmp_path)
    stack = herald_factory(env)
    set_up_accounts(stack)
    configure(stack)
    with stack.vapix(stack.accounts["operator"]) as operator:
        assert operator.get("/axis-cgi/hardfactorydefault.cgi").status_code == 403
    with stack.vapix(ROOT) as root:
        reply = root.get("/axis-cgi/hardfactorydefault.cgi")
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    wait_until(lambda: reboots(record) == 1, what="the reboot")
    values = settings_after_reset(stack)
    assert values["root.Network.BootProto"] == "dhcp"
    assert values["root.Network.IPAddress"] == "192.168.0.90"


def test_only_root_can_be_the_initial_admin(fresh_herald):
    with fresh_herald.vapix() as anonymous:
        def add(**args):
            return anonymous.post("/axis-cgi/pwdgrp.cgi", data={"action": "add", **args}).text
        assert anonymous.get("/axis-cgi/pwdgrp.cgi?action=get").text == INITIAL_ADMIN_FIRST
        invalid = "Error: not a valid initial admin user.\n"
        assert add(user="boss", pwd="x", grp="root", sgrp="admin:operator:viewer") == invalid
        assert add(user="root", pwd="x", grp="root", sgrp="viewer") == invalid
        assert add(user="root", pwd="", grp="root", sgrp="admin") == (
            "Error: consult the system log file.\n")
        assert add(user="root", pwd="s3cret", grp="root", sgrp="admin:ptz") == (
            "Created account root.\n")
        assert anonymous.post("/axis-cgi/pwdgrp.cgi", data={
            "action": "add", "user": "root", "pwd": "other", "sgrp": "admin"}).status_code == 401


def test_a_reset_cut_short_is_finished_at_the_next_start(fresh_herald):
    set_up_accounts(fresh_herald)
    configure(fresh_herald)
    fresh_herald.stop()
    # The power failed right after the reset was recorded, before it ran.
    (fresh_herald.data_dir / ".factory-default-pending").write_text("restore\n")
    fresh_herald.start(worker=False)
    assert not (fresh_herald.data_dir / ".factory-default-pending").exists()
    values = settings_after_reset(fresh_herald)
    assert values["root.Network.IPAddress"] == "10.1.2.3"
    assert values["root.SIP.Port"] == "5060"


def test_healthz_answers_for_the_database_redis_and_each_service(fresh_herald):
    fresh_herald.start_core()
    with fresh_herald.vapix() as client:
        reply = client.get("/healthz")
        assert reply.status_code == 200
        assert reply.json() == {"database": True, "redis": True, "worker": True, "core": True,
                                "updater": True, "system": True, "snmp": True, "mqtt": True,
                                "sip": True}
        for service in ("core", "system"):
            fresh_herald.processes[service].kill()
            fresh_herald.processes[service].wait(timeout=30)
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json() == {"database": True, "redis": True, "worker": True, "core": False,
                                "updater": True, "system": False, "snmp": True, "mqtt": True,
                                "sip": True, "error": "not answering: core, system"}
        fresh_herald.processes["worker"].terminate()
        fresh_herald.processes["worker"].wait(timeout=30)
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json()["error"] == "not answering: worker, core, system"
        redis.Redis.from_url(fresh_herald.redis_url).shutdown(nosave=True)
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json()["redis"] is False and reply.json()["database"] is True


def test_healthz_asks_herald_snmp_and_herald_mqtt_while_their_settings_turn_them_on(
        fresh_herald):
    fresh_herald.start_core()
    store = ParamStore(fresh_herald.data_dir / "db.sqlite3", default_tree(), fresh_herald.bus())
    with fresh_herald.vapix() as client:
        assert client.get("/healthz").status_code == 200  # both off, neither running
        store.update({snmp.ENABLED: "yes", mqtt.ENABLED: "yes"}, Level.ADMIN)
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json()["error"] == "not answering: snmp, mqtt"
        # herald-mqtt answers, with no broker to connect to: that is no failure of the device.
        fresh_herald._start_service("mqtt", "herald.mqtt", mqtt.SERVICE)
        reply = client.get("/healthz")
        assert reply.json()["error"] == "not answering: snmp" and reply.json()["mqtt"] is True
        store.update({snmp.ENABLED: "no"}, Level.ADMIN)
        assert client.get("/healthz").status_code == 200


def test_the_worker_stops_at_once_while_the_events_service_is_away(fresh_herald):
    """The periodic notification pass asks the events service; with herald-core
    away the worker must still stop when
    systemd asks, not after the pass."""
    broker = "redis+socket://" + fresh_herald.redis_url.removeprefix("unix://")
    Celery(broker=broker).send_task("herald_web.events.tasks.deliver_notifications")
    calls = redis.Redis.from_url(fresh_herald.redis_url)
    wait_until(lambda: calls.llen(CALL_PREFIX + events.SERVICE),
               what="the worker to ask the events service for a pass")
    fresh_herald.processes["worker"].terminate()
    fresh_herald.processes["worker"].wait(timeout=STOP_SECONDS)
