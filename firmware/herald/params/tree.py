"""The shape of the parameter tree: groups, parameters and group templates.

A service describes its settings once, as `Group`s of typed `Param`s; the
tree gives every parameter its full name ("Network.Bonjour.FriendlyName"),
its access levels and its default, resolves names the way param.cgi does
(case-insensitive, "root." optional) and matches list patterns ("Network",
"Network.*.Enabled"). Templates are groups a client creates at run time with
param.cgi action=add, named after the template's prefix and a number, as in
"SNMP.Trap.T0".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from herald.access import Level
from herald.params.types import ParamType, Password

Default = str | Callable[[], str]


@dataclass(frozen=True)
class Param:
    """One setting. A callable default is asked when the values are read anew
    after a change to the database (it may depend on the device's identity, so
    it must not change while the firmware runs); a `computed` parameter is
    never stored: it reports a fact (the serial number) and nobody can set it."""

    name: str
    type: ParamType
    default: Default = ""
    nice_name: str = ""
    read: Level | None = None  # None: the enclosing group's level
    write: Level | None = None
    computed: bool = False


@dataclass(frozen=True)
class Group:
    name: str
    children: tuple[Param | Group | Template, ...]
    nice_name: str = ""
    read: Level | None = None
    write: Level | None = None


@dataclass(frozen=True)
class Template:
    """Numbered groups made on request: `<parent>.<prefix><n>`."""

    name: str  # what param.cgi action=add calls it: template=<name>
    prefix: str
    children: tuple[Param | Group, ...]
    max_groups: int
    nice_name: str = ""
    create: Level = Level.ADMIN
    delete: Level = Level.ADMIN
    read: Level | None = None
    write: Level | None = None


@dataclass(frozen=True)
class Definition:
    """One parameter in place: `name` has '#' where a template number goes."""

    name: str
    param: Param
    read: Level
    write: Level
    template: TemplateSite | None = None

    @property
    def secret(self) -> bool:
        return isinstance(self.param.type, Password)

    @property
    def computed(self) -> bool:
        return self.param.computed

    def default(self) -> str:
        default = self.param.default
        return default() if callable(default) else default


@dataclass(frozen=True)
class TemplateSite:
    """A template where it sits in the tree: "SNMP.Trap" + T#."""

    parent: str
    template: Template
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    def instance_name(self, number: int) -> str:
        return f"{self.parent}.{self.template.prefix}{number}"


@dataclass(frozen=True)
class Resolved:
    """A concrete parameter name and its definition; `instance` is the
    template group it belongs to, if any ("SNMP.Trap.T3")."""

    name: str
    definition: Definition
    instance: str | None = None


