"""What /healthz checks: the database always, other dependencies as they plug themselves in.

A dependency registers a check with `register_health_check(app, name, check)`; the check
returns nothing when healthy and raises when not. The rate-limit storage registers one
here when it is not the in-memory default; its owner may replace it under the same name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from limits.storage import Storage, storage_from_string
from sqlalchemy import text

from voicebox.extensions import db

log = logging.getLogger(__name__)

HealthCheck = Callable[[], None]
_KEY = "voicebox.health_checks"


def register_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    """Add (or replace) the check reported as `name` by /healthz."""
    app.extensions.setdefault(_KEY, {})[name] = check


def _database() -> None:
    # A connection of its own, not the request's session: a failed check leaves nothing
    # behind for the rest of the request, and the connect/statement timeouts bound it.
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _storage_check(uri: str) -> HealthCheck:
    # A client of its own for the storage the limiter is configured with (built lazily, on
    # the first check), so the check works the same whether or not limits are enforced.
    storage: list[Storage] = []

    def check() -> None:
        if not storage:
            storage.append(storage_from_string(uri))
        if not storage[0].check():
            raise ConnectionError("the rate-limit storage did not answer")

    return check


def install_default_checks(app: Flask) -> None:
    register_health_check(app, "database", _database)
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not uri.startswith("memory://"):
        register_health_check(app, "rate_limit_storage", _storage_check(uri))


def run_health_checks(app: Flask) -> dict[str, str]:
    """Each dependency's state: "ok", or "unavailable" (the cause goes to the log only)."""
    results: dict[str, str] = {}
    for name, check in app.extensions.get(_KEY, {}).items():
        try:
            check()
        except Exception as exc:  # any failure means unhealthy, never a 500
            log.warning("health check %s failed: %s", name, type(exc).__name__)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    return results
