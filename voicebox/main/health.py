"""What /healthz checks: the database always, other dependencies as they plug themselves in.

A dependency registers a check with `register_health_check(app, name, check)`; the check
returns nothing when healthy and raises when not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
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


def install_default_checks(app: Flask) -> None:
    # Rate-limit storage is reported beside the checks, not as one: when Redis is lost,
    # limits carry on in memory per worker, so it is degraded service, not an outage.
    register_health_check(app, "database", _database)


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
