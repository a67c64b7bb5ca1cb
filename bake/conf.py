"""Build the configuration datastore the way BitBake's cooker does.

Order: the permitted environment, conf/bblayers.conf of the build directory
(TOPDIR), each layer's conf/layer.conf with LAYERDIR set (and expanded in
place), the layer checks (LAYERDEPENDS_*, LAYERSERIES_COMPAT_*), then
conf/bitbake.conf found on BBPATH (which pulls in local.conf, machine and
distro configuration itself), then the classes `base` and INHERIT.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from bake import bb
from bake.data import DataStore
from bake.errors import BakeError
from bake.statements import Context, eval_file, inherit

# Environment variables BitBake always lets into the datastore, and the subset it exports.
PRESERVED_ENV = ("BBPATH", "BB_PRESERVE_ENV", "BB_ENV_PASSTHROUGH",
                 "BB_ENV_PASSTHROUGH_ADDITIONS", "BBSERVER")
EXPORTED_ENV = ("HOME", "LOGNAME", "PATH", "PWD", "SHELL", "USER", "LC_ALL")


@dataclass
class Config:
    """The parsed configuration and the files it was read from."""

    data: DataStore
    topdir: str
    layers: list[str]
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def find_topdir(start: str) -> str:
    """The build directory: the nearest directory upwards with conf/bblayers.conf."""
    path = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(path, "conf", "bblayers.conf")):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            raise BakeError("Unable to find conf/bblayers.conf: run bitbake in a build directory "
                            "(for example through `kas build` or after sourcing oe-init-build-env)")
        path = parent


def permitted_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment variables allowed into the datastore (BB_ENV_PASSTHROUGH*)."""
    if environ.get("BB_PRESERVE_ENV"):
        return dict(environ)
    if "BB_ENV_PASSTHROUGH" in environ:
        allowed = set(environ["BB_ENV_PASSTHROUGH"].split())
    else:
        allowed = set(PRESERVED_ENV) | set(EXPORTED_ENV)
    allowed |= set(environ.get("BB_ENV_PASSTHROUGH_ADDITIONS", "").split())
    allowed |= set(environ.get("BB_ENV_EXTRAWHITE", "").split())
    return {k: v for k, v in environ.items() if k in allowed}


def load(topdir: str, environ: dict[str, str], track_history: bool = False) -> Config:
    """Parse the whole configuration of build directory `topdir`."""
    d = DataStore()
    if track_history:
        d.history = {}
    env = permitted_env(environ)
    for key, value in sorted(env.items()):
        d.setVar(key, value, op="from env")
        if key in EXPORTED_ENV:
            d.setVarFlag(key, "export", "1")
    d.setVar("TOPDIR", topdir, op="build directory")
    ctx = Context(classtype="global")
    eval_file(os.path.join(topdir, "conf", "bblayers.conf"), d, ctx)
    if not d.getVar("BB_CACHEDIR"):
        d.setVar("BB_CACHEDIR", "${TOPDIR}/cache", op="default")
    layers = _load_layers(d, ctx)
    _check_collections(d)
    bitbake_conf = _find_on_bbpath("conf/bitbake.conf", d, ctx)
    if bitbake_conf is None:
        raise BakeError("Unable to find conf/bitbake.conf in BBPATH "
                        f"({d.getVar('BBPATH')}): a layer must provide it")
    eval_file(bitbake_conf, d, ctx)
    for var, what in (("BBMULTICONFIG", "multiconfig builds"),
                      ("BBFILES_DYNAMIC", "layer-dependent BBFILES")):
        if (d.getVar(var) or "").strip():
            raise BakeError(f"{var} is set but {what} are not supported by this engine")
    for name in ["base", *(d.getVar("INHERIT") or "").split()]:
        inherit(name, d, ctx, bitbake_conf, 0)
    d.setVar("BBINCLUDED", " ".join(ctx.included()), op="configuration files")
    return Config(d, topdir, layers, ctx.files, ctx.missing, env)


