"""The action service's SOAP calls as the action and rule tests make them."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from tests.webadmin.event_soap import ENV, services

ACTION1 = "http://www.axis.com/vapix/ws/action1"
EVENT1 = "http://www.axis.com/vapix/ws/event1"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
CONCRETE = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"
ITEM_FILTER = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
PAGE = "/system/events/"


def envelope(inner: str) -> bytes:
    """A request as clients built on the WSDLs write it: prefixes on the envelope."""
    return (f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV}" xmlns:act="{ACTION1}" '
            f'xmlns:aev="{EVENT1}" xmlns:wsnt="{WSNT}" '
            'xmlns:tns1="http://www.onvif.org/ver10/topics" '
            'xmlns:tnsaxis="http://www.axis.com/2009/event/topics">'
            f"<SOAP-ENV:Body>{inner}</SOAP-ENV:Body></SOAP-ENV:Envelope>").encode()


def parameters(**values: Any) -> str:
    return "<act:Parameters>" + "".join(f'<act:Parameter Name="{k}" Value="{v}"/>'
                                        for k, v in values.items()) + "</act:Parameters>"


def add_configuration(name: str, template: str, **values: Any) -> bytes:
    return envelope(f"<act:AddActionConfiguration><act:NewActionConfiguration>"
                    f"<act:Name>{name}</act:Name><act:TemplateToken>{template}</act:TemplateToken>"
                    f"{parameters(**values)}</act:NewActionConfiguration>"
                    "</act:AddActionConfiguration>")


def event(tag: str, topic: str, content: str | None = None) -> str:
    filtered = "" if content is None else (
        f'<wsnt:MessageContent Dialect="{ITEM_FILTER}">{content}</wsnt:MessageContent>')
    return (f'<act:{tag}><wsnt:TopicExpression Dialect="{CONCRETE}">{topic}'
            f"</wsnt:TopicExpression>{filtered}</act:{tag}>")


def items(**values: Any) -> str:
    return " and ".join(f'boolean(//SimpleItem[@Name="{k}" and @Value="{v}"])'
                        for k, v in values.items())


def add_rule(name: str, action: Any, start: str = "", conditions: tuple[str, ...] = (),
             timeout: str = "PT0S", enabled: str = "true") -> bytes:
    held = f"<act:Conditions>{''.join(conditions)}</act:Conditions>" if conditions else ""
    return envelope(f"<act:AddActionRule><act:NewActionRule><act:Name>{name}</act:Name>"
                    f"<act:Enabled>{enabled}</act:Enabled>{start}{held}"
                    f"<act:ActivationTimeout>{timeout}</act:ActivationTimeout>"
                    f"<act:PrimaryAction>{action}</act:PrimaryAction>"
                    "</act:NewActionRule></act:AddActionRule>")


def call(herald, body: bytes, role: str = "admin") -> ET.Element:
    """The response element of a request that must succeed."""
    reply = services(herald, role, body)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/soap+xml")
    return ET.fromstring(reply.content).find(f"{{{ENV}}}Body")[0]


def found(element: ET.Element, path: str) -> str:
    """The text at `path`, its steps in the action namespace ("a/b")."""
    return element.findtext("/".join(f"{{{ACTION1}}}{step}" for step in path.split("/")))
