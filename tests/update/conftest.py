"""Fixtures of the update tests: bundles made by the build's own RAUC."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.update import bundles
from tests.update.story import CHAPTER_REPORTS

COMPATIBLE = "herald-qemux86-64"


@dataclass(frozen=True)
class SmallBundles:
    """A good small bundle and every kind of bad one, made once per session."""

    work: Path
    good: Path
    other_key: Path
    unsigned: Path
    truncated: Path
    flipped: Path
    wrong_compatible: Path


@pytest.fixture(scope="session")
def small_bundles(tmp_path_factory: pytest.TempPathFactory) -> SmallBundles:
    work = tmp_path_factory.mktemp("bundles")
    pki = bundles.dev_pki()
    rootfs = bundles.small_rootfs(work, "9.9.0")
    good = bundles.bundle(work, rootfs, work / "good.raucb", "9.9.0", COMPATIBLE, pki)
    return SmallBundles(
        work, good,
        other_key=bundles.bundle(work, rootfs, work / "other-key.raucb", "9.9.0", COMPATIBLE,
                                 bundles.other_pki(work / "other-pki")),
        unsigned=bundles.unsigned(work, rootfs, work / "unsigned.raucb"),
        truncated=bundles.truncated(good, work / "truncated.raucb"),
        flipped=bundles.flipped(good, work / "flipped.raucb"),
        wrong_compatible=bundles.bundle(work, rootfs, work / "wrong-compatible.raucb", "9.9.0",
                                        "herald-raspberrypi", pki),
    )



@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    item.stash.setdefault(CHAPTER_REPORTS, {})[report.when] = report
    return report
