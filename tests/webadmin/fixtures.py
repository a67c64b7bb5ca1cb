"""Fixtures that run the real web stack (herald-web and herald-worker) for
tests, in every test area: tests/conftest.py loads this module as a plugin.
(Imported into two conftest files they would be two fixtures, and the two
session stacks on the one session Redis took each other's Celery tasks.)

`herald` (session): one stack on the session's `redis_url`, with the root
password set and one account of each role in `herald.accounts`
("root", "admin", "operator", "viewer"). Tests share it: leave it as found.
`fresh_herald`: a device straight from the factory (no root password), with
its own Redis, for tests that reset or set up the device; `herald_factory`
starts such devices with extra environment: `herald_factory({"X": "1"})`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from herald.events import contract as events
from tests.conftest import redis_server
from tests.webadmin.stack import Account, HeraldStack

HeraldFactory = Callable[..., HeraldStack]
ROOT = Account("root", "Root-pass-1", "admin")
ROLE_ACCOUNTS = (
    Account("admin1", "Admin pass 1!", "admin"),
    Account("operator1", "Operator-pass-1", "operator"),
    Account("viewer1", "Viewer-pass-1", "viewer"),
)
SGRP = {"admin": "admin:operator:viewer:ptz", "operator": "operator:viewer", "viewer": "viewer"}


def set_up_accounts(stack: HeraldStack) -> None:
    """Root by the initial pwdgrp.cgi call, then one account per role."""
    with stack.vapix() as client:
        reply = client.post("/axis-cgi/pwdgrp.cgi", data={
            "action": "add", "user": ROOT.name, "pwd": ROOT.password, "grp": "root",
            "sgrp": SGRP["admin"]})
        assert reply.text.strip() == "Created account root.", reply.text
    stack.accounts["root"] = ROOT
    with stack.vapix(ROOT) as client:
        for account in ROLE_ACCOUNTS:
            reply = client.post("/axis-cgi/pwdgrp.cgi", data={
                "action": "add", "user": account.name, "pwd": account.password, "grp": "users",
                "sgrp": SGRP[account.role]})
            assert reply.text.strip() == f"Created account {account.name}.", reply.text
            stack.accounts[account.role] = account


@pytest.fixture(scope="session")
def herald(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[HeraldStack]:
    stack = HeraldStack(tmp_path_factory.mktemp("herald"), redis_url)
    try:
        stack.start()
        stack.start_core()
        set_up_accounts(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def herald_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldFactory]:
    """Start factory-new devices, each with its own Redis: `herald_factory(env)`."""
    with ExitStack() as cleanup:
        def start(extra_env: dict[str, str] | None = None) -> HeraldStack:
            url = cleanup.enter_context(redis_server(tmp_path_factory.mktemp("redis")))
            stack = HeraldStack(tmp_path_factory.mktemp("fresh"), url, extra_env or {})
            cleanup.callback(stack.stop)
            return stack.start()
        yield start


@pytest.fixture
def fresh_herald(herald_factory: HeraldFactory) -> HeraldStack:
    return herald_factory()


@pytest.fixture
def kept(herald) -> Iterator[None]:
    """Remove the rules, actions, recipients and schedules a test made on the
    shared device, also when it fails half-way."""
    yield
    ask = herald.bus().call
    for rule in ask(events.SERVICE, events.LIST_RULES)["rules"]:
        ask(events.SERVICE, events.REMOVE_RULE, rule_id=rule["id"])
    for action in ask(events.SERVICE, events.LIST_ACTIONS)["actions"]:
        ask(events.SERVICE, events.REMOVE_ACTION, action_id=action["id"])
    for recipient in ask(events.SERVICE, events.LIST_RECIPIENTS)["recipients"]:
        ask(events.SERVICE, events.REMOVE_RECIPIENT, recipient_id=recipient["id"])
    for schedule in ask(events.SERVICE, events.LIST_SCHEDULES)["schedules"]:
        if not schedule["builtin"]:
            ask(events.SERVICE, events.REMOVE_SCHEDULE, schedule_id=schedule["id"])
    ask(events.SERVICE, events.SET_MANUAL_TRIGGER, active=False)
