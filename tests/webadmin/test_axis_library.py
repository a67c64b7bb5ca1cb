"""The `axis` library from PyPI (Home Assistant's Axis integration uses it)
connects to Herald and reads what it reads from an Axis device."""

from __future__ import annotations

import asyncio

from axis.models.pwdgrp_cgi import SecondaryGroup

from tests.webadmin.axis_client import connect


def test_the_axis_library_reads_identity_and_parameters(herald):
    serial = (herald.data_dir / "identity" / "serial").read_text().strip()
    device = asyncio.run(connect(herald.http_url, herald.accounts["admin"]))
    vapix = device.vapix
    assert vapix.api_discovery.initialized
    assert {"basic-device-info", "param-cgi", "user-management"} <= set(vapix.api_discovery)
    assert vapix.basic_device_info.initialized
    assert vapix.serial_number == serial
    assert vapix.product_number == "H1410"
    assert vapix.product_type == "Network Speaker"
    assert vapix.firmware_version == "0.1.0-dev"
    properties = vapix.params.property_handler["0"]
    assert properties.system_serial_number == serial
    assert properties.api_http_version == 3
    assert {"root", "admin1", "operator1", "viewer1"} <= set(vapix.users)
    assert "" not in vapix.users
    assert vapix.access_rights is SecondaryGroup.ADMIN


def test_over_https_with_a_viewer_it_falls_back_to_parameters(herald):
    serial = (herald.data_dir / "identity" / "serial").read_text().strip()
    device = asyncio.run(connect(herald.https_url, herald.accounts["viewer"], "https"))
    vapix = device.vapix
    # A viewer may not call getAllProperties: the library reads the brand
    # from param.cgi instead, as it does on Axis devices.
    assert not vapix.basic_device_info.initialized
    assert vapix.params.brand_handler.initialized
    assert vapix.serial_number == serial
    assert vapix.product_number == "H1410"
    assert vapix.access_rights is SecondaryGroup.VIEWER  # from usergroup.cgi


def test_applications_the_library_lists_are_none(herald):
    """No ACAP: list.cgi answers an empty list (GET or POST, as a viewer CGI), and
    Properties offers no EmbeddedDevelopment, so the library does not ask at setup."""
    async def setup_then_list() -> tuple[bool, dict]:
        device = await connect(herald.http_url, herald.accounts["viewer"])
        applications = device.vapix.applications
        return applications.supported, await applications.list_applications()

    assert asyncio.run(setup_then_list()) == (False, {})
    with herald.vapix(herald.accounts["viewer"]) as viewer:
        reply = viewer.get("/axis-cgi/applications/list.cgi")
        assert reply.headers["content-type"].startswith("text/xml")
        assert reply.text.strip() == '<reply result="ok"></reply>'
    with herald.vapix() as anonymous:
        assert anonymous.post("/axis-cgi/applications/list.cgi").status_code == 401
