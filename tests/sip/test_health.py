"""/healthz asks herald-sip while SIP is on: the update health gate and
monitoring notice a herald-sip that stopped answering."""

from __future__ import annotations

from herald.access import Level
from herald.params import ParamStore
from herald.sip import contract
from tests.webadmin.stack import HeraldStack


def test_healthz_asks_herald_sip_while_sip_is_on(herald: HeraldStack,
                                                 beside_stack: ParamStore) -> None:
    with herald.vapix() as client:
        reply = client.get("/healthz")
        assert reply.status_code == 200, reply.text
        assert reply.json()["sip"] is True
        herald.processes["sip"].terminate()
        herald.processes["sip"].wait(timeout=15)
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json()["sip"] is False
        assert reply.json()["error"] == "not answering: sip"
        beside_stack.update({contract.ENABLED: "no"}, Level.ADMIN)
        reply = client.get("/healthz")
        assert reply.status_code == 200, reply.text
        assert reply.json()["sip"] is True
