"""The bus's names live in the services' contract modules, nowhere else: a key
typed out a second time is a key that can drift (the Status page once read a
state nothing published). Reads the source of the firmware and the web admin."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

SOURCES = [REPO / "firmware", REPO / "webadmin"]
BUS_METHODS = {"call", "serve", "set_state", "publish", "subscribe", "listen"}
# Bus names are lower-case dotted words: not a version ("1.3") nor a parameter ("Audio.X").
BUS_NAME = re.compile(r"[a-z][\w-]*(\.[\w*-]*)+")


def contract_modules() -> list[Path]:
    return sorted(p for top in SOURCES for p in top.rglob("contract.py"))


def keys_of(path: Path) -> set[str]:
    """The dotted names (bus topics, state keys, patterns) a contract module defines."""
    top = next(top for top in SOURCES if path.is_relative_to(top))
    module = importlib.import_module(".".join(path.relative_to(top).with_suffix("").parts))
    values = [v for name, v in vars(module).items() if name.isupper()]
    values += [item for v in values if isinstance(v, dict) for item in v.values()]
    return {v for v in values if isinstance(v, str) and BUS_NAME.fullmatch(v)}


def sources() -> Iterator[Path]:
    contracts = set(contract_modules())
    for top in SOURCES:
        yield from (p for p in sorted(top.rglob("*.py")) if p not in contracts)


def literal_keys(source: str, keys: set[str], calls: bool = True) -> Iterator[str]:
    """Each place in `source` that spells a bus name out instead of importing it:
    a contract's key, or (with `calls`) any string or f-string handed to a bus method."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in keys:
            yield f"{node.lineno}: {node.value!r}"
        elif (calls and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in BUS_METHODS and node.args
              and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
              and isinstance(getattr(node.args[0], "value", ""), str)):
            yield f"{node.lineno}: {ast.unparse(node.args[0])} given to .{node.func.attr}()"


@pytest.fixture(scope="module")
def keys() -> set[str]:
    found = set().union(*(keys_of(p) for p in contract_modules()))
    assert {"update.status", "audio.level.input", "params.changed"} <= found
    return found


def test_bus_names_are_written_only_in_their_contract_module(keys: set[str]) -> None:
    spelled_out = [f"{path.relative_to(REPO)}:{hit}" for path in sources()
                   for hit in literal_keys(path.read_text(), keys)]
    assert not spelled_out, "import these from the service's contract module:\n" + "\n".join(
        spelled_out)


def test_tests_take_the_bus_names_from_the_contracts_too(keys: set[str]) -> None:
    """Tests may invent names of their own on the bus (a test service), not
    copy the product's."""
    tests = sorted(p for p in (REPO / "tests").rglob("*.py") if p != Path(__file__))
    spelled_out = [f"{path.relative_to(REPO)}:{hit}" for path in tests
                   for hit in literal_keys(path.read_text(), keys, calls=False)]
    assert not spelled_out, "import these from the service's contract module:\n" + "\n".join(
        spelled_out)


def test_the_check_finds_a_spelled_out_name(keys: set[str]) -> None:
    """The scan above is only worth its silence if it would speak."""
    page = ('state = bus.state().get("update.autorollback")\n'
            'bus.set_state(f"audio.{kind}.started", True)\n'
            'bus.call(SERVICE, "x")\n'
            'bus.call("update", CONFIRM)\n')
    assert sorted(literal_keys(page, keys)) == [
        "1: 'update.autorollback'",
        "2: f'audio.{kind}.started' given to .set_state()",
        "4: 'update' given to .call()"]


# What the web admin may take from the firmware: each service's contract (its
# bus names and payloads), the bus itself, and the shared pieces every
# process uses (roles, environment, the parameter store and its types, the
# device's identity, the system log's setup, the memory limit, the record of
# a reset its data owners share, the audio link's client side, the time zone
# the Time settings give, telling systemd a process is ready, the remote
# syslog servers as stored).
SHARED = {"herald.bus", "herald.payload", "herald.access", "herald.environment", "herald.params",
          "herald.params.types", "herald.system.identity", "herald.system.logs", "herald.memory",
          "herald.system.reset_record", "herald.audio.link", "herald.timezone",
          "herald.systemd_notify", "herald.system.syslog_settings"}
# Service internals the web admin still reaches into until their work moves
# behind the service. Each one that goes must leave this list too: the test
# below says so. It is empty: keep it so.
NOT_YET_BEHIND_A_SERVICE: set[str] = set()


def herald_imports(source: str) -> set[str]:
    """The herald modules `source` imports (a name imported from a package
    counts as its submodule when it is one)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("herald."):
            package = importlib.util.find_spec(node.module).submodule_search_locations
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if package and importlib.util.find_spec(name) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("herald."))
    return found


def allowed(module: str) -> bool:
    return module.endswith(".contract") or module in SHARED


def test_the_web_admin_uses_services_through_their_contracts() -> None:
    used: dict[str, list[str]] = {}
    for path in sorted((REPO / "webadmin").rglob("*.py")):
        for module in herald_imports(path.read_text()):
            used.setdefault(module, []).append(str(path.relative_to(REPO)))
    internals = {m: paths for m, paths in used.items()
                 if not allowed(m) and m not in NOT_YET_BEHIND_A_SERVICE}
    assert not internals, "the web admin reaches into a service; call it over the bus:\n" + (
        "\n".join(f"{m}: {', '.join(paths)}" for m, paths in sorted(internals.items())))
    moved = NOT_YET_BEHIND_A_SERVICE - used.keys()
    assert not moved, f"no longer imported by the web admin, take off the list: {sorted(moved)}"


def test_the_boundary_check_finds_an_internal_import() -> None:
    page = ("from herald.update.gate import Gate\n"
            "from herald.update import contract, gate\n"
            "from herald.audio import contract as audio\n")
    assert {m for m in herald_imports(page) if not allowed(m)} == {"herald.update.gate"}
