"""A web server that offers firmware bundles as an update server would: GET
and HEAD with byte ranges (RAUC streams a bundle through range requests) and
a count of the bytes it sent, which is what a device downloaded.

The guest reaches the host's loopback as 10.0.2.2 (QEMU's user network).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
GUEST_HOST = "10.0.2.2"
BLOCK = 1 << 16


@dataclass
class Served:
    """What the server has sent."""

    bytes: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sent: int) -> None:
        with self.lock:
            self.bytes += sent
            self.requests += 1


class BundleServer:
    """Serves the files of `folder` on the host's loopback, on a free port."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.served = folder, Served()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> BundleServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def guest_url(self, name: str) -> str:
        """The address a QEMU guest downloads `name` from."""
        return f"http://{GUEST_HOST}:{self.httpd.server_address[1]}/{name}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the count is the record."""

            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                path = server.folder / self.path.lstrip("/").split("?")[0]
                if "/" in self.path.strip("/") or not path.is_file():
                    self.send_error(404)
                    return
                size = path.stat().st_size
                first, last, status = 0, size - 1, 200
                if wanted := self.headers.get("Range"):
                    match = RANGE.match(wanted.strip())
                    if not match or not any(match.groups()):
                        self.send_error(416)
                        return
                    start, end = match.groups()
                    if start:
                        first, last = int(start), min(int(end or size - 1), size - 1)
                    else:  # the last N bytes
                        first = max(0, size - int(end))
                    if first > last:
                        self.send_error(416)
                        return
                    status = 206
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(last - first + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
                self.end_headers()
                sent, length = 0, last - first + 1
                if body:
                    with path.open("rb") as f:
                        f.seek(first)
                        while sent < length and (chunk := f.read(min(BLOCK, length - sent))):
                            self.wfile.write(chunk)
                            sent += len(chunk)
                server.served.add(sent)

        return Handler
