"""VAPIX's action service and the event service's scheduled events at
/vapix/services, on the whole device (herald-web and herald-core), driven with
the SOAP bodies AXIS clients send: action configurations and rules that make
the speaker play and notify, recipient configurations, schedules; bad bodies
get a fault with the reason and change nothing; only administrators change.

The `axis` library in this venv (v60) has no helpers for the action service
(it reads GetEventInstances only), so the bodies here are written as AXIS's
documentation and clients built on the WSDL write them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from herald.events import contract
from tests.audio.event_forms import rule_form
from tests.audio.signals import encode, sine
from tests.conftest import wait_until
from tests.firmware.recipient_servers import tcp_listener
from tests.webadmin.event_actions import (
    ACTION1,
    EVENT1,
    PAGE,
    WSNT,
    add_configuration,
    add_rule,
    call,
    envelope,
    event,
    found,
    items,
    parameters,
)
from tests.webadmin.event_soap import ENV, fault, services, states, virtual_input
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import form_token

VIRTUAL_INPUT = "tns1:Device/tnsaxis:IO/VirtualInput"


















def device(herald) -> dict[str, Any]:
    """What the events service keeps, to see that a refusal changed none of it."""
    ask = herald.bus().call
    return {what: ask(contract.SERVICE, method)[what] for method, what in (
        (contract.LIST_RULES, "rules"), (contract.LIST_ACTIONS, "actions"),
        (contract.LIST_RECIPIENTS, "recipients"), (contract.LIST_SCHEDULES, "schedules"))}


@pytest.fixture
def clip(herald) -> Iterator[str]:
    """A clip on the device; its file name, as an action's location."""
    with herald.vapix(herald.accounts["operator"]) as operator:
        uploaded = operator.post("/axis-cgi/mediaclip.cgi?action=upload&media=audio", files={
            "file": ("doorbell.wav", encode(sine(550, 0.5, 16000), 16000, "wav"),
                     "audio/basic")})
        number = int(uploaded.text.split()[1].removeprefix("Uploaded="))
        yield "doorbell.wav"
        operator.get("/axis-cgi/mediaclip.cgi", params={"action": "remove", "clip": number})


def playing(herald) -> bool:
    return bool(states(herald)[(contract.CLIP_PLAYING.topic, 0)])


def test_a_client_sets_up_a_clip_that_plays_while_a_virtual_input_is_on(herald, kept, clip):
    templates = call(herald, envelope("<act:GetActionTemplates/>"))
    play = next(t for t in templates.iter(f"{{{ACTION1}}}ActionTemplate")
                if found(t, "TemplateToken") == "com.axis.action.unlimited.play.audioclip")
    assert {p.get("Name") for p in play.iter(f"{{{ACTION1}}}Parameter")} >= {
        "location", "volume", "audiodeviceid", "audiooutputid"}

    added = call(herald, add_configuration("Doorbell", "com.axis.action.unlimited.play.audioclip",
                                           location=clip, volume=80, audiodeviceid=0))
    configuration = found(added, "ConfigurationID")
    listed = call(herald, envelope("<act:GetActionConfigurations/>"))
    [kept_configuration] = listed.iter(f"{{{ACTION1}}}ActionConfiguration")
    assert (found(kept_configuration, "ConfigurationID"), found(kept_configuration, "Name"),
            found(kept_configuration, "TemplateToken")) == (
        configuration, "Doorbell", "com.axis.action.unlimited.play.audioclip")
    assert {p.get("Name"): p.get("Value") for p in kept_configuration.iter(
        f"{{{ACTION1}}}Parameter")} == {"location": clip, "volume": "80", "audiodeviceid": "0"}

    rule = found(call(herald, add_rule(
        "Ring while input 4 is on", configuration,
        start=event("StartEvent", VIRTUAL_INPUT, items(port=4, active=1)), timeout="PT5S")),
        "RuleID")
    [listed_rule] = call(herald, envelope("<act:GetActionRules/>")).iter(
        f"{{{ACTION1}}}ActionRule")
    assert (found(listed_rule, "RuleID"), found(listed_rule, "Name"),
            found(listed_rule, "Enabled"), found(listed_rule, "ActivationTimeout"),
            found(listed_rule, "PrimaryAction")) == (
        rule, "Ring while input 4 is on", "true", "PT5S", configuration)
    start = listed_rule.find(f"{{{ACTION1}}}StartEvent")
    assert start.findtext(f"{{{WSNT}}}TopicExpression") == VIRTUAL_INPUT
    assert start.findtext(f"{{{WSNT}}}MessageContent") == items(port=4, active=1)

    assert virtual_input(herald, "activate", port=4).status_code == 200
    try:
        wait_until(lambda: playing(herald), what="the rule's clip to play")
    finally:
        virtual_input(herald, "deactivate", port=4)
    wait_until(lambda: not playing(herald), what="the clip to stop with the rule")

    in_use = fault(services(herald, "admin", envelope(
        "<act:RemoveActionConfiguration><act:ConfigurationID>"
        f"{configuration}</act:ConfigurationID></act:RemoveActionConfiguration>")))
    assert in_use == ("env:Sender", "ter:InvalidArgVal",
                      "the rule 'Ring while input 4 is on' runs this action configuration")
    call(herald, envelope(f"<act:RemoveActionRule><act:RuleID>{rule}</act:RuleID>"
                          "</act:RemoveActionRule>"))
    call(herald, envelope("<act:RemoveActionConfiguration><act:ConfigurationID>"
                          f"{configuration}</act:ConfigurationID></act:RemoveActionConfiguration>"))
    assert device(herald)["rules"] == device(herald)["actions"] == []


