"""The shared state cache: task outputs archived under the task's signature.

A task declares what it produces in one of two ways:

* `[sstate-outputs]`: files or directories the task creates (and owns);
* `[sstate-inputdirs]` with `[sstate-outputdirs]` (OpenEmbedded style): the
  task fills private directories, whose contents are then installed into the
  matching shared directories (a deploy dir, an apt repository); a manifest
  records the installed files so a rerun or a clean removes them again.

After the task succeeds its outputs are packed into
`${SSTATE_DIR}/<hh>/sstate:<pn>:<pv>:<pr>:<task>:<hash>.tar.zst` with its
sigdata beside it (`.siginfo`). When a later build needs that task with the
same signature, the archive is unpacked in place instead of running the task.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from bake.errors import BakeError

SUFFIX = ".tar.zst"


@dataclass
class Spec:
    """What a task hands to the cache: owned outputs and (input, output) dir pairs."""

    outputs: list[str]
    pairs: list[tuple[str, str]]

    @classmethod
    def from_flags(cls, flags: dict[str, str]) -> Spec:
        """Read the (expanded) sstate flags of a task."""
        inputs = flags.get("sstate-inputdirs", "").split()
        outputs = flags.get("sstate-outputdirs", "").split()
        if len(inputs) != len(outputs):
            raise BakeError("[sstate-inputdirs] and [sstate-outputdirs] must list the same "
                            f"number of directories ({len(inputs)} and {len(outputs)})")
        return cls(flags.get("sstate-outputs", "").split(), list(zip(inputs, outputs,
                                                                     strict=True)))

    def __bool__(self) -> bool:
        return bool(self.outputs or self.pairs)


def archive_path(sstate_dir: str, pn: str, pv: str, pr: str, task: str, taskhash: str) -> str:
    """Where the outputs of `task` with signature `taskhash` are archived."""
    name = f"sstate:{pn}:{pv}:{pr}:{task}:{taskhash}{SUFFIX}"
    return os.path.join(sstate_dir, taskhash[:2], name)


def exists(path: str) -> bool:
    """Whether an archive for this signature is in the cache."""
    return os.path.isfile(path)


def parse_mirrors(value: str) -> list[tuple[re.Pattern[str], str]]:
    """SSTATE_MIRRORS: pairs of a regular expression and a `file://.../PATH` location."""
    words = value.replace("\\n", " ").split()
    if len(words) % 2:
        raise BakeError(f"SSTATE_MIRRORS must be pairs of a pattern and a URL: '{value}'")
    pairs = []
    for pattern, url in zip(words[::2], words[1::2], strict=True):
        if not url.startswith("file://"):
            raise BakeError(f"SSTATE_MIRRORS entry '{url}': only file:// mirrors are supported")
        try:
            pairs.append((re.compile(pattern), url))
        except re.error as exc:
            raise BakeError(f"SSTATE_MIRRORS pattern '{pattern}' is invalid: {exc}") from exc
    return pairs


def mirror_path(rel: str, mirrors: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The first mirror holding archive `rel` (relative to SSTATE_DIR), if any."""
    for pattern, url in mirrors:
        if pattern.match("file://" + rel):
            path = url[len("file://"):].replace("PATH", rel)
            if os.path.isfile(path):
                return path
    return None


def fetch(mirror: str, path: str) -> None:
    """Copy an archive (and its .siginfo) from a mirror into the local cache, atomically."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for src, dst in ((mirror + ".siginfo", path + ".siginfo"), (mirror, path)):
        if os.path.exists(src):
            tmp = f"{dst}.tmp.{os.getpid()}"
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)


def remove_path(path: str) -> None:
    """Remove a file, link or directory tree if it exists."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def uninstall(manifest: str, spec: Spec) -> None:
    """Remove the files a previous run or restore installed into shared directories.

    The manifest names them relative to their output directory (so a build
    directory can be moved or copied without its manifests pointing elsewhere).
    """
    try:
        with open(manifest, encoding="utf-8") as f:
            files = json.load(f)
    except (OSError, ValueError):
        return
    for index, rel in files:
        if index < len(spec.pairs):
            path = os.path.join(spec.pairs[index][1], rel)
            if os.path.lexists(path) and not os.path.isdir(path):
                os.unlink(path)
    os.unlink(manifest)


def _write_manifest(manifest: str, files: list[tuple[int, str]]) -> None:
    os.makedirs(os.path.dirname(manifest), exist_ok=True)
    with open(manifest + ".tmp", "w", encoding="utf-8") as f:
        json.dump(sorted(files), f, indent=0)
    os.replace(manifest + ".tmp", manifest)


