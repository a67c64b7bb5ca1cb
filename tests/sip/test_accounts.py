"""PBX accounts: herald-sip registers each with its registrar (a test
registrar asking for digest credentials) and says per account whether it is
registered or why not; the peer-to-peer account stays as it is."""

from __future__ import annotations

import pytest

from herald.access import Level
from herald.bus import CallFailed
from herald.params import GroupError
from herald.sip import contract
from tests.conftest import wait_until
from tests.sip.netns import ADDRESS
from tests.sip.registrar import REGISTRAR_PORT


def add_account(device, **fields: str) -> str:
    values = {"Name": "Front desk", "UserID": "1001", "Registrar": ADDRESS,
              "RegistrarPort": str(REGISTRAR_PORT), **fields}
    return device.params.add("sipaccount", contract.ACCOUNTS, {
        f"{contract.ACCOUNTS}.A.{name}": value for name, value in values.items()}, Level.ADMIN)


def account(device, name: str) -> contract.AccountStatus | None:
    status = device.status()
    return next((a for a in status.accounts if a.name == name), None) if status else None


def test_an_account_registers_with_its_registrar(start_device, registrar):
    device = start_device()
    add_account(device, Password="s3cret-Pass", CallerID="Lobby speaker")
    registered = wait_until(lambda: (a := account(device, "Front desk")) and
                            a.registration == contract.REGISTERED and a,
                            what="the account to register")
    assert registered.uri == f"sip:1001@{ADDRESS}:{REGISTRAR_PORT}"
    # Its contact is the device's SIP port, for the registration interval.
    contact = registrar.contacts["1001"]
    assert f"@{ADDRESS}:5060>" in contact and contact.endswith(";expires=900")
    peer_to_peer = account(device, contract.PEER_TO_PEER_ACCOUNT)
    assert peer_to_peer.registration == contract.PEER_TO_PEER


def test_a_wrong_password_is_said_per_account(start_device, registrar):
    device = start_device()
    add_account(device, Password="not-the-one")
    failed = wait_until(lambda: (a := account(device, "Front desk")) and
                        a.registration == contract.FAILED and a,
                        what="the account's registration to fail")
    assert "403" in failed.reason
    assert "1001" not in registrar.contacts
    assert device.status().running


@pytest.mark.parametrize(("field", "value"), [("Password", 'a";b'), ("Registrar", "no host!"),
                                              ("Transport", "sctp"), ("UserID", "a b")])
def test_a_bad_account_is_refused_naming_the_field(start_device, field, value):
    device = start_device()
    with pytest.raises(GroupError, match=rf"SIP\.Account\.A0\.{field}: "):
        add_account(device, **{field: value})
    assert not [i for i in device.params.snapshot().instances
                if i.startswith(contract.ACCOUNTS)]


def test_a_call_goes_out_from_the_account_asked_for(start_device, registrar, peer):
    device = start_device()
    add_account(device, Password="s3cret-Pass", CallerID="Lobby speaker")
    wait_until(lambda: (a := account(device, "Front desk")) and
               a.registration == contract.REGISTERED, what="the account to register")
    with pytest.raises(CallFailed, match="account: no SIP account named 'Back door'"):
        device.call(contract.DIAL, uri=peer.uri, account="Back door")
    device.call(contract.DIAL, uri=peer.uri, account="Front desk")
    incoming = peer.wait_event("CALL_INCOMING")
    assert incoming["peeruri"] == f"sip:1001@{ADDRESS}:{REGISTRAR_PORT}"
    calling = device.calls.wait_for(contract.CALLING)
    assert calling.account == incoming["peeruri"]
    device.call(contract.HANGUP)
    device.calls.wait_for(contract.TERMINATED)
    wait_until(lambda: device.calls.states()[-1] == contract.IDLE, what="the line free")
    peer.events.clear()
    device.call(contract.DIAL, uri=peer.uri)  # the default: the peer-to-peer account
    assert peer.wait_event("CALL_INCOMING")["peeruri"].startswith("sip:herald@")
