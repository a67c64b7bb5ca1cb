"""A Herald device in QEMU as the update tests drive it: through its VAPIX API
and web pages on the forwarded ports, like an administrator, with the debug
shell only to look at what the administrator cannot see (RAUC's slot states,
the database behind the settings)."""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from qemu.vm import Machine, deployed_image, forwarded_ports
from tests.conftest import REPO, wait_until
from tests.update import bundles
from tests.update.firmware_cgi import CGI, upgrade_parts

TEST_IMAGE = "herald-image-test"
DEPLOY = REPO / "build" / "deploy" / "qemux86-64"
CACHE = REPO / "build" / "tmp" / "update-tests"
ROOT_PASSWORD = "Upgrade-test 1!"
BOOT_SECONDS = 600


def base_bundle() -> Path:
    """The bundle built beside the test image (its own firmware version)."""
    return DEPLOY / f"{TEST_IMAGE}-qemux86-64.raucb"


def image_version() -> str:
    conf = json.loads((DEPLOY / f"{TEST_IMAGE}-qemux86-64.qemuboot.json").read_text())
    return conf["version"]


def version_bundle(version: str) -> Path:
    """The test image's firmware as release `version`: the same root filesystem with
    the version in /etc/os-release changed (as a build with another DISTRO_VERSION
    makes it), signed into a bundle with the development key. Cached in build/."""
    base = base_bundle()
    digest = hashlib.sha256()
    with base.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    out = CACHE / f"{TEST_IMAGE}-{version}-{digest.hexdigest()[:16]}.raucb"
    if out.exists():
        return out
    work = CACHE / f"work-{version}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copyfile(base, work / "base.raucb")
    pki = bundles.dev_pki()
    shutil.copyfile(pki.ca, work / "ca.pem")
    (work / "extract.conf").write_text(
        "[system]\ncompatible=herald-qemux86-64\nbootloader=noop\n"
        "[keyring]\npath=/w/ca.pem\ncheck-purpose=codesign\n")
    bundles.tools(work, "rauc", "--conf=/w/extract.conf", "extract", "/w/base.raucb", "/w/x")
    rootfs = work / "x" / "rootfs.ext4"
    old = bundles.tools(work, "debugfs", "-R", "cat /etc/os-release", "/w/x/rootfs.ext4")
    (work / "os-release").write_text(old.replace(image_version(), version))
    bundles.tools(work, "debugfs", "-w", "-R", "rm /etc/os-release", "/w/x/rootfs.ext4")
    bundles.tools(work, "debugfs", "-w", "-R", "write /w/os-release /etc/os-release",
                  "/w/x/rootfs.ext4")
    made = bundles.bundle(work, rootfs, work / "new.raucb", version, "herald-qemux86-64", pki)
    made.replace(out)
    shutil.rmtree(work)
    return out


