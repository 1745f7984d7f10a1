"""A local HTTP server on 127.0.0.1 for download tests: real files, HTTP errors, truncated bodies, slow drips.

The first path segment chooses the behaviour, the rest names a file in the served folder:

* ``/files/NAME``       the file, with its Content-Length;
* ``/status/CODE/NAME`` an empty answer with HTTP status CODE (404, 500, 503 …);
* ``/truncated/NAME``   the full Content-Length announced, half the bytes sent, then the connection closed;
* ``/unannounced/NAME`` half the bytes, no Content-Length, then the connection closed (looks complete);
* ``/drip/NAME``        the full Content-Length announced, one byte every 0.2 s, closed after 15 s;
* ``/trickle/NAME``     256 bytes every 0.05 s (about 5 kB/s) until done;
* ``/silent/NAME``      nothing at all for 5 s, then the connection closed.

``requests`` counts every request by its path, so a test can tell that nothing was asked.
"""

from __future__ import annotations

import collections
import contextlib
import http.server
import threading
import time
from pathlib import Path


class _Handler(http.server.BaseHTTPRequestHandler):
    served: Path
    requests: collections.Counter

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # the name http.server dispatches GET requests to
        path = self.path.split("?", 1)[0]
        self.requests[path] += 1
        kind, _, rest = path.lstrip("/").partition("/")
        if kind == "silent":
            time.sleep(5.0)
            self.close_connection = True
            return
        if kind == "status":
            code, _, _name = rest.partition("/")
            self.send_response(int(code))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = self.served / rest
        if not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if kind != "unannounced":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            getattr(self, f"_send_{kind}", self._send_files)(body)

    def _send_files(self, body: bytes) -> None:
        self.wfile.write(body)

    def _send_truncated(self, body: bytes) -> None:
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _send_unannounced(self, body: bytes) -> None:
        self._send_truncated(body)

    def _send_drip(self, body: bytes) -> None:
        stop = time.monotonic() + 15.0
        for index in range(len(body)):
            if time.monotonic() > stop:
                break
            self.wfile.write(body[index:index + 1])
            self.wfile.flush()
            time.sleep(0.2)
        self.close_connection = True

    def _send_trickle(self, body: bytes) -> None:
        for start in range(0, len(body), 256):
            self.wfile.write(body[start:start + 256])
            self.wfile.flush()
            time.sleep(0.05)


class LocalServer:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a background thread; use as a context manager."""

    def __init__(self, folder: Path):
        handler = type("Handler", (_Handler,), {"served": Path(folder), "requests": collections.Counter()})
        self.requests = handler.requests
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
