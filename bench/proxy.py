"""A small reverse proxy for the benchmarks: forwards to one upstream and sets
X-Forwarded-For to the peer's address, as nginx's `proxy_set_header X-Forwarded-For
$remote_addr` would. Pure Python, loopback only, never used in production."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"}


def _handler(upstream_host: str, upstream_port: int) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            # Replace, never append: whatever a client claims is not ours to pass on.
            headers["X-Forwarded-For"] = self.client_address[0]
            headers["X-Forwarded-Proto"] = "http"
            upstream = http.client.HTTPConnection(upstream_host, upstream_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
            except OSError:
                self.send_error(502)
                return
            finally:
                upstream.close()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _forward
        do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass  # no access log (A4)

    return Forward


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 resets connections when 32 browsers arrive at once.
    request_queue_size = 256
    daemon_threads = True


def serve(upstream_url: str, port: int) -> None:
    """Serve until killed."""
    host, upstream_port = upstream_url.removeprefix("http://").split(":")
    server = _Server(("127.0.0.1", port), _handler(host, int(upstream_port)))
    server.serve_forever()


@contextmanager
def reverse_proxy(upstream_url: str) -> Iterator[str]:
    """Run the proxy as its own process on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, upstream_url, str(port)])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
