"""The device's event types as VAPIX describes them: the `wstop:TopicSet` tree
of GetEventInstances, and item values written as AXIS writes them.

The types come from the events service (its INSTANCES call), as dicts of
herald.events.catalog.EventType: topic, nice_name, stateful, source and data
items (name, type, values).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

XSD_TYPES = {"int": "xsd:int", "bool": "xsd:boolean", "string": "xsd:string"}


def as_text(value: Any) -> str:
    """An item's value as AXIS sends it in events and lists it in declarations:
    booleans as "1" and "0", everything else as its text."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _items(message: ET.Element, tag: str, item: dict[str, Any], state: bool) -> None:
    declared = ET.SubElement(ET.SubElement(message, tag), "aev:SimpleItemInstance", {
        "Type": XSD_TYPES[item["type"]], "Name": item["name"],
        **({"isPropertyState": "true"} if state else {})})
    for value in item["values"]:
        ET.SubElement(declared, "aev:Value").text = as_text(value)


def topic_set(instances: list[dict[str, Any]]) -> ET.Element:
    """One node per topic segment ("tns1:Device", "tnsaxis:IO", "VirtualInput"),
    shared by the topics under it; each topic's node says it is one
    (wstop:topic), its name, and its message: stateful or not (aev:isProperty),
    the item telling its instances apart (source) and the item carrying its
    state or facts (data)."""
    top = ET.Element("wstop:TopicSet")
    nodes: dict[tuple[str, ...], ET.Element] = {(): top}
    for instance in instances:
        path = tuple(instance["topic"].split("/"))
        for depth in range(1, len(path) + 1):
            if path[:depth] not in nodes:
                nodes[path[:depth]] = ET.SubElement(nodes[path[:depth - 1]], path[depth - 1])
        node = nodes[path]
        node.set("wstop:topic", "true")
        node.set("aev:NiceName", instance["nice_name"])
        message = ET.SubElement(node, "aev:MessageInstance",
                                {"aev:isProperty": "true"} if instance["stateful"] else {})
        if instance["source"]:
            _items(message, "aev:SourceInstance", instance["source"], state=False)
        _items(message, "aev:DataInstance", instance["data"], state=instance["stateful"])
    return top
