"""Servers for browser tests of forms on other sites: the app served as in production (static
files through whitenoise, with its CORS header for the widget's script), and landing pages on
other origins (other ports on 127.0.0.1)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test.testcases import LiveServerThread


class _ThroughTheApp:
    """Static files answered by the app's own middleware (whitenoise), not by a test handler:
    the widget's script needs whitenoise's Access-Control-Allow-Origin for its integrity check."""

    def __init__(self, application):
        # Unwrap LiveServerThread's media handler too: with no MEDIA_URL it would answer every
        # path from the working directory, static files included, with no CORS header.
        self.application = getattr(application, "application", application)

    def __call__(self, environ, start_response):
        return self.application(environ, start_response)


@contextmanager
def app_server() -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a free port); yield its URL."""
    thread = LiveServerThread("127.0.0.1", static_handler=_ThroughTheApp)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


@dataclass
class HostSite:
    """A landing page on another origin: serves the HTML it is given at every path."""

    url: str = ""
    html: str = "<!DOCTYPE html><title>empty</title>"
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def host_site() -> Iterator[HostSite]:
    site = HostSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in site.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