def install(spec: Spec, manifest: str) -> None:
    """Copy each input dir's contents into its output dir, recording what was installed."""
    uninstall(manifest, spec)
    installed = []
    for index, (src, dst) in enumerate(spec.pairs):
        for root, _dirs, files in os.walk(src):
            rel_dir = os.path.relpath(root, src)
            os.makedirs(os.path.join(dst, rel_dir), exist_ok=True)
            for name in files:
                rel = os.path.normpath(os.path.join(rel_dir, name))
                target = os.path.join(dst, rel)
                remove_path(target)
                shutil.copy2(os.path.join(root, name), target, follow_symlinks=False)
                installed.append((index, rel))
    _write_manifest(manifest, installed)


# GNU tar keeps what a root file system needs: sparse files, hard links, device
# nodes, extended attributes (file capabilities) and ACLs, with numeric owners.
_TAR = ["tar", "--sparse", "--xattrs", "--xattrs-include=*", "--acls", "--numeric-owner",
        "--quoting-style=literal"]
_SEP = "\x01"  # never in a path: the separator of tar's --transform expressions


def _bre(text: str) -> str:
    """`text` as a literal in a basic regular expression."""
    return "".join("\\" + c if c in "\\.*[]^$" else c for c in text)


def _rename(old: str, new: str) -> str:
    """A tar --transform renaming the member `old` (and what is below it) to `new`.

    Symbolic link targets are left alone (flag S); hard link targets follow.
    """
    new = new.replace("\\", "\\\\").replace("&", "\\&")
    return f"--transform=s{_SEP}^{_bre(old)}\\(/\\|$\\){_SEP}{new}\\1{_SEP}S"


def _members(spec: Spec) -> list[tuple[str, str]]:
    """(archive name, path) of every output: `o<i>` owned outputs, `i<j>` input dirs."""
    return [(f"o{i}", p) for i, p in enumerate(spec.outputs)] + \
        [(f"i{j}", src) for j, (src, _dst) in enumerate(spec.pairs)]


def _tar(args: list[str], what: str) -> str:
    result = subprocess.run(_TAR + args, capture_output=True, text=True, check=False)
    if result.returncode:
        raise BakeError(f"tar failed {what} (exit code {result.returncode}): "
                        f"{result.stderr.strip()}")
    return result.stdout


def create(path: str, spec: Spec, siginfo: dict[str, Any]) -> None:
    """Archive the task's outputs (atomically: readers never see a partial archive)."""
    members = _members(spec)
    missing = [p for _, p in members if not os.path.lexists(p)]
    if missing:
        raise BakeError("the task did not create the sstate outputs it declares: "
                        + " ".join(missing))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    rel = [(name, os.path.abspath(p).lstrip("/")) for name, p in members]
    _tar(["--create", "--file", tmp, "--use-compress-program", "zstd -q -T0 -3", "-C", "/",
          *[_rename(r, name) for name, r in rel], "--", *[r for _, r in rel]],
         f"writing {tmp}")
    with open(f"{path}.siginfo.tmp", "w", encoding="utf-8") as f:
        json.dump(siginfo, f, indent=1, sort_keys=True)
    os.replace(f"{path}.siginfo.tmp", f"{path}.siginfo")
    os.replace(tmp, path)


def restore(path: str, spec: Spec, manifest: str) -> None:
    """Replace the task's outputs with the archived ones."""
    for out in spec.outputs:
        remove_path(out)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    uninstall(manifest, spec)
    targets = [(f"o{i}", p) for i, p in enumerate(spec.outputs)] + \
        [(f"i{j}", dst) for j, (_src, dst) in enumerate(spec.pairs)]
    for _, target in targets:
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    listing = _tar(["--extract", "--verbose", "--file", path, "--use-compress-program",
                    "zstd -q -d", "-C", "/",
                    *[_rename(name, os.path.abspath(t).lstrip("/")) for name, t in targets]],
                   f"restoring {path}")
    if spec.pairs:
        installed = []
        for line in listing.splitlines():
            root, _, rest = line.partition("/")
            if root.startswith("i") and rest and not rest.endswith("/"):
                installed.append((int(root[1:]), os.path.normpath(rest)))
        _write_manifest(manifest, installed)


def remove(sstate_dir: str, pn: str) -> list[str]:
    """Delete the archives of recipe `pn` (-c cleansstate); returns their names."""
    removed: list[str] = []
    if not os.path.isdir(sstate_dir):
        return removed
    prefix = f"sstate:{pn}:"
    for sub in sorted(os.listdir(sstate_dir)):
        subdir = os.path.join(sstate_dir, sub)
        if not os.path.isdir(subdir):
            continue
        for name in sorted(os.listdir(subdir)):
            if name.startswith(prefix):
                os.unlink(os.path.join(subdir, name))
                removed.append(name)
    return removed