def test_a_recipient_configuration_is_notified_by_a_rule(herald, kept):
    recipient_templates = call(herald, envelope("<act:GetRecipientTemplates/>"))
    tokens = {found(t, "TemplateToken")
              for t in recipient_templates.iter(f"{{{ACTION1}}}RecipientTemplate")}
    assert tokens == {f"com.axis.recipient.{kind}"
                      for kind in ("smtp", "http", "https", "ftp", "sftp", "tcp")}
    with tcp_listener() as desk:
        added = call(herald, envelope(
            "<act:AddRecipientConfiguration><act:NewRecipientConfiguration>"
            "<act:Name>Front desk</act:Name><act:TemplateToken>com.axis.recipient.tcp"
            f"</act:TemplateToken>{parameters(host='127.0.0.1', port=desk.port)}"
            "</act:NewRecipientConfiguration></act:AddRecipientConfiguration>"))
        recipient = found(added, "ConfigurationID")
        call(herald, envelope(
            "<act:AddRecipientConfiguration><act:NewRecipientConfiguration>"
            "<act:Name>Archive</act:Name><act:TemplateToken>com.axis.recipient.http"
            "</act:TemplateToken>"
            + parameters(upload_url="http://127.0.0.1:9/in", login="speaker",
                         password="s3cret-pass")
            + "</act:NewRecipientConfiguration></act:AddRecipientConfiguration>"))
        listed = services(herald, "admin", envelope("<act:GetRecipientConfigurations/>"))
        assert "s3cret-pass" not in listed.text
        configurations = {found(c, "Name"): {p.get("Name"): p.get("Value") for p in c.iter(
            f"{{{ACTION1}}}Parameter")} for c in ET.fromstring(listed.content).iter(
            f"{{{ACTION1}}}RecipientConfiguration")}
        assert configurations == {
            "Front desk": {"host": "127.0.0.1", "port": str(desk.port)},
            "Archive": {"upload_url": "http://127.0.0.1:9/in", "login": "speaker"}}

        wrong_kind = fault(services(herald, "admin", add_configuration(
            "Tell", "com.axis.action.fixed.notification.http", recipient_id=recipient)))
        assert "recipient_id: the ConfigurationID of a http recipient" in wrong_kind[2]
        action = found(call(herald, add_configuration(
            "Tell the desk", "com.axis.action.fixed.notification.tcp", recipient_id=recipient,
            message="door")), "ConfigurationID")
        call(herald, add_rule("Door", action, start=event(
            "StartEvent", "onvif:Device/axis:IO/VirtualPort", items(state=1))))
        herald.bus().call(contract.SERVICE, contract.SET_MANUAL_TRIGGER, active=True)
        assert wait_until(lambda: desk.received, what="the desk to be told") == [b"door"]
    in_use = fault(services(herald, "admin", envelope(
        "<act:RemoveRecipientConfiguration><act:ConfigurationID>"
        f"{recipient}</act:ConfigurationID></act:RemoveRecipientConfiguration>")))
    assert in_use[2] == "the rule 'Door' uses this recipient"


