"""A whole Herald stack for tests: herald-web (HTTP and HTTPS on free ports),
herald-updater, herald-system and herald-worker (herald-core when asked), started as the
device starts them, against a given Redis and a data directory of their own.

Other test areas use it through the fixtures in tests/webadmin/fixtures.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from herald.audio import contract as audio
from herald.bus import PING, Bus, BusError
from herald.system import contract as system
from herald.update import contract as update
from herald_web.contract import WORKER
from tests.conftest import REPO, wait_until

SERVING = re.compile(r"herald-web: serving (https?)://localhost:(\d+)/")


@dataclass
class Account:
    name: str
    password: str
    role: str


@dataclass
class HeraldStack:
    data_dir: Path
    redis_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    http_url: str = ""
    https_url: str = ""
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)

    @property
    def out_dir(self) -> Path:
        """Where the processes' output goes: beside the data directory, which a
        factory default empties."""
        path = self.data_dir.with_name(self.data_dir.name + "-out")
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def env(self) -> dict[str, str]:
        path = os.pathsep.join([str(REPO / "firmware"), str(REPO / "webadmin")])
        return {
            **os.environ,
            "PYTHONPATH": path + (os.pathsep + os.environ["PYTHONPATH"]
                                  if os.environ.get("PYTHONPATH") else ""),
            "HERALD_MODE": "development",
            "HERALD_DATA_DIR": str(self.data_dir),
            "REDIS_URL": self.redis_url,
            "DJANGO_SETTINGS_MODULE": "herald_web.settings",
            "HERALD_HTTP_PORT": "0",
            "HERALD_HTTPS_PORT": "0",
            **self.extra_env,
        }

    def spawn(self, name: str, module: str) -> subprocess.Popen:
        path = self.out_dir / f"{name}.out"
        self.offsets[name] = path.stat().st_size if path.exists() else 0
        log = path.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", module], env=self.env, stdout=log, stderr=subprocess.STDOUT,
            cwd=self.data_dir,
        )
        self.processes[name] = process
        return process

    def output(self, name: str) -> str:
        """What the latest `name` process wrote to stdout and stderr."""
        with (self.out_dir / f"{name}.out").open("rb") as f:
            f.seek(self.offsets.get(name, 0))
            return f.read().decode(errors="replace")

    def start(self, worker: bool = True) -> HeraldStack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.start_web()
        self.start_updater()
        self.start_system()
        if worker:
            self.start_worker()
        return self

    def start_web(self) -> None:
        web = self.spawn("web", "herald_web.web")

        def serving() -> dict[str, str]:
            if web.poll() is not None:
                raise AssertionError(f"herald-web exited:\n{self.output('web')[-3000:]}")
            found = dict(SERVING.findall(self.output("web")))
            return found if len(found) == 2 else {}

        ports = wait_until(serving, timeout=60, what="herald-web to listen")
        self.http_url = f"http://127.0.0.1:{ports['http']}"
        self.https_url = f"https://127.0.0.1:{ports['https']}"

    def start_worker(self) -> None:
        worker = self.spawn("worker", "herald_web.worker")
        bus = Bus(self.redis_url)

        def ready() -> bool:
            if worker.poll() is not None:
                raise AssertionError(f"herald-worker exited:\n{self.output('worker')[-3000:]}")
            return (bus.state().get(WORKER) or {}).get("pid") == worker.pid

        wait_until(ready, timeout=60, what="herald-worker to be ready")

    def start_core(self) -> None:
        """herald-core (in development mode it simulates its own sound card)."""
        self._start_service("core", "herald.core", audio.SERVICE)

    def start_updater(self) -> None:
        """herald-updater (without a RAUC to talk to, it refuses upgrades as unavailable)."""
        self._start_service("updater", "herald.update", update.SERVICE)

    def start_system(self) -> None:
        """herald-system (restarts run the stack's HERALD_REBOOT_COMMAND, if any)."""
        self._start_service("system", "herald.system", system.SERVICE)

    def _start_service(self, name: str, module: str, service: str) -> None:
        process = self.spawn(name, module)
        bus = Bus(self.redis_url)

        def answers() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{module} exited:\n{self.output(name)[-3000:]}")
            try:
                return bus.call(service, PING, timeout=1).get("ok") is True
            except BusError:
                return False

        wait_until(answers, timeout=60, what=f"{module} to answer")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError(f"{name} did not stop on SIGTERM") from None
        self.processes.clear()

    # -- clients ---------------------------------------------------------

    def vapix(self, account: Account | None = None, https: bool = False,
              basic: bool = False) -> httpx.Client:
        """An HTTP client as VAPIX clients are: Digest (or Basic) per request."""
        auth: httpx.Auth | None = None
        if account is not None:
            auth = (httpx.BasicAuth if basic else httpx.DigestAuth)(account.name, account.password)
        return httpx.Client(base_url=self.https_url if https else self.http_url, auth=auth,
                            verify=False, timeout=30)

    @contextmanager
    def browser(self, account: Account | None = None) -> Iterator[httpx.Client]:
        """An HTTP client as a browser is: a session cookie after logging in."""
        with httpx.Client(base_url=self.http_url, timeout=30) as client:
            if account is not None:
                login(client, account)
            yield client

    def bus(self) -> Bus:
        return Bus(self.redis_url)


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    page.raise_for_status()
    match = CSRF_FIELD.search(page.text)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def post_form(client: httpx.Client, path: str, data: dict[str, str],
              token_from: str | None = None) -> httpx.Response:
    token = form_token(client, token_from or path)
    return client.post(path, data={"csrfmiddlewaretoken": token, **data})


def login(client: httpx.Client, account: Account) -> None:
    reply = post_form(client, "/login/", {"username": account.name, "password": account.password})
    assert reply.status_code == 302, f"login as {account.name} failed: {reply.status_code}"
    assert "sessionid" in client.cookies
