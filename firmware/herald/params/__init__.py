"""The device's typed parameter tree (the "plain config") and its store.

Definitions (`tree`, `types`) say what exists; `store` keeps the values in
the device database and announces changes on the bus. No Django here: the
core services use this package as the web admin does.

A service adds its settings by giving a module `herald.<service>.params` a
list `GROUPS` of `Group`s; `default_tree()` finds it. A group of the same name
as an existing one is joined to it (Properties.Audio beside Properties.System).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import herald
from herald.params import groups as own_groups
from herald.params.store import GroupError, Listing, ParamError, ParamStore, Snapshot
from herald.params.tree import Definition, Group, Param, Pattern, Resolved, Template, Tree

__all__ = [
    "Definition", "Group", "GroupError", "Listing", "Param", "ParamError", "ParamStore",
    "Pattern", "Resolved", "Snapshot", "Template", "Tree", "default_tree", "group_modules",
]


def group_modules() -> list[str]:
    """Modules that define parameter groups: ours, then each service's."""
    names = [f"{own_groups.__name__}.{m.name}" for m in pkgutil.iter_modules(own_groups.__path__)]
    for package in pkgutil.iter_modules(herald.__path__):
        if package.ispkg and package.name != "params":
            candidate = f"herald.{package.name}.params"
            if importlib.util.find_spec(candidate) is not None:
                names.append(candidate)
    return names


@cache
def default_tree() -> Tree:
    groups: list[Group] = []
    for name in group_modules():
        groups.extend(importlib.import_module(name).GROUPS)
    return Tree(groups)