@pytest.mark.parametrize(("start", "conditions", "trigger", "further"), [
    (event("StartEvent", VIRTUAL_INPUT, items(port=2, active=1)), (),
     {"topic": VIRTUAL_INPUT, "source": 2, "value": True}, []),
    (event("StartEvent", VIRTUAL_INPUT, items(active=0)), (),
     {"topic": VIRTUAL_INPUT, "source": None, "value": False}, []),
    # The sound level passing the set value either way: no state named.
    (event("StartEvent", "tns1:AudioSource/tnsaxis:TriggerLevel"), (),
     {"topic": contract.SOUND_LEVEL.topic, "source": None, "value": None}, []),
    ("", (event("Condition", "tns1:UserAlarm/tnsaxis:Recurring/Interval",
                items(id="com.axis.schedules.office_hours", active=1)),
          event("Condition", "onvif:Device/axis:IO/VirtualPort", items(state=0))),
     {"topic": contract.SCHEDULE.topic, "source": "com.axis.schedules.office_hours",
      "value": True}, [{"topic": contract.MANUAL_TRIGGER.topic, "source": None,
                        "value": False, "invert": False}]),
])
def test_start_events_and_conditions_become_the_rules_trigger_and_conditions(
        herald, kept, start, conditions, trigger, further):
    action = found(call(herald, add_configuration(
        "Hush", "com.axis.action.fixed.stop.audioclip")), "ConfigurationID")
    call(herald, add_rule("Translated", action, start, conditions, timeout="PT1M30S"))
    [rule] = device(herald)["rules"]
    assert rule["trigger"] == {**trigger, "invert": False}
    assert (rule["conditions"], rule["wait_seconds"]) == (further, 90)
    assert rule["action"]["kind"] == contract.STOP_CLIP
    [listed] = call(herald, envelope("<act:GetActionRules/>")).iter(f"{{{ACTION1}}}ActionRule")
    call(herald, envelope(f"<act:RemoveActionRule><act:RuleID>{rule['id']}</act:RuleID>"
                          "</act:RemoveActionRule>"))
    # What GetActionRules says is taken back as the same rule (the device numbers it).
    fields = {e.tag.rpartition("}")[2]: ET.tostring(e, encoding="unicode") for e in listed}

    def again(*names: str) -> bytes:
        return envelope("<act:AddActionRule><act:NewActionRule>" + "".join(
            fields[name] for name in names) + "</act:NewActionRule></act:AddActionRule>")

    assert "'RuleID' is not supported" in fault(services(herald, "admin", again(*fields)))[2]
    call(herald, again(*(name for name in fields if name != "RuleID")))
    [taken] = device(herald)["rules"]
    assert {k: taken[k] for k in ("trigger", "conditions", "wait_seconds")} == {
        k: rule[k] for k in ("trigger", "conditions", "wait_seconds")}


