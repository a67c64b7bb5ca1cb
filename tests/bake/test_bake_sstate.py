"""The sstate archive: what goes in comes back out, as a root file system needs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bake import sstate
from bake.errors import BakeError


def tree(root: Path) -> None:
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "conf").write_text("x=1\n")
    os.link(root / "etc" / "conf", root / "etc" / "conf.hardlink")
    (root / "etc" / "abs-link").symlink_to("/usr/lib/os-release")
    (root / "etc" / "rel-link").symlink_to("conf")
    with open(root / "disk.img", "wb") as f:
        f.truncate(64 << 20)  # a sparse 64 MiB disk image
    (root / "tool").write_text("#!/bin/sh\n")
    (root / "tool").chmod(0o4755)


def test_outputs_round_trip_with_links_modes_and_sparse_files(tmp_path: Path) -> None:
    out = tmp_path / "work & [odd].dir" / "rootfs"
    tree(out)
    also = tmp_path / "work & [odd].dir" / "rootfs-extra"  # shares a prefix with `out`
    also.write_text("extra\n")
    spec = sstate.Spec([str(out), str(also)], [])
    archive = str(tmp_path / "cache" / "ab" / "sstate:x:1:r0:do_x:ab.tar.zst")
    sstate.create(archive, spec, {"taskhash": "ab"})
    assert sstate.exists(archive) and os.path.exists(archive + ".siginfo")
    (out / "etc" / "conf").write_text("changed\n")
    also.unlink()
    sstate.restore(archive, spec, str(tmp_path / "manifest"))
    assert (out / "etc" / "conf").read_text() == "x=1\n"
    assert os.stat(out / "etc" / "conf").st_ino == os.stat(out / "etc" / "conf.hardlink").st_ino
    assert os.readlink(out / "etc" / "abs-link") == "/usr/lib/os-release"
    assert os.readlink(out / "etc" / "rel-link") == "conf"
    assert (out / "tool").stat().st_mode & 0o7777 == 0o4755
    assert (out / "disk.img").stat().st_size == 64 << 20
    assert (out / "disk.img").stat().st_blocks * 512 < 1 << 20
    assert also.read_text() == "extra\n"


def test_input_dirs_are_installed_into_shared_output_dirs_with_a_manifest(tmp_path: Path) -> None:
    src, shared = tmp_path / "deploy-debs", tmp_path / "repo"
    src.mkdir()
    (src / "a_1.0_all.deb").write_text("deb")
    shared.mkdir()
    (shared / "other_2.0_all.deb").write_text("from another recipe")
    spec = sstate.Spec([], [(str(src), str(shared))])
    manifest = str(tmp_path / "stamps" / "a.do_deploy_deb.sstate.manifest")
    archive = str(tmp_path / "cache" / "cd.tar.zst")
    sstate.create(archive, spec, {})
    sstate.install(spec, manifest)
    assert sorted(p.name for p in shared.iterdir()) == ["a_1.0_all.deb", "other_2.0_all.deb"]
    (src / "a_1.0_all.deb").rename(src / "a_1.1_all.deb")
    sstate.install(spec, manifest)  # a rerun replaces what the last run installed
    assert sorted(p.name for p in shared.iterdir()) == ["a_1.1_all.deb", "other_2.0_all.deb"]
    sstate.restore(archive, spec, manifest)  # back to the archived version
    assert sorted(p.name for p in shared.iterdir()) == ["a_1.0_all.deb", "other_2.0_all.deb"]
    sstate.uninstall(manifest, spec)
    assert [p.name for p in shared.iterdir()] == ["other_2.0_all.deb"]


def test_missing_declared_output_is_an_error(tmp_path: Path) -> None:
    spec = sstate.Spec([str(tmp_path / "never-made")], [])
    with pytest.raises(BakeError, match="did not create the sstate outputs it declares"):
        sstate.create(str(tmp_path / "x.tar.zst"), spec, {})
    assert not (tmp_path / "x.tar.zst").exists()


def test_corrupt_archive_is_an_error(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar.zst"
    archive.write_bytes(b"\x28\xb5\x2f\xfd garbage")
    with pytest.raises(BakeError, match="tar failed restoring"):
        sstate.restore(str(archive), sstate.Spec([str(tmp_path / "out")], []), str(tmp_path / "m"))


def test_mirrors_must_be_file_urls(tmp_path: Path) -> None:
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "sstate:x.tar.zst").write_text("")
    mirrors = sstate.parse_mirrors(f"file://.* file://{tmp_path}/PATH")
    assert sstate.mirror_path("ab/sstate:x.tar.zst", mirrors) == f"{tmp_path}/ab/sstate:x.tar.zst"
    assert sstate.mirror_path("cd/none.tar.zst", mirrors) is None
    with pytest.raises(BakeError, match="only file:// mirrors"):
        sstate.parse_mirrors("file://.* http://mirror/PATH")
    with pytest.raises(BakeError, match="pairs"):
        sstate.parse_mirrors("file://.*")
