"""The action service at /vapix/services (namespace action1), for administrators
(events are the administrator's configuration, as on the System > Events
page): the templates this device offers, action configurations, recipient
configurations and action rules, as AXIS devices serve them, kept by the
events service as its action configurations, recipients and rules.

An action rule's StartEvent is the rule's trigger and its Conditions the
further conditions, each an event topic (wsnt:TopicExpression) and an item
filter on its source and data (wsnt:MessageContent). A filter is read as the
event stream reads it and then tried on the device's instances: it must name
one instance or none (any), in one state or none (the trigger is then any
change of the state, as AXIS devices run it). A rule without a StartEvent
takes its first condition as the trigger. ActivationTimeout is the page's
"wait between actions"; PrimaryAction the action configuration the rule runs.
Rules made on the page carry their action themselves: they are listed
without a PrimaryAction.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest

from herald.access import Level
from herald.events import contract
from herald.events.contract import Notification
from herald_web.events import templates
from herald_web.events.filters import EventFilter
from herald_web.events.instances import as_text
from herald_web.events.soap import ask, removal
from herald_web.vapix import soap
from herald_web.vapix.soap import child, invalid, optional, text

ACTION1, WSNT = soap.NAMESPACES["aa"], soap.NAMESPACES["wsnt"]
TOPIC_DIALECTS = ("http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete",
                  "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Simple")
CONTENT_DIALECT = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
RULE_FIELDS = {"Name", "Enabled", "StartEvent", "Conditions", "ActivationTimeout",
               "PrimaryAction"}
DURATION = re.compile(r"P(?:(\d{1,5})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,5})M)?(?:(\d{1,6})S)?)?")
OUTSIDE = "\x00"  # a source no instance has: a filter it passes does not name one
LITERAL = re.compile(r"""@Value\s*=\s*(["'])(.*?)\1""")  # a value an item filter names


def action_method(name: str) -> Any:
    return soap.method(ACTION1, name, Level.ADMIN, "action service")


def _number(parent: ET.Element, name: str) -> int:
    value = text(parent, name)
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise invalid(f"{name}: a whole number, not {value!r:.40}")
    return int(value)


def _parameters(configuration: ET.Element) -> dict[str, str]:
    """A configuration's Parameters: Name and Value attributes, each name once."""
    found: dict[str, str] = {}
    holder = optional(configuration, "Parameters")
    for parameter in [] if holder is None else list(holder):
        name, value = parameter.get("Name"), parameter.get("Value", "")
        if not name or name in found or len(found) >= contract.MAX_ACTION_PARAMETERS:
            raise invalid(f"Parameters: at most {contract.MAX_ACTION_PARAMETERS}, each with a "
                          "Name of its own and a Value")
        found[name] = value
    return found


def _listed(parent: ET.Element, parameters: dict[str, str], attribute: str = "Value") -> None:
    """Parameters as AXIS lists them: a configuration's values, or (attribute
    "Type") a template's types."""
    holder = ET.SubElement(parent, "aa:Parameters")
    for name, value in parameters.items():
        ET.SubElement(holder, "aa:Parameter", {"Name": name, attribute: value})


def _configurations(kind: str, kept: list[tuple[int, str, str, dict[str, str]]]) -> ET.Element:
    """Get<kind>Configurations' response: each configuration's id, name, template
    and parameters."""
    response = ET.Element(f"aa:Get{kind}ConfigurationsResponse")
    listed = ET.SubElement(response, f"aa:{kind}Configurations")
    for number, name, token, parameters in kept:
        element = ET.SubElement(listed, f"aa:{kind}Configuration")
        ET.SubElement(element, "aa:ConfigurationID").text = str(number)
        ET.SubElement(element, "aa:Name").text = name
        ET.SubElement(element, "aa:TemplateToken").text = token
        _listed(element, parameters)
    return response


def _new(operation: ET.Element, holder: str) -> tuple[str, str, dict[str, str]]:
    """A new configuration's Name, TemplateToken and Parameters."""
    new = child(operation, holder)
    return text(new, "Name"), text(new, "TemplateToken"), _parameters(new)


def _added(tag: str, number: Any, name: str = "aa:ConfigurationID") -> ET.Element:
    """The response to an Add: the new configuration's (or rule's) id."""
    response = ET.Element(tag)
    ET.SubElement(response, name).text = str(number)
    return response


# -- templates -------------------------------------------------------------------------


@action_method("GetActionTemplates")
def get_action_templates(request: HttpRequest, operation: ET.Element) -> ET.Element:
    response = ET.Element("aa:GetActionTemplatesResponse")
    listed = ET.SubElement(response, "aa:ActionTemplates")
    for template in templates.ACTIONS.values():
        element = ET.SubElement(listed, "aa:ActionTemplate")
        ET.SubElement(element, "aa:TemplateToken").text = template.token
        if template.recipient_template:
            ET.SubElement(element, "aa:RecipientTemplate").text = template.recipient_template
        _listed(element, {p.name: "string" for p in template.parameters}, "Type")
    return response


@action_method("GetRecipientTemplates")
def get_recipient_templates(request: HttpRequest, operation: ET.Element) -> ET.Element:
    response = ET.Element("aa:GetRecipientTemplatesResponse")
    listed = ET.SubElement(response, "aa:RecipientTemplates")
    for token, (_, parameters) in templates.RECIPIENTS.items():
        element = ET.SubElement(listed, "aa:RecipientTemplate")
        ET.SubElement(element, "aa:TemplateToken").text = token
        _listed(element, {p.name: "string" for p in parameters}, "Type")
    return response


# -- action configurations ----------------------------------------------------------------


@action_method("GetActionConfigurations")
def get_action_configurations(request: HttpRequest, operation: ET.Element) -> ET.Element:
    return _configurations("Action", [(k["id"], k["name"], k["template"], k["parameters"])
                                      for k in ask(contract.LIST_ACTIONS)["actions"]])


@action_method("AddActionConfiguration")
def add_action_configuration(request: HttpRequest, operation: ET.Element) -> ET.Element:
    name, token, parameters = _new(operation, "NewActionConfiguration")
    kinds = {r["id"]: r["type"] for r in ask(contract.LIST_RECIPIENTS)["recipients"]}
    answer = ask(contract.ADD_ACTION, by=request.user.get_username(), configuration={
        "name": name, "template": token, "parameters": parameters,
        "action": templates.action(token, parameters, kinds)})
    return _added("aa:AddActionConfigurationResponse", answer["id"])


# -- recipient configurations ---------------------------------------------------------


@action_method("GetRecipientConfigurations")
def get_recipient_configurations(request: HttpRequest, operation: ET.Element) -> ET.Element:
    return _configurations("Recipient", [
        (k["id"], k["name"], templates.TOKENS[k["type"]], templates.recipient_parameters(k))
        for k in ask(contract.LIST_RECIPIENTS)["recipients"]])


@action_method("AddRecipientConfiguration")
def add_recipient_configuration(request: HttpRequest, operation: ET.Element) -> ET.Element:
    answer = ask(contract.ADD_RECIPIENT, by=request.user.get_username(),
                 recipient=templates.recipient(*_new(operation, "NewRecipientConfiguration")))
    return _added("aa:AddRecipientConfigurationResponse", answer["id"])


# -- action rules ----------------------------------------------------------------------


def _condition(element: ET.Element, schedules: list[str]) -> dict[str, Any]:
    """A StartEvent or Condition as a rule's condition: the instance and state its
    filter names (see the module's docstring)."""
    topic, content = element.find(f"{{{WSNT}}}TopicExpression"), element.find(
        f"{{{WSNT}}}MessageContent")
    if topic is None or topic.get("Dialect", TOPIC_DIALECTS[0]) not in TOPIC_DIALECTS:
        raise invalid("each StartEvent and Condition has a wsnt:TopicExpression "
                      "(Dialect: Concrete)")
    if content is not None and content.get("Dialect", CONTENT_DIALECT) != CONTENT_DIALECT:
        raise invalid(f"a wsnt:MessageContent's Dialect is {CONTENT_DIALECT}")
    try:
        wanted = EventFilter.from_dict({"topicFilter": (topic.text or "").strip(), **(
            {} if content is None else {"contentFilter": (content.text or "").strip()})})
    except ValueError as exc:
        raise invalid(f"{(topic.text or '').strip()!r:.80}: {exc}") from None
    paths = wanted.topics or ()
    kind = contract.TYPES.get("/".join(paths[0][0])) if len(paths) == 1 and not paths[0][
        1] else None
    if kind is None:
        raise invalid(f"no event {(topic.text or '').strip()!r:.80} on this device: name one "
                      "topic that GetEventInstances lists")
    # Items of free text (an interface, an MQTT topic or payload) may be any value
    # the filter names, or none of them (OUTSIDE).
    named = [m[2] for m in LITERAL.finditer(content.text or "")] if content is not None else []
    sources = [] if kind.source is None else list(kind.source.values) or (
        schedules if kind.topic in (contract.SCHEDULE.topic, contract.PULSE.topic) else named)
    values = list(kind.data.values) or [OUTSIDE, *named]

    def fits(source: Any, value: Any) -> bool:
        return wanted.matches(Notification(kind.topic, {kind.source.name: source} if kind.source
                                           else {},
                                           {kind.data.name: value}, 0.0, kind.stateful))

    states = [v for v in values if any(fits(s, v) for s in (OUTSIDE, *sources))]
    anywhere = bool(states) and all(fits(OUTSIDE, v) for v in states)
    chosen = sources if anywhere else [s for s in sources
                                       if states and all(fits(s, v) for v in states)]
    if not (anywhere or len(chosen) == 1) or any(
            fits(s, v) != (s in chosen and v in states)
            for s, v in product(sources, values)):
        raise invalid(f"the MessageContent of {kind.topic} must name one instance "
                      f"({kind.source.name}) or none, and one state ({kind.data.name}) or none")
    return {"topic": kind.topic, "source": None if anywhere else chosen[0],
            "value": states[0] if len(states) == 1 and states[0] != OUTSIDE else None}


def _seconds(duration: str) -> int:
    match = DURATION.fullmatch(duration)
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        raise invalid(f"ActivationTimeout: a duration in whole seconds (PT30S, PT1H), "
                      f"not {duration!r:.40}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


@action_method("AddActionRule")
def add_action_rule(request: HttpRequest, operation: ET.Element) -> ET.Element:
    new = child(operation, "NewActionRule")
    unknown = sorted({e.tag.rpartition("}")[2] for e in new} - RULE_FIELDS)
    if unknown:
        raise invalid(f"{unknown[0]!r:.40} is not supported in an action rule on this device")
    schedules = [s["id"] for s in ask(contract.LIST_SCHEDULES)["schedules"]]
    holder = optional(new, "Conditions")
    found = [] if holder is None else list(holder)
    if len(found) > contract.MAX_CONDITIONS:
        raise invalid(f"Conditions: at most {contract.MAX_CONDITIONS}")
    start = optional(new, "StartEvent")
    conditions = [_condition(c, schedules) for c in ([start] if start is not None else [])
                  + found]
    if not conditions:
        raise invalid("an action rule needs a StartEvent or a Condition")
    timeout = optional(new, "ActivationTimeout")
    rule = {"name": text(new, "Name"), "trigger": conditions[0], "conditions": conditions[1:],
            "enabled": templates.Parameter("Enabled", "enabled", bool).value(
                text(new, "Enabled")),
            "wait_seconds": 0 if timeout is None else _seconds((timeout.text or "").strip()),
            "configuration": _number(new, "PrimaryAction")}
    answer = ask(contract.ADD_RULE, rule=rule, by=request.user.get_username())
    return _added("aa:AddActionRuleResponse", answer["id"], "aa:RuleID")


def _event(parent: ET.Element, tag: str, condition: dict[str, Any]) -> None:
    """A rule's condition as AXIS writes it: the topic and an item filter."""
    kind = contract.TYPES[condition["topic"]]
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "wsnt:TopicExpression", {"Dialect": TOPIC_DIALECTS[0]}).text = (
        kind.topic)
    value = condition["value"]
    items = [(kind.source.name, condition["source"])] if kind.source and condition[
        "source"] is not None else []
    if value is not None:
        items.append((kind.data.name, not value if condition["invert"] else value))
    if items:
        ET.SubElement(element, "wsnt:MessageContent", {"Dialect": CONTENT_DIALECT}).text = (
            " and ".join(f'boolean(//SimpleItem[@Name="{name}" and @Value="{as_text(v)}"])'
                         for name, v in items))


@action_method("GetActionRules")
def get_action_rules(request: HttpRequest, operation: ET.Element) -> ET.Element:
    response = ET.Element("aa:GetActionRulesResponse")
    listed = ET.SubElement(response, "aa:ActionRules")
    for rule in ask(contract.LIST_RULES)["rules"]:
        element = ET.SubElement(listed, "aa:ActionRule")
        ET.SubElement(element, "aa:RuleID").text = str(rule["id"])
        ET.SubElement(element, "aa:Name").text = rule["name"]
        ET.SubElement(element, "aa:Enabled").text = "true" if rule["enabled"] else "false"
        _event(element, "aa:StartEvent", rule["trigger"])
        if rule["conditions"]:
            holder = ET.SubElement(element, "aa:Conditions")
            for condition in rule["conditions"]:
                _event(holder, "aa:Condition", condition)
        ET.SubElement(element, "aa:ActivationTimeout").text = f"PT{rule['wait_seconds']}S"
        if rule["configuration"] is not None:
            ET.SubElement(element, "aa:PrimaryAction").text = str(rule["configuration"])
    return response


for _name, _call, _argument, _field in (
        ("RemoveActionConfiguration", contract.REMOVE_ACTION, "action_id", "ConfigurationID"),
        ("RemoveRecipientConfiguration", contract.REMOVE_RECIPIENT, "recipient_id",
         "ConfigurationID"),
        ("RemoveActionRule", contract.REMOVE_RULE, "rule_id", "RuleID")):
    removal(action_method, "aa", _name, _call, _argument, _field, _number)
