"""param.cgi action=listdefinitions: the tree as VAPIX's XML schema."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from herald.access import Level
from herald.params import Snapshot
from herald.params.types import Enum
from herald.system.identity import this_firmware

NAMESPACE = "http://www.axis.com/ParameterDefinitionsSchema"


def listdefinitions(snapshot: Snapshot, level: Level, model: str,
                    patterns: list | None = None) -> str:
    root = ET.Element("parameterDefinitions", {"version": "1.0", "xmlns": NAMESPACE})
    ET.SubElement(root, "model").text = model
    ET.SubElement(root, "firmwareVersion").text = this_firmware().version
    top = ET.SubElement(root, "group", {"name": "root"})
    groups: dict[str, ET.Element] = {"": top}
    for resolved, value in snapshot.readable(level):
        if patterns and not any(p.matches(resolved.name) for p in patterns):
            continue
        *path, leaf = resolved.name.split(".")
        parent = top
        for depth in range(1, len(path) + 1):
            key = ".".join(path[:depth])
            if key not in groups:
                groups[key] = ET.SubElement(parent, "group", {"name": path[depth - 1]})
            parent = groups[key]
        definition = resolved.definition
        site = definition.template
        create = site.template.create if site else Level.ROOT
        delete = site.template.delete if site else Level.ROOT
        writable = not definition.computed and definition.write < Level.ROOT
        element = ET.SubElement(parent, "parameter", {
            "name": leaf, "value": value,
            "securityLevel": f"{create:d}{delete:d}{definition.read:d}{definition.write:d}",
            "niceName": definition.param.nice_name or leaf,
        })
        kind, attrs = definition.param.type.schema()
        holder = ET.SubElement(element, "type", {} if writable else {"readonly": "true"})
        kind_element = ET.SubElement(holder, kind, attrs)
        if isinstance(definition.param.type, Enum):
            for entry in definition.param.type.values:
                ET.SubElement(kind_element, "entry", {"value": entry})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
