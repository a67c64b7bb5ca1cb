"""The event services' SOAP and virtual input calls as the event tests make them."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import httpx

from herald.events import contract

ENV = "http://www.w3.org/2003/05/soap-envelope"
GET_EVENT_INSTANCES = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
    b'<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    b'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
    b'<GetEventInstances xmlns="http://www.axis.com/vapix/ws/event1"/></s:Body></s:Envelope>')


def services(herald, role: str | None, body: bytes) -> httpx.Response:
    with herald.vapix(herald.accounts[role] if role else None) as client:
        return client.post("/vapix/services", content=body, headers={
            "Content-Type": "application/soap+xml"})


def virtual_input(herald, action: str, role: str = "operator", **args: Any) -> httpx.Response:
    with herald.vapix(herald.accounts[role] if role else None) as client:
        return client.get(f"/axis-cgi/virtualinput/{action}.cgi",
                          params={"schemaversion": 1, **args})


def fault(reply: httpx.Response) -> tuple[str, str | None, str]:
    assert reply.status_code == 400, (reply.status_code, reply.text)
    assert reply.headers["content-type"].startswith("application/soap+xml")
    found = ET.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert found is not None, reply.text
    return (found.findtext(f"{{{ENV}}}Code/{{{ENV}}}Value"),
            found.findtext(f"{{{ENV}}}Code/{{{ENV}}}Subcode/{{{ENV}}}Value"),
            found.findtext(f"{{{ENV}}}Reason/{{{ENV}}}Text"))


def states(herald) -> dict[tuple[str, Any], Any]:
    answer = herald.bus().call(contract.SERVICE, contract.STATES)
    return {(s["topic"], s["source"]): s["value"] for s in answer["states"]}