def test_scheduled_events_are_the_devices_schedules_and_pulses(herald, kept):
    reply = call(herald, envelope("<aev:GetScheduledEvents/>"), role="viewer")
    office = next(e for e in reply.iter(f"{{{EVENT1}}}ScheduledEvent")
                  if e.findtext(f"{{{EVENT1}}}EventID") == "com.axis.schedules.office_hours")
    assert office.findtext(f"{{{EVENT1}}}Name") == "Office Hours"
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" in office.findtext(
        f"{{{EVENT1}}}Schedule/{{{EVENT1}}}ICalendar")
    added = call(herald, envelope(
        "<aev:AddScheduledEvent><aev:NewScheduledEvent><aev:Name>Every minute</aev:Name>"
        '<aev:Schedule><aev:ICalendar Dialect="http://www.axis.com/vapix/ws/ical1">'
        "DTSTART:19700101T000000\nRRULE:FREQ=MINUTELY</aev:ICalendar></aev:Schedule>"
        "</aev:NewScheduledEvent></aev:AddScheduledEvent>"))
    event_id = added.findtext(f"{{{EVENT1}}}EventID")
    pulses = call(herald, envelope("<aev:GetScheduledEvents><aev:ScheduleFilter>"
                                   "<aev:ScheduleType>Pulse</aev:ScheduleType>"
                                   "</aev:ScheduleFilter></aev:GetScheduledEvents>"))
    assert [e.findtext(f"{{{EVENT1}}}Name") for e in pulses.iter(
        f"{{{EVENT1}}}ScheduledEvent")] == ["Every minute"]
    call(herald, envelope(f"<aev:RemoveScheduledEvent><aev:EventID>{event_id}</aev:EventID>"
                          "</aev:RemoveScheduledEvent>"))
    assert all(s["builtin"] for s in device(herald)["schedules"])


def test_a_soap_rule_is_on_the_page_and_keeps_its_action_when_edited_there(herald, kept):
    action = found(call(herald, add_configuration(
        "Hush", "com.axis.action.fixed.stop.audioclip")), "ConfigurationID")
    quiet = event("StartEvent", VIRTUAL_INPUT, items(port=6, active=0))
    rule = found(call(herald, add_rule("Quiet", action, start=quiet)), "RuleID")
    two = found(call(herald, add_rule("Two", action, start=quiet, conditions=(
        event("Condition", VIRTUAL_INPUT, items(port=7, active=1)),
        event("Condition", VIRTUAL_INPUT, items(port=8, active=1))))), "RuleID")
    with herald.browser(herald.accounts["admin"]) as admin:
        row = re.search(rf'<tr data-rule="{rule}">(.*?)</tr>', admin.get(PAGE).text, re.S)
        assert "not Virtual input 6" in row.group(1) and "Stop playing" in row.group(1)
        form = admin.get(f"{PAGE}rules/{rule}/").text
        assert re.search(r'name="trigger_invert"[^>]*checked', form)
        changed = admin.post(f"{PAGE}rules/{rule}/", data={
            "csrfmiddlewaretoken": form_token(admin, PAGE), **rule_form(
                "", name="Quieter", trigger=VIRTUAL_INPUT, trigger_port="6",
                trigger_invert="on", action="stop_clip")})
        assert changed.status_code == 302
        refused = admin.get(f"{PAGE}rules/{two}/", follow_redirects=True)
        assert "The rule Two has 2 further conditions" in refused.text
    listed = {found(r, "RuleID"): r for r in call(herald, envelope(
        "<act:GetActionRules/>")).iter(f"{{{ACTION1}}}ActionRule")}
    assert (found(listed[rule], "Name"), found(listed[rule], "PrimaryAction")) == (
        "Quieter", action)
    assert listed[rule].find(f"{{{ACTION1}}}StartEvent").findtext(
        f"{{{WSNT}}}MessageContent") == items(port=6, active=0)


