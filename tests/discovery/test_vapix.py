"""The discovery settings through VAPIX's param.cgi, as AXIS tools set them:
listed, switched (herald-system's discovery follows), bad values refused."""

from __future__ import annotations

from herald.discovery import contract
from tests.conftest import wait_until
from tests.webadmin.stack import HeraldStack

CGI = "/axis-cgi/param.cgi"


def wsd_on(herald: HeraldStack) -> bool:
    return contract.DiscoveryStatus.from_dict(herald.bus().state()[contract.STATUS]).ws_discovery


def test_param_cgi_switches_discovery_and_refuses_bad_values(herald: HeraldStack) -> None:
    with herald.vapix(herald.accounts["admin"]) as client:
        listed = client.get(CGI, params={"action": "list", "group": "WebService"}).text
        assert f"root.{contract.WSD_ENABLED}=yes" in listed.splitlines()

        refused = client.post(CGI, data={"action": "update", contract.WSD_ENABLED: "maybe"})
        assert refused.text.startswith(f"# Error: Error setting '{contract.WSD_ENABLED}'")
        assert wsd_on(herald)

        try:
            done = client.post(CGI, data={"action": "update",
                                          f"root.{contract.WSD_ENABLED}": "no"})
            assert done.text == "OK\n"
            wait_until(lambda: not wsd_on(herald),
                       what="discovery to stop WS-Discovery")
        finally:
            client.post(CGI, data={"action": "update", contract.WSD_ENABLED: "yes"})
        wait_until(lambda: wsd_on(herald),
                   what="discovery to answer WS-Discovery again")
