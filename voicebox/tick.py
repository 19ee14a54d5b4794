"""Time-driven work: counting windows, closing due petitions, thresholds, retention.

Nothing here waits for a page view, and no GET request writes to the database: a
background thread in each server process runs `count_queued` every few seconds and the
rest once a minute, and `flask --app app voicebox tick` does the same from cron or a
systemd timer. Several workers doing it at once is safe: flushes serialise in the
database, and closing is conditional on the petition still being open.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date

from flask import Flask

from voicebox import pending
from voicebox.anonymity import coarse_date
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.unit_of_work import discard, unit_of_work

log = logging.getLogger(__name__)

BACKGROUND_KEY = "voicebox.background"


def appliers(secrets: Secrets, keys: KeyStore) -> dict[str, pending.Applier]:
    """How each kind of queued action is written when its window is flushed."""
    from voicebox.concerns.followup import ANSWER, answer_applier
    from voicebox.concerns.service import POST, SUPPORT, concern_applier, support_applier
    from voicebox.petitions.counting import cosponsor_applier, signature_applier
    from voicebox.petitions.service import COSPONSOR, SIGN

    return {
        POST: concern_applier(secrets, keys),
        ANSWER: answer_applier(secrets),
        SIGN: signature_applier(secrets),
        SUPPORT: support_applier(),
        COSPONSOR: cosponsor_applier(),
    }


def count_queued(secrets: Secrets, keys: KeyStore) -> int:
    """Flush every finished counting window; returns how many actions were written.

    Counts only change here, so response thresholds crossed are recorded here too.
    """
    from voicebox.responses.thresholds import record_crossings
    from voicebox.settings import instance_settings

    session = db.session
    discard(session)  # read what other workers committed
    if not pending.anything_queued(session):
        # Nothing queued: no new window, no write at all (an idle instance stays quiet).
        pending.sweep_window_keys(session, keys)
        return 0
    with unit_of_work(session):
        pending.start_window(session, keys)
    how = appliers(secrets, keys)
    counted = 0
    # One unit per window: a window that fails to write leaves the others counted.
    for window in pending.live_windows(session, keys)[1:]:
        with unit_of_work(session):
            counted += pending.count_window(session, keys, window, how)
    pending.sweep_window_keys(session, keys)
    if counted:
        with unit_of_work(session):
            record_crossings(instance_settings().headcount, coarse_date())
    return counted


def close_due_petitions(today: date, *, secrets: Secrets, keys: KeyStore) -> int:
    """Close every open petition past its closing date, one unit each: a petition that
    fails to close is logged and left open, the others close."""
    from voicebox.petitions.closing import close_due_petition, due_petitions

    due = due_petitions(today)
    discard(db.session)
    closed = 0
    for petition in due:
        try:
            with unit_of_work(db.session):
                closed += close_due_petition(petition, today, secrets=secrets, keys=keys)
        except Exception:
            log.exception("voicebox: closing a petition past its closing date failed; retrying next tick")
    return closed


@dataclass(frozen=True)
class TickSummary:
    counted: int
    closed_petitions: int
    thresholds_crossed: int
    keys_destroyed: int
    purged: int

    def as_lines(self) -> list[str]:
        return [
            f"Counted {self.counted} queued signatures, supports and concerns.",
            f"Closed {self.closed_petitions} petitions past their closing date.",
            f"Recorded {self.thresholds_crossed} response thresholds crossed.",
            f"Destroyed {self.keys_destroyed} keys left by interrupted closes.",
            f"Purged {self.purged} items past the retention period.",
        ]


def run_tick(secrets: Secrets, keys: KeyStore, today: date) -> TickSummary:
    """Everything that happens because time passed, in a safe order."""
    from voicebox.petitions.closing import destroy_orphaned_keys
    from voicebox.responses.thresholds import record_crossings
    from voicebox.retention import purge_expired
    from voicebox.settings import instance_settings

    counted = count_queued(secrets, keys)
    closed = close_due_petitions(today, secrets=secrets, keys=keys)
    with unit_of_work(db.session):
        crossed = record_crossings(instance_settings().headcount, today)
    destroyed = destroy_orphaned_keys(keys)
    with unit_of_work(db.session):
        purged = purge_expired(db.session, today, quiet_when_empty=True).total
    return TickSummary(counted, closed, crossed, destroyed, purged)


def _loop(app: Flask, stop: threading.Event, interval: float, tick_every: int) -> None:
    rounds = 0
    while not stop.wait(interval):
        try:
            with app.app_context():
                secrets = app.extensions["voicebox.secrets"]
                keys = app.extensions["voicebox.keys"]
                if rounds % tick_every == 0:
                    run_tick(secrets, keys, coarse_date())
                else:
                    count_queued(secrets, keys)
                db.session.remove()
        except Exception:  # the thread must outlive a database outage
            log.exception("voicebox: background counting failed; retrying")
        rounds += 1


def ensure_background(app: Flask) -> None:
    """Start this process's background thread once (after any fork, on first use)."""
    state = app.extensions.get(BACKGROUND_KEY)
    if state is None or state["thread"] is not None:
        return
    with state["lock"]:
        if state["thread"] is not None:
            return
        interval = float(app.config["COUNT_INTERVAL_SECONDS"])
        tick_every = max(1, round(60 / interval))
        thread = threading.Thread(
            target=_loop, args=(app, state["stop"], interval, tick_every), name="voicebox-tick", daemon=True
        )
        state["thread"] = thread
        thread.start()


def init_background(app: Flask) -> None:
    """Arrange for the background thread to start with the first request this process serves."""
    if not app.config.get("BACKGROUND_TICK", True):
        return
    app.extensions[BACKGROUND_KEY] = {"thread": None, "lock": threading.Lock(), "stop": threading.Event()}
    app.before_request(lambda: ensure_background(app))