GOOD_RULE = add_rule("x", 1, start=event("StartEvent", VIRTUAL_INPUT, items(port=1, active=1)))
BAD = [
    (add_configuration("x", "com.example.format.disk"), "no action template"),
    (add_configuration("x", "com.axis.action.fixed.stop.audioclip", colour="red"),
     "'colour' is not a parameter of com.axis.action.fixed.stop.audioclip"),
    (add_configuration("x", "com.axis.action.fixed.play.audioclip", location="nothing.wav"),
     "location: there is no clip"),
    (add_configuration("x", "com.axis.action.fixed.play.audioclip"), "needs the location"),
    (add_configuration("x", "com.axis.action.fixed.play.audioclip", location="a.wav",
                       volume="loud"), "volume: a whole number"),
    (add_configuration("x", "com.axis.action.fixed.play.audioclip", location="a.wav",
                       audiooutputid=1), "one output, 0"),
    (add_configuration("x", "com.axis.action.fixed.notification.tcp", recipient_id=999),
     "recipient_id: the ConfigurationID"),
    (add_configuration("", "com.axis.action.fixed.stop.audioclip"), "name: 1 to 64"),
    (GOOD_RULE.replace(b"<act:PrimaryAction>1", b"<act:PrimaryAction>999"),
     "there is no action configuration 999"),
    (GOOD_RULE.replace(b"<act:PrimaryAction>1</act:PrimaryAction>", b""),
     "NewActionRule needs PrimaryAction"),
    (GOOD_RULE.replace(b"VirtualInput<", b"Nothing<"), "no event"),
    (GOOD_RULE.replace(b"VirtualInput<", b"VirtualInput|tns1:Device/tnsaxis:IO/VirtualPort<"),
     "no event"),
    (GOOD_RULE.replace(b'@Value="1"]) and', b'@Value="1"]) or'),
     "must name one instance"),
    (add_rule("x", 1, start=event("StartEvent", VIRTUAL_INPUT, items(port=40))),
     "must name one instance"),
    (add_rule("x", 1, start=event("StartEvent", VIRTUAL_INPUT, "boolean(//Nonsense")),
     "content filter"),
    (add_rule("x", 1, start=event("StartEvent", contract.SCHEDULE.topic, items(id="404"))),
     "must name one instance"),
    (add_rule("x", 1, conditions=(event("Condition", VIRTUAL_INPUT, items(port=1)),
                                  event("Condition", VIRTUAL_INPUT, items(port=2)))),
     "only states can be further conditions"),
    (add_rule("x", 1), "needs a StartEvent or a Condition"),
    (add_rule("x", 1, start=event("StartEvent", VIRTUAL_INPUT), timeout="soon"),
     "ActivationTimeout"),
    (add_rule("x", 1, start=event("StartEvent", VIRTUAL_INPUT), enabled="maybe"), "Enabled"),
    (GOOD_RULE.replace(b"</act:NewActionRule>",
                       b"<act:FailoverAction>2</act:FailoverAction></act:NewActionRule>"),
     "'FailoverAction' is not supported"),
    (envelope("<act:AddRecipientConfiguration><act:NewRecipientConfiguration><act:Name>x"
              "</act:Name><act:TemplateToken>com.axis.recipient.tcp</act:TemplateToken>"
              + parameters(host="127.0.0.1", port="x")
              + "</act:NewRecipientConfiguration></act:AddRecipientConfiguration>"),
     "port: a whole number"),
    (envelope("<act:AddRecipientConfiguration><act:NewRecipientConfiguration><act:Name>x"
              "</act:Name><act:TemplateToken>com.axis.recipient.smb</act:TemplateToken>"
              "</act:NewRecipientConfiguration></act:AddRecipientConfiguration>"),
     "no recipient template"),
    (envelope("<act:AddRecipientConfiguration><act:NewRecipientConfiguration><act:Name>x"
              "</act:Name><act:TemplateToken>com.axis.recipient.tcp</act:TemplateToken>"
              + parameters(host="127.0.0.1", port=1, port_again=2).replace("port_again", "port")
              + "</act:NewRecipientConfiguration></act:AddRecipientConfiguration>"),
     "each with a Name of its own"),
    (envelope("<aev:AddScheduledEvent><aev:NewScheduledEvent><aev:EventID>mine</aev:EventID>"
              "<aev:Name>x</aev:Name><aev:Schedule><aev:ICalendar>DTSTART:19700101T000000\n"
              "RRULE:FREQ=DAILY</aev:ICalendar></aev:Schedule></aev:NewScheduledEvent>"
              "</aev:AddScheduledEvent>"), "EventID is given by this device"),
    (envelope("<aev:AddScheduledEvent><aev:NewScheduledEvent><aev:Name>x</aev:Name>"
              "<aev:Schedule><aev:ICalendar>RRULE:FREQ=MONTHLY</aev:ICalendar></aev:Schedule>"
              "</aev:NewScheduledEvent></aev:AddScheduledEvent>"), "DTSTART is missing"),
    (envelope("<aev:GetScheduledEvents><aev:ScheduleFilter><aev:ScheduleType>Monthly"
              "</aev:ScheduleType></aev:ScheduleFilter></aev:GetScheduledEvents>"),
     "ScheduleType is Interval or Pulse"),
    (envelope("<act:RemoveActionRule><act:RuleID>one</act:RuleID></act:RemoveActionRule>"),
     "RuleID: a whole number"),
    (envelope("<act:RemoveActionRule><act:RuleID>424242</act:RuleID></act:RemoveActionRule>"),
     "there is no rule 424242"),
]


