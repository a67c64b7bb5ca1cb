"""Bad bundles sent to firmwaremanagement.cgi are refused with VAPIX's code
and the reason, by the real RAUC (on this host, on a private bus) and
Herald's own checks, and nothing changes: no slot, no boot order, no record,
no file left. A good bundle gets as far as RAUC's install, which this host's
kernel (no device-mapper) cannot do: that failure too changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import redis_server, wait_until
from tests.update.conftest import SmallBundles
from tests.update.firmware_cgi import CGI, multipart
from tests.update.host_rauc import HostRauc
from tests.webadmin.fixtures import set_up_accounts
from tests.webadmin.stack import HeraldStack


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HeraldStack, HostRauc]]:
    data_dir = tmp_path_factory.mktemp("device")
    rauc = HostRauc(tmp_path_factory.mktemp("rauc"), shared=(data_dir,))
    rauc.boot("A")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        stack = HeraldStack(data_dir, url, {"DBUS_SYSTEM_BUS_ADDRESS": rauc.address})
        try:
            stack.start()
            set_up_accounts(stack)
            yield stack, rauc
        finally:
            stack.stop()
            rauc.stop()


def upgrade(stack: HeraldStack, bundle: Path) -> dict:
    body, content_type = multipart({"apiVersion": "1.0", "method": "upgrade"},
                                   bundle.read_bytes())
    with stack.vapix(stack.accounts["root"]) as client:
        client.timeout = 300
        return client.post(CGI, content=body, headers={"Content-Type": content_type}).json()


@pytest.mark.parametrize(("name", "code", "reason"), [
    ("unsigned", 415, "not a complete Herald firmware bundle (Invalid bundle format"),
    ("other_key", 422, "not signed by a key this device trusts (signature verification failed"),
    ("truncated", 415, "not a complete Herald firmware bundle (Invalid bundle format"),
    ("flipped", 415, "the bundle's content is damaged"),
    ("wrong_compatible", 421, "this firmware is for 'herald-raspberrypi' devices; this device "
                              "is 'herald-qemux86-64'"),
])
def test_a_bad_bundle_is_refused_with_the_reason(device, small_bundles: SmallBundles,
                                                 name: str, code: int, reason: str):
    stack, rauc = device
    before = rauc.grubenv()
    answer = upgrade(stack, getattr(small_bundles, name))
    assert answer["error"]["code"] == code, answer
    assert reason in answer["error"]["message"], answer
    assert rauc.grubenv() == before
    update = stack.data_dir / "update"
    assert not (update / "pending.json").exists()
    assert not list((stack.data_dir / "firmware-upload").glob("*.raucb"))


def test_a_good_bundle_that_rauc_cannot_write_changes_nothing(device, small_bundles):
    stack, rauc = device
    before = rauc.grubenv()
    answer = upgrade(stack, small_bundles.good)
    assert answer["error"]["code"] == 500, answer
    assert answer["error"]["message"].startswith("installation failed: Failed mounting bundle")
    assert rauc.grubenv() == before
    wait_until(lambda: not (stack.data_dir / "update" / "pending.json").exists(),
               what="the pending record cleared")
    with stack.vapix(stack.accounts["root"]) as client:
        status = client.post(CGI, json={"apiVersion": "1.0", "method": "status"}).json()
    assert status["data"] == {"activeFirmwareVersion": "0.1.0-dev", "activeFirmwarePart": "A",
                              "isCommited": True}
