"""Bonjour: the avahi service file herald-system writes from the settings,
checked against the format avahi reads (avahi.service(5)): a service-group
with a name and, per service, its type, port and TXT records; and
avahi-browse finding the device through a real avahi-daemon that reads it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from herald.access import Level
from herald.discovery import avahi, contract
from herald.discovery.device import Advertised
from herald.params import ParamError
from herald.params.groups.brand import PRODUCT_NUMBER
from tests.conftest import wait_until
from tests.discovery.conftest import SERIAL, Device


def published(device: Device) -> ET.Element | None:
    path = device.avahi / avahi.FILE_NAME
    return ET.fromstring(path.read_text()) if path.exists() else None


def services(group: ET.Element) -> dict[str, tuple[str, list[str]]]:
    return {s.findtext("type"): (s.findtext("port"), [t.text for t in s.findall("txt-record")])
            for s in group.findall("service")}


def test_service_file_as_axis_devices_advertise(device: Device):
    group = published(device)
    assert group is not None and group.tag == "service-group"
    assert group.findtext("name") == f"Herald {PRODUCT_NUMBER} - {SERIAL}"  # the default
    assert services(group) == {
        "_http._tcp": ("8000", [f"macaddress={SERIAL}"]),
        "_axis-video._tcp": ("8000", [f"macaddress={SERIAL}"]),
    }


def test_rename_off_and_on_without_restart(device: Device):
    device.params.update({contract.BONJOUR_NAME: "Hall & <stairs>"}, Level.ADMIN)
    wait_until(lambda: (published(device) is not None
                        and published(device).findtext("name") == "Hall & <stairs>"),
               what="the new Bonjour name in the service file")
    device.switch(contract.BONJOUR_ENABLED, "no", bonjour=False)
    assert published(device) is None
    device.switch(contract.BONJOUR_ENABLED, "yes", bonjour=True)
    assert published(device).findtext("name") == "Hall & <stairs>"


def test_long_name_is_cut_to_one_dns_label():
    text = avahi.service_file(Advertised(SERIAL, "H1410", "1", "x"), "é" * 40)
    assert ET.fromstring(text.split("\n", 2)[2]).findtext("name") == "é" * 31


@pytest.mark.parametrize("name,value", [
    (contract.BONJOUR_ENABLED, "maybe"), (contract.UPNP_ENABLED, "2"),
    (contract.WSD_ENABLED, ""),
])
def test_bad_settings_refused_and_nothing_changed(device: Device, name: str, value: str):
    before = device.params.get(name)
    with pytest.raises(ParamError):
        device.params.update({name: value, contract.UPNP_NAME: "changed"}, Level.ADMIN)
    assert device.params.get(name) == before
    assert device.params.get(contract.UPNP_NAME) != "changed"


def browse(env: dict[str, str], kind: str) -> list[list[str]]:
    """avahi-browse's resolved entries of `kind` (parsable form: fields split by ';')."""
    done = subprocess.run(["avahi-browse", "--resolve", "--terminate", "--parsable", kind],
                          env=env, capture_output=True, text=True, timeout=30)
    return [line.split(";") for line in done.stdout.splitlines() if line.startswith("=")]


def test_avahi_browse_finds_the_device_and_loses_it_when_off(device: Device,
                                                            avahi_browse: dict[str, str]):
    name = f"Herald {PRODUCT_NUMBER} - {SERIAL}"
    for kind in avahi.SERVICE_TYPES:
        (entry,) = wait_until(lambda k=kind: browse(avahi_browse, k),
                              what=f"avahi-browse to find {kind}")
        assert entry[3].replace("\\032", " ") == name
        assert entry[7] == device.address and entry[8] == "8000"
        assert entry[9] == f'"macaddress={SERIAL}"'
    device.switch(contract.BONJOUR_ENABLED, "no", bonjour=False)
    wait_until(lambda: not browse(avahi_browse, "_axis-video._tcp"),
               what="avahi to withdraw the device")
