"""Production server settings: `gunicorn -c gunicorn.conf.py app:app`.

Every setting can be changed by the environment, so one file serves every deployment:

  VOICEBOX_BIND      address to listen on (default 127.0.0.1:8000; keep it on loopback
                     behind a TLS reverse proxy)
  VOICEBOX_WORKERS   worker processes (default WEB_CONCURRENCY, else 2 x cores + 1)
  VOICEBOX_THREADS   threads per worker (default 1: plain sync workers)
  VOICEBOX_PUBLIC_URL  the address members use, for the one-time set-up link

Access logs stay off (A4): a request log is a list of who came from which address when.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("VOICEBOX_BIND", "127.0.0.1:8000")
workers = _whole_number(
    "VOICEBOX_WORKERS", _whole_number("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
)
threads = _whole_number("VOICEBOX_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# Load the app once in the master: migrations run there, once, before any worker starts,
# and workers share the loaded code copy-on-write.
preload_app = True

accesslog = None
errorlog = "-"
loglevel = os.environ.get("VOICEBOX_LOG_LEVEL", "info")
proc_name = "voicebox"

timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow a worker without bound.
max_requests = 20_000
max_requests_jitter = 2_000
# The proxy on this host sets X-Forwarded-Proto; trust it from loopback only.
forwarded_allow_ips = "127.0.0.1,::1"
# gunicorn's control socket is one path per user: two instances on a host would fight
# over it, and voicebox needs none of its commands.
control_socket_disable = True


def _is_voicebox(app: Any) -> bool:
    # The benchmark serves its baseline app with this same file; the hooks skip it.
    return "voicebox.secrets" in getattr(app, "extensions", {})


def _dispose_engines(app: Any) -> None:
    from voicebox.extensions import db

    if not _is_voicebox(app):
        return
    with app.app_context():
        for engine in db.engines.values():
            # close=False: leave the parent's sockets alone; just never reuse them here.
            engine.dispose(close=False)


def when_ready(server: Any) -> None:
    """In the master, once listening: print the set-up link while no admin exists."""
    from voicebox.startup import announce_setup_link

    app = server.app.wsgi()
    if _is_voicebox(app):
        public_url = os.environ.get("VOICEBOX_PUBLIC_URL") or f"http://{bind}"
        announce_setup_link(app, public_url)
    _dispose_engines(app)


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connections; inherited ones are dropped unused."""
    _dispose_engines(server.app.wsgi())
