"""Many members signing one petition at the same moment, through several gunicorn worker
processes on loopback, on both engines: every signature counts exactly once, a member
double-submitting from two tabs gets exactly one, and nothing fails with "database is
locked" (SQLite runs WAL with a busy timeout, see voicebox._sqlite_pragmas)."""

from __future__ import annotations

import http.client
import threading
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from bench.harness import MemberSession, create_member_sessions, gunicorn_server
from tests.support import both_engines, count_queued_now
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import PendingAction, Petition, PetitionDayTally, Signature
from voicebox.petitions import drafts, service
from voicebox.petitions.views import THANKS_COOKIE
from voicebox.unit_of_work import unit_of_work

pytestmark = [both_engines, pytest.mark.slow]

WORKERS = 3
SIGNERS = 24
DOUBLE_SUBMITTERS = 8
SIGNED = "Thank you for signing."


@pytest.fixture
def instance(tmp_path, empty_database_url):
    """A migrated instance with one open petition, and the environment to serve it."""
    folder = tmp_path / "instance"
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "AUTO_MIGRATE": True,
            "BACKGROUND_TICK": False,
        }
    )
    with app.app_context():
        with unit_of_work(db.session):
            petition = service.start_petition(
                "author-id",
                "Stop the keylogger",
                "Please.",
                100_000,
                coarse_date() + timedelta(days=9),
                keys=app.extensions["voicebox.keys"],
                today=coarse_date(),
            )
        with unit_of_work(db.session):
            drafts.open_petition(
                petition.id, cosponsors_needed=0, actor_role="organizer", today=coarse_date()
            )
        petition_id = petition.id
    env = {
        "VOICEBOX_INSTANCE_PATH": str(folder),
        "DATABASE_URL": empty_database_url,
        "VOICEBOX_RATELIMIT": "0",  # every request comes from 127.0.0.1
        # No background counting in the workers: the test counts the queue itself, after
        # checking that the requests only queued.
        "VOICEBOX_BACKGROUND": "0",
    }
    yield app, petition_id, env
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sign(
    base_url: str, petition_id: str, member: MemberSession, start: threading.Barrier
) -> tuple[int, dict[str, str]]:
    """POST the sign form as this member's browser tab would; returns status and the cookies set."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    body = urlencode({"csrf_token": member.csrf_token, "display_name": "", "comment": ""})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={member.cookie}"}
    start.wait()
    connection.request("POST", f"/petitions/{petition_id}/sign", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    cookies = [c.split(";", 1)[0].split("=", 1) for c in response.msg.get_all("Set-Cookie") or []]
    connection.close()
    return response.status, dict(cookies)


def _sign_all_at_once(
    base_url: str, petition_id: str, tabs: list[MemberSession]
) -> list[tuple[int, dict[str, str]]]:
    results: list[tuple[int, dict[str, str]] | None] = [None] * len(tabs)
    start = threading.Barrier(len(tabs))

    def run(index: int) -> None:
        results[index] = _sign(base_url, petition_id, tabs[index], start)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


def _counts(app, petition_id: str) -> tuple[int, int, int]:
    with app.app_context():
        tally = db.session.get(Petition, petition_id).signature_count
        rows = db.session.scalar(select(func.count()).where(Signature.petition_id == petition_id))
        days = db.session.scalar(
            select(func.sum(PetitionDayTally.signatures)).where(PetitionDayTally.petition_id == petition_id)
        )
        return tally, rows, days or 0


def _count_queue(app) -> tuple[int, int]:
    """Flush the counting windows as the background thread would; returns (queued before, counted)."""
    with app.app_context():
        queued = db.session.scalar(select(func.count()).select_from(PendingAction))
        db.session.remove()
    return queued, count_queued_now(app)


def _flashes(app, cookies: dict[str, str]) -> list[str]:
    """What the petition page will say: a refusal is flashed in the (rewritten) session, the
    thanks rides on a cookie of its own (voicebox.petitions.views)."""
    cookie = cookies.get("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie) if cookie else {}
    said = [message for _category, message in session.get("_flashes", [])]
    return said + ([SIGNED] if cookies.get(THANKS_COOKIE) == "1" else [])


def test_members_signing_at_once_from_several_workers_are_each_counted_once(instance, tmp_path):
    app, petition_id, env = instance
    members = create_member_sessions(app, SIGNERS)
    with gunicorn_server("app:app", env, workers=WORKERS, log_dir=tmp_path) as server:
        results = _sign_all_at_once(server.url, petition_id, members)
        log = server.log()
    assert [status for status, _ in results] == [302] * SIGNERS
    for _status, cookie in results:
        assert _flashes(app, cookie) == [SIGNED]
    # The requests only queued; the count comes with the next window flush.
    assert _counts(app, petition_id) == (0, 0, 0)
    assert _count_queue(app) == (SIGNERS, SIGNERS)
    assert _counts(app, petition_id) == (SIGNERS, SIGNERS, SIGNERS)
    assert "database is locked" not in log
    assert "Traceback" not in log


def test_double_submitting_from_two_tabs_signs_exactly_once(instance, tmp_path):
    app, petition_id, env = instance
    members = create_member_sessions(app, DOUBLE_SUBMITTERS, prefix="twotabs")
    tabs = [member for member in members for _tab in range(2)]
    with gunicorn_server("app:app", env, workers=WORKERS, log_dir=tmp_path) as server:
        results = _sign_all_at_once(server.url, petition_id, tabs)
        log = server.log()
    assert [status for status, _ in results] == [302] * len(tabs)
    for first, second in zip(results[::2], results[1::2], strict=True):
        outcomes = sorted(_flashes(app, first[1]) + _flashes(app, second[1]))
        assert outcomes == sorted([SIGNED, "You have already signed this petition."])
    assert _count_queue(app) == (DOUBLE_SUBMITTERS, DOUBLE_SUBMITTERS)
    assert _counts(app, petition_id) == (DOUBLE_SUBMITTERS, DOUBLE_SUBMITTERS, DOUBLE_SUBMITTERS)
    assert "Traceback" not in log