@pytest.mark.parametrize(("body", "reason"), BAD)
def test_bad_requests_get_a_fault_with_the_reason_and_change_nothing(herald, kept, body, reason):
    """A rule's PrimaryAction 1 is an action configuration that is there."""
    action = found(call(herald, add_configuration(
        "Hush", "com.axis.action.fixed.stop.audioclip")), "ConfigurationID")
    body = body.replace(b"<act:PrimaryAction>1<", f"<act:PrimaryAction>{action}<".encode())
    before = device(herald)
    code, subcode, said = fault(services(herald, "admin", body))
    assert code == "env:Sender" and subcode.startswith("ter:") and reason in said, said
    assert device(herald) == before


def test_fuzzed_bodies_get_faults_not_errors_and_a_fault_stores_nothing(herald, kept, clip):
    """Bytes of good requests changed at random: a fault with a reason or an
    answer, never a 5xx; after a fault the device keeps what it kept before."""
    generator = random.Random(11)
    action = found(call(herald, add_configuration(
        "Hush", "com.axis.action.fixed.stop.audioclip")), "ConfigurationID")
    bodies = [GOOD_RULE.replace(b"<act:PrimaryAction>1<", f"<act:PrimaryAction>{action}<".encode()),
              add_configuration("x", "com.axis.action.fixed.play.audioclip", location=clip,
                                volume=50),
              envelope("<aev:AddScheduledEvent><aev:NewScheduledEvent><aev:Name>x</aev:Name>"
                       "<aev:Schedule><aev:ICalendar>DTSTART:19700101T000000\nRRULE:FREQ="
                       "DAILY</aev:ICalendar></aev:Schedule></aev:NewScheduledEvent>"
                       "</aev:AddScheduledEvent>")]
    for body in bodies:  # as they are, the device takes them
        call(herald, body)
    kept_now, faults = device(herald), 0
    with herald.vapix(herald.accounts["admin"]) as admin:
        for _ in range(100):
            body = bytearray(generator.choice(bodies))
            for _ in range(generator.randint(1, 4)):
                body[generator.randrange(len(body))] = generator.randrange(256)
            reply = admin.post("/vapix/services", content=bytes(body))
            assert reply.status_code in (200, 400), (reply.status_code, reply.text, body)
            if reply.status_code == 400:
                faults += 1
                assert fault(reply)[2], reply.text
                assert device(herald) == kept_now, body
            kept_now = device(herald)
    assert faults > 50


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_administrators_use_the_action_service(herald, kept, role):
    for body in (envelope("<act:GetActionRules/>"), envelope("<act:GetActionTemplates/>"),
                 GOOD_RULE, envelope("<act:GetRecipientConfigurations/>"),
                 envelope("<aev:RemoveScheduledEvent><aev:EventID>1</aev:EventID>"
                          "</aev:RemoveScheduledEvent>")):
        assert services(herald, role, body).status_code == 403
    assert services(herald, None, GOOD_RULE).status_code == 401
    assert services(herald, role, envelope("<aev:GetScheduledEvents/>")).status_code == 200


def test_a_request_while_the_events_service_is_away_gets_a_fault_saying_to_retry(
        fresh_herald):
    """herald-core not running: a SOAP fault with 503, not an error page or a 500."""
    set_up_accounts(fresh_herald)
    reply = services(fresh_herald, "admin", envelope("<act:GetActionRules/>"))
    assert reply.status_code == 503
    assert reply.headers["content-type"].startswith("application/soap+xml")
    body = ET.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert body.findtext(f"{{{ENV}}}Code/{{{ENV}}}Value") == "env:Receiver"
    assert "events service did not answer" in body.findtext(f"{{{ENV}}}Reason/{{{ENV}}}Text")
