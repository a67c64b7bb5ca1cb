"""Version order, the bundle policy an administrator meets on upload, and
what an upgrade request may ask for."""

import pytest

from herald.update.contract import BAD_REQUEST, UpdateRefused
from herald.update.policy import Firmware, UpgradeRequest, check_bundle, upgrade_request
from herald.update.version import Version

RUNNING = Firmware("herald-qemux86-64", Version.parse("1.4.0"))


def test_versions_follow_semver_precedence() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0",
               "2.0.0"]
    parsed = [Version.parse(v) for v in ordered]
    assert sorted(reversed(parsed)) == parsed
    assert [str(v) for v in parsed] == ordered
    assert Version.parse("1.2.3+build.7") == Version.parse("1.2.3")
    assert str(Version.parse("1.2.3+build.7")) == "1.2.3+build.7"


@pytest.mark.parametrize("text", ["", "1.2", "1.2.3.4", "01.2.3", "v1.2.3", "1.2.3-", "1.2.3-01",
                                  "1.2.3+", "1.2.x", "1.2.3 extra"])
def test_malformed_versions_are_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"MAJOR\.MINOR\.PATCH"):
        Version.parse(text)


def test_upgrade_downgrade_and_reinstall_above_the_floor_are_accepted() -> None:
    for version in ["1.5.0", "1.4.0", "1.3.9"]:
        check_bundle(Firmware("herald-qemux86-64", Version.parse(version)), RUNNING,
                     floor=Version.parse("1.3.0"))


def test_bundle_for_another_device_is_refused() -> None:
    other = Firmware("herald-raspberrypi", Version.parse("1.5.0"))
    with pytest.raises(UpdateRefused, match="for 'herald-raspberrypi' devices; this device "
                                            "is 'herald-qemux86-64'"):
        check_bundle(other, RUNNING, floor=None)


def test_bundle_below_the_floor_is_refused_even_if_signed() -> None:
    old = Firmware("herald-qemux86-64", Version.parse("1.3.0-rc.2"))
    with pytest.raises(UpdateRefused, match=r"1\.3\.0-rc\.2 is older than 1\.3\.0"):
        check_bundle(old, RUNNING, floor=Version.parse("1.3.0"))


def test_an_upgrade_request_is_the_type_and_for_autorollback_the_time_to_confirm() -> None:
    assert upgrade_request("standard", "ignored") == UpgradeRequest("standard", 0)
    assert upgrade_request("factory-default") == UpgradeRequest("factory-default", 0)
    assert upgrade_request("autorollback", 1) == UpgradeRequest("autorollback", 60)
    assert upgrade_request("autorollback", 2.5) == UpgradeRequest("autorollback", 150)
    assert upgrade_request("autorollback", 1440) == UpgradeRequest("autorollback", 86400)


@pytest.mark.parametrize(("kind", "minutes", "words"), [
    ("upgrade", 5, "the upgrade type must be one of standard, factory-default, autorollback"),
    (None, 5, "the upgrade type must be one of"),
    ("autorollback", 0.5, "the time to confirm must be 1 to 1440 minutes, not 0.5"),
    ("autorollback", 1441, "the time to confirm must be 1 to 1440 minutes"),
    ("autorollback", "10", "not '10'"),
    ("autorollback", True, "not True"),
    ("autorollback", None, "not None"),
])
def test_a_request_the_device_does_not_offer_is_refused_saying_why(kind, minutes, words) -> None:
    with pytest.raises(UpdateRefused, match=words) as refused:
        upgrade_request(kind, minutes)
    assert refused.value.reason == BAD_REQUEST