@dataclass
class Device:
    """One VM with its own persistent disk, reached like a device on the network."""

    machine: Machine

    @classmethod
    def create(cls, workdir: Path, drives: dict[str, Path] | None = None) -> Device:
        return cls(Machine(image=deployed_image(TEST_IMAGE), workdir=workdir, snapshot=False,
                           ports=forwarded_ports(), drives=drives or {}))

    @property
    def url(self) -> str:
        return self.machine.http_url.rstrip("/")

    def has_update_client(self) -> bool:
        """Whether the image runs Herald's boot gate and prepare step (herald-update)."""
        units = self.machine.run("systemctl cat herald-health.service "
                                 "herald-update-prepare.service 2>/dev/null").output
        return "herald-update gate" in units and "herald-update prepare" in units

    def start(self) -> float:
        """Power on; returns the seconds until the device answers on HTTP."""
        started = time.monotonic()
        self.machine.boot()
        self.machine.wait_until_up(timeout=BOOT_SECONDS)
        wait_until(self.web_answers, timeout=BOOT_SECONDS, interval=1, what="the web admin")
        return time.monotonic() - started

    def web_answers(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def vapix(self, password: str = ROOT_PASSWORD, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, auth=httpx.DigestAuth("root", password),
                            timeout=timeout)

    def rpc(self, method: str, **params: object) -> dict:
        with self.vapix() as client:
            reply = client.post(CGI, json={"apiVersion": "1.0", "method": method,
                                           "params": params})
        reply.raise_for_status()
        return reply.json()

    def set_root_password(self, password: str = ROOT_PASSWORD) -> None:
        """The first visit: the root account gets its password."""
        with httpx.Client(base_url=self.url, timeout=60) as client:
            reply = client.post("/axis-cgi/pwdgrp.cgi", data={
                "action": "add", "user": "root", "pwd": password, "grp": "root",
                "sgrp": "admin:operator:viewer:ptz"})
        assert reply.text.strip() == "Created account root.", reply.text

    def params(self, group: str) -> dict[str, str]:
        with self.vapix() as client:
            text = client.get(f"/axis-cgi/param.cgi?action=list&group={group}").text
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def set_params(self, **values: str) -> None:
        with self.vapix() as client:
            reply = client.post("/axis-cgi/param.cgi", data={"action": "update", **values})
        assert reply.text.strip() == "OK", reply.text

    def slots(self) -> dict[str, dict]:
        return self.machine.slots()

    def primary(self) -> str:
        out = self.machine.run("rauc status --output-format=shell 2>/dev/null", check=True)
        for line in out.output.splitlines():
            if line.startswith("RAUC_BOOT_PRIMARY="):
                return {"'rootfs.0'": "A", "'rootfs.1'": "B"}.get(line.split("=", 1)[1], "")
        return ""

    def wait_committed(self, slot: str, password: str = ROOT_PASSWORD,
                       timeout: float = BOOT_SECONDS) -> dict:
        """Wait until the boot gate has kept `slot`: VAPIX says committed, RAUC says good."""
        def committed() -> dict | None:
            try:
                with self.vapix(password) as client:
                    status = client.post(CGI, json={"apiVersion": "1.0", "method": "status"})
                data = status.json().get("data")
            except (httpx.HTTPError, ValueError):
                return None
            if data and data["isCommited"] and data["activeFirmwarePart"] == slot and (
                    self.slots()[slot].get("boot_status") == "good"):
                return data
            return None
        return wait_until(committed, timeout=timeout, interval=3,
                          what=f"slot {slot} booted and kept by the boot gate")

    def restarted(self, timeout: float = BOOT_SECONDS) -> float:
        """After the device restarts itself: the next power-on (QEMU ends on a guest
        reboot); returns the seconds from the restart to HTTP answers."""
        self.machine.wait_for_exit(timeout=timeout)
        return self.start()

    def upgrade_and_restart(self, bundle: Path, version: str, **params: object) -> None:
        """Upgrade to `bundle` (firmware `version`) through the API, and the restart
        into it."""
        answer = self.upgrade(bundle, **params)
        assert answer.get("data") == {"firmwareVersion": version}, answer
        self.restarted()

    def upgrade_from(self, url: str, **params: object) -> dict:
        """firmwaremanagement.cgi upgrade from a web server (Herald's params.url)."""
        with self.vapix(timeout=1800) as client:
            reply = client.post(CGI, json={"apiVersion": "1.0", "method": "upgrade",
                                           "params": {"url": url, **params}})
        reply.raise_for_status()
        return reply.json()

    def roll_back(self) -> None:
        """Roll back through the API, and the restart into the previous firmware."""
        answer = self.rpc("rollback")
        assert answer == {"apiVersion": "1.0", "method": "rollback", "data": {}}, answer
        self.restarted()

    def upgrade(self, bundle: Path, **params: object) -> dict:
        """firmwaremanagement.cgi upgrade, streamed as VAPIX documents it."""
        request = {"apiVersion": "1.0", "context": "test", "method": "upgrade", "params": params}
        head, tail, content_type = upgrade_parts(request, "HeraldUpgrade" + secrets.token_hex(6))

        def body() -> Iterator[bytes]:
            yield head
            with bundle.open("rb") as f:
                while block := f.read(1 << 20):
                    yield block
            yield tail

        length = len(head) + bundle.stat().st_size + len(tail)
        with self.vapix(timeout=1800) as client:
            # Authenticate first: a streamed body cannot be sent again after the 401.
            client.post(CGI, json={"apiVersion": "1.0", "method": "getSupportedVersions"})
            reply = client.post(CGI, content=body(), headers={
                "Content-Type": content_type, "Content-Length": str(length)})
        reply.raise_for_status()
        return reply.json()

    def settings_fingerprint(self) -> str:
        """A digest of every stored setting and account, read from the database itself."""
        script = ("import hashlib,sqlite3;"
                  "c=sqlite3.connect('file:/data/herald/db.sqlite3?mode=ro',uri=True);"
                  "assert c.execute('PRAGMA integrity_check').fetchone()[0]=='ok';"
                  "rows=c.execute('SELECT name,value FROM herald_param ORDER BY name').fetchall()"
                  "+c.execute('SELECT username,password FROM accounts_account ORDER BY 1')"
                  ".fetchall();print(hashlib.sha256(repr(rows).encode()).hexdigest())")
        return self.machine.run(f'python3 -c "{script}"', check=True).output.strip()

    def stop(self) -> None:
        self.machine.poweroff()
