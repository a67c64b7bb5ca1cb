"""Herald reads a whole bundle against its signed root hash before RAUC writes
anything: a good bundle passes, any damaged byte is found up front."""

from __future__ import annotations

import pytest

from herald.update.verity import PayloadDamaged, check_payload
from tests.update import bundles
from tests.update.conftest import COMPATIBLE, SmallBundles


def signed_values(small_bundles: SmallBundles, path=None) -> tuple[str, str, int]:
    info = bundles.inspect(small_bundles.work, path or small_bundles.good, COMPATIBLE,
                           bundles.dev_pki())["bundle"]
    return info["verity-hash"], info["verity-salt"], info["verity-size"]


def test_a_bundle_rauc_made_passes_with_progress_to_100(small_bundles):
    seen: list[int] = []
    check_payload(small_bundles.good, *signed_values(small_bundles), progress=seen.append)
    assert seen[-1] == 100 and seen == sorted(seen)


@pytest.mark.parametrize("where", ["payload", "hash tree"])
def test_one_flipped_byte_anywhere_in_the_content_is_found(small_bundles, tmp_path, where):
    values = signed_values(small_bundles)
    size = small_bundles.good.stat().st_size
    offset = 4096 * 3 + 17 if where == "payload" else None
    if where == "hash tree":
        signature = int.from_bytes(small_bundles.good.read_bytes()[-8:], "big")
        offset = size - 8 - signature - values[2] + 40  # inside the first hash block
    damaged = bundles.flipped(small_bundles.good, tmp_path / "damaged.raucb", offset)
    with pytest.raises(PayloadDamaged, match=r"damaged|does not match"):
        check_payload(damaged, *values)


def test_a_bundle_cut_short_does_not_match_its_manifest(small_bundles):
    with pytest.raises(PayloadDamaged, match=r"size does not match|ends before"):
        check_payload(small_bundles.truncated, *signed_values(small_bundles))


def test_another_bundles_root_hash_does_not_fit(small_bundles):
    other = signed_values(small_bundles, small_bundles.wrong_compatible)
    with pytest.raises(PayloadDamaged):
        check_payload(small_bundles.good, *other)