class Tree:
    def __init__(self, groups: Iterable[Group]) -> None:
        self.groups = merge(groups)
        self.definitions: list[Definition] = []
        self.templates: dict[str, TemplateSite] = {}
        self._static: dict[str, Definition] = {}
        self._templated: list[tuple[re.Pattern[str], Definition]] = []
        for group in self.groups:
            self._add_group(group, f"{group.name}.", Level.VIEWER, Level.ADMIN, None)

    def _add_group(self, group: Group | Template, prefix: str, read: Level, write: Level,
                   site: TemplateSite | None) -> None:
        read = group.read if group.read is not None else read
        write = group.write if group.write is not None else write
        for child in group.children:
            if isinstance(child, Param):
                definition = Definition(
                    f"{prefix}{child.name}", child,
                    child.read if child.read is not None else read,
                    child.write if child.write is not None else write,
                    site,
                )
                self._index(definition)
            elif isinstance(child, Group):
                self._add_group(child, f"{prefix}{child.name}.", read, write, site)
            else:
                if site is not None:
                    raise ValueError(f"template {child.name!r} may not sit inside a template")
                parent = prefix.rstrip(".")
                pattern = re.compile(
                    re.escape(parent.lower()) + r"\." + re.escape(child.prefix.lower()) + r"(\d+)"
                )
                if child.name.lower() in self.templates:
                    raise ValueError(f"parameter template {child.name!r} is defined twice")
                inner = TemplateSite(parent, child, pattern)
                self.templates[child.name.lower()] = inner
                self._add_group(child, f"{prefix}{child.prefix}#.", read, write, inner)

    def _index(self, definition: Definition) -> None:
        if any(d.name.lower() == definition.name.lower() for d in self.definitions):
            raise ValueError(f"parameter {definition.name!r} is defined twice")
        if definition.template is None:
            self._static[definition.name.lower()] = definition
        else:
            escaped = re.escape(definition.name.lower()).replace("\\#", r"(\d+)", 1)
            self._templated.append((re.compile(escaped), definition))
        self.definitions.append(definition)

    def resolve(self, name: str) -> Resolved | None:
        """The parameter a client means by `name`, or None if there is none."""
        key = strip_root(name).lower()
        if definition := self._static.get(key):
            return Resolved(definition.name, definition)
        for pattern, definition in self._templated:
            if match := pattern.fullmatch(key):
                number = str(int(match.group(1)))
                site = definition.template
                assert site is not None
                concrete = definition.name.replace("#", number, 1)
                return Resolved(concrete, definition, site.instance_name(int(number)))
        return None

    def instance_site(self, group: str) -> TemplateSite | None:
        """The template of a made group name ("SNMP.Trap.T3"), if it is one."""
        key = strip_root(group).lower()
        for site in self.templates.values():
            if site.pattern.fullmatch(key):
                return site
        return None

    def concrete(self, instances: Iterable[str]) -> Iterator[Resolved]:
        """Every parameter that exists, in tree order, given the made groups."""
        made = sorted(instances, key=_natural)
        done: set[str] = set()
        for definition in self.definitions:
            site = definition.template
            if site is None:
                yield Resolved(definition.name, definition)
                continue
            if site.template.name in done:
                continue
            done.add(site.template.name)
            members = [d for d in self.definitions if d.template is site]
            for instance in made:
                if match := site.pattern.fullmatch(instance.lower()):
                    for member in members:
                        name = member.name.replace("#", match.group(1), 1)
                        yield Resolved(name, member, instance)


def merge(groups: Iterable[Group]) -> tuple[Group, ...]:
    """Join groups of the same name, so that several services can each add
    their part of one group (Properties.Audio beside Properties.System); a
    part without access levels of its own takes those of the group."""
    merged: dict[str, Group] = {}
    for group in groups:
        key = group.name.lower()
        if key not in merged:
            merged[key] = replace(group, children=_merge_children(group.children))
            continue
        first = merged[key]
        read = first.read if first.read is not None else group.read
        write = first.write if first.write is not None else group.write
        children = _with_levels(first, read, write) + _with_levels(group, read, write)
        merged[key] = Group(first.name, _merge_children(children),
                            first.nice_name or group.nice_name, read, write)
    return tuple(merged.values())


def _with_levels(group: Group, read: Level | None,
                 write: Level | None) -> tuple[Param | Group | Template, ...]:
    """The group's children carrying the levels they would inherit."""
    read = group.read if group.read is not None else read
    write = group.write if group.write is not None else write
    return tuple(
        replace(
            child,
            read=child.read if child.read is not None else read,
            write=child.write if child.write is not None else write,
        )
        for child in group.children
    )


def _merge_children(
    children: tuple[Param | Group | Template, ...],
) -> tuple[Param | Group | Template, ...]:
    groups = merge(c for c in children if isinstance(c, Group))
    by_name = {g.name.lower(): g for g in groups}
    result: list[Param | Group | Template] = []
    for child in children:
        if not isinstance(child, Group):
            result.append(child)
        elif (joined := by_name.pop(child.name.lower(), None)) is not None:
            result.append(joined)
    return tuple(result)


def strip_root(name: str) -> str:
    name = name.strip()
    return name[5:] if name.lower().startswith("root.") else name


def _natural(name: str) -> tuple[str, int]:
    head = name.rstrip("0123456789")
    return head.lower(), int(name[len(head):] or 0)


class Pattern:
    """A param.cgi list pattern: dotted words, '*' standing for any one word;
    it matches every parameter at or under the names it spells."""

    def __init__(self, text: str) -> None:
        self.text = strip_root(text)
        words = self.text.split(".") if self.text else []
        if not words or any(not w for w in words):
            raise ValueError(f"bad group name {text!r}")
        self._words = [
            re.compile("[^.]*".join(re.escape(part) for part in word.lower().split("*")))
            for word in words
        ]

    def matches(self, name: str) -> bool:
        words = name.lower().split(".")
        return len(words) >= len(self._words) and all(
            w.fullmatch(word) for w, word in zip(self._words, words, strict=False)
        )
