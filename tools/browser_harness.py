"""What puts the built site in front of Debian's Chromium, for the browser tests and the
benchmarks alike: a local static host (gzip as GitHub Pages sends it, and optionally the
COOP/COEP headers Pages cannot send), a free port, and the browser's path and flags."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import re
import socket
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, ClassVar

CHROMIUM = "/usr/bin/chromium"  # Debian's; `playwright install` cannot download here
# Headless on this machine: no sandbox or GPU, and no traffic of the browser's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A browser context that sends this cookie gets COOP/COEP from a server that otherwise does
# not: one server (one port, so Material's instant navigation works) serves both ways.
ISOLATION_COOKIE = "plab-isolated=1"
# In a page: whether every same-origin file it loaded is in a cache (the service worker's,
# or the Python worker's for the core's big files, which the service worker does not store
# twice), so the page can be reopened offline. The offline test and benchmark wait on it.
ALL_KEPT = """async () => {
  const urls = [location.href.split("#")[0],
    ...performance.getEntriesByType("resource").map((e) => e.name)
      .filter((u) => u.startsWith(location.origin))];
  for (const url of urls) if (!(await caches.match(url))) return false;
  return true;
}"""
# What a static host compresses: text, scripts, data and WebAssembly; not images or zips.
_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|wasm|xml)|image/svg\+xml)")


class _Handler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".whl": "application/zip",
    }
    isolated = False
    compress = False
    max_age: int | None = None
    sent: list[tuple[str, int]] | None = None
    compressed: ClassVar[dict[Path, bytes]] = {}  # compressed once, shared by every request
    lock = threading.Lock()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"  # else the base class redirects to the slash
        ctype = self.guess_type(str(path))
        wants = self.compress and "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and _COMPRESSIBLE.match(ctype)):
            return super().send_head()
        with self.lock:
            if path not in self.compressed:
                self.compressed[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        body = self.compressed[path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        if self.max_age is not None:
            self.send_header("Cache-Control", f"max-age={self.max_age}")
        if self.isolated or ISOLATION_COOKIE in self.headers.get("Cookie", ""):
            # The headers GitHub Pages cannot send; with them SharedArrayBuffer exists.
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:
        if self.sent is None:
            super().copyfile(source, outputfile)
            return
        data = source.read()
        self.sent.append((self.path, len(data)))
        outputfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A 304 sends no body (copyfile never runs): counted as 0 bytes, but counted.
        if self.sent is not None and code == HTTPStatus.NOT_MODIFIED:
            self.sent.append((self.path, 0))

    def log_message(self, format: str, *args: object) -> None:  # quiet output
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that hangs up mid-file (a worker stopped, a download stalled on purpose)
        # is no fault of the server's: the base class would print its traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(
    directory: Path,
    *,
    port: int = 0,
    isolated: bool = False,
    compress: bool = False,
    max_age: int | None = None,
    sent: list[tuple[str, int]] | None = None,
) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (at ``port``, or a free one); yield its base URL.
    ``compress``: gzip when the browser accepts it; ``max_age``: a Cache-Control header
    (GitHub Pages sends 600); ``isolated``: COOP/COEP on every response; ``sent``: a list
    that gets (path, body bytes as sent; 0 for a 304) for every response, whoever asked (a page, a
    worker, a service worker)."""
    options = {"isolated": isolated, "compress": compress, "max_age": max_age, "sent": sent}
    handler = type("Handler", (_Handler,), options)
    server = _Server(("127.0.0.1", port), functools.partial(handler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
