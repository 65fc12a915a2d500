"""A static file server for the built site, optionally cross-origin isolated."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

ISOLATION_COOKIE = "plab-isolated=1"


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

    def end_headers(self) -> None:
        # Isolated for every request, or for a browser context that carries the cookie: then
        # one server (one port, so Material's instant navigation works) serves both ways.
        if self.isolated or ISOLATION_COOKIE in self.headers.get("Cookie", ""):
            # The headers GitHub Pages cannot send; with them SharedArrayBuffer exists.
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet test output
        pass


@contextlib.contextmanager
def serve(directory: Path, *, isolated: bool = False, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (at ``port``, or a free one); yield its base URL."""
    handler = type("Handler", (_Handler,), {"isolated": isolated})
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=directory)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