def signature_warnings(d: DataStore) -> list[str]:
    """Exported variables that differ from run to run but are not left out of signatures.

    kas gives every run a new HOME, so an exported HOME that is not in
    BB_BASEHASH_IGNORE_VARS would make every shell task run again each time.
    """
    ignored = set((d.getVar("BB_BASEHASH_IGNORE_VARS") or "").split())
    return [f"{var} is exported to tasks but not in BB_BASEHASH_IGNORE_VARS: its value "
            "changes between runs, so every shell task would run again each time"
            for var in ("HOME", "PWD", "SHELL", "LOGNAME", "USER", "LC_ALL")
            if d.getVarFlag(var, "export", False) and var not in ignored
            and d.getVar(var) is not None]


def _find_on_bbpath(name: str, d: DataStore, ctx: Context) -> str | None:
    for p in (d.getVar("BBPATH") or "").split(":"):
        if not p:
            continue
        path = os.path.join(p, name)
        if os.path.isfile(path):
            return os.path.normpath(path)
        ctx.checked.append((path, False))
    return None


def _load_layers(d: DataStore, ctx: Context) -> list[str]:
    layers = []
    for entry in (d.getVar("BBLAYERS") or "").split():
        layer = os.path.normpath(entry)
        if not os.path.isdir(layer):
            raise BakeError(f"Layer directory '{layer}' does not exist: check BBLAYERS in "
                            "conf/bblayers.conf")
        conf = os.path.join(layer, "conf", "layer.conf")
        if not os.path.isfile(conf):
            raise BakeError(f"{layer} is not a layer: it has no conf/layer.conf")
        d.setVar("LAYERDIR", layer, op="layer")
        d.setVar("LAYERDIR_RE", re.escape(layer), op="layer")
        eval_file(conf, d, ctx)
        d.expandVarref("LAYERDIR")
        d.expandVarref("LAYERDIR_RE")
        layers.append(layer)
    d.delVar("LAYERDIR")
    d.delVar("LAYERDIR_RE")
    return layers


_LAYERDEP_RE = re.compile(r"([^\s(]+)(?:\s*\(\s*(>=|<=|=|>|<)?\s*([^\s)]+)\s*\))?")


def _check_collections(d: DataStore) -> None:
    """LAYERDEPENDS_* must name present layers; LAYERSERIES_COMPAT_* must fit the core.

    As in BitBake, a layer that declares compatible series needs a core layer
    (LAYERSERIES_CORENAMES) and one that declares none only gets a warning.
    """
    collections = (d.getVar("BBFILE_COLLECTIONS") or "").split()
    for c in collections:
        if d.getVar(f"BBFILE_PATTERN_{c}") is None:
            raise BakeError(f"BBFILE_PATTERN_{c} is not set for layer collection {c}")
        d.getInt(f"BBFILE_PRIORITY_{c}", 0)
        for name, op, version in _LAYERDEP_RE.findall(d.getVar(f"LAYERDEPENDS_{c}") or ""):
            if name not in collections:
                raise BakeError(f"Layer '{c}' depends on layer '{name}', but this layer is not "
                                "enabled in your configuration")
            if op or version:
                have = d.getInt(f"LAYERVERSION_{name}", -1)
                if not version.isdigit():
                    raise BakeError(f"LAYERDEPENDS_{c}: version '{version}' of '{name}' is not "
                                    "an integer")
                if have < 0 or not _version_ok(have, op or "=", int(version)):
                    raise BakeError(f"Layer '{c}' depends on version {op or '='}{version} of "
                                    f"layer '{name}', which has version {have}")
    cores = set((d.getVar("LAYERSERIES_CORENAMES") or "").split())
    for c in collections:
        compat = d.getVar(f"LAYERSERIES_COMPAT_{c}")
        if not compat:
            bb.warn(f"Layer {c} should set LAYERSERIES_COMPAT_{c} in its conf/layer.conf to the "
                    "core layer series it works with")
            continue
        if not cores:
            raise BakeError(f"No core layer found to work with layer '{c}': no layer sets "
                            "LAYERSERIES_CORENAMES")
        if not cores & set(compat.split()):
            raise BakeError(f"Layer {c} is not compatible with the core layer which only "
                            f"supports these series: {' '.join(sorted(cores))} (layer is "
                            f"compatible with {compat})")


def _version_ok(have: int, op: str, want: int) -> bool:
    return {"=": have == want, ">=": have >= want, "<=": have <= want, ">": have > want,
            "<": have < want}[op]

