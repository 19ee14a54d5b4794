"""The database refusing, hanging or vanishing gives our own 503 page with Retry-After,
quickly, from a code path that needs no database; /healthz says which dependency failed."""

from __future__ import annotations

import shutil
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.blackhole import blackhole, refused_port
from voicebox.extensions import db

OUTAGE_TEXT = "voicebox can&#39;t reach its database"


def _assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert OUTAGE_TEXT in page
    assert "try again in 30 seconds" in page
    assert "Traceback" not in page and "OperationalError" not in page


def _postgres_app(make_app, port: int):
    return make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://voicebox@127.0.0.1:{port}/voicebox")


def test_a_database_that_refuses_connections_gives_the_503_page(make_app, caplog):
    app = _postgres_app(make_app, refused_port())
    client = app.test_client()
    client.count_after_requests = False  # the database fails on purpose here
    _assert_outage_page(client.get("/"))
    assert client.get("/login").status_code == 200  # the sign-in form itself needs no database
    _assert_outage_page(client.post("/login", data={"username": "someone", "password": "x" * 12}))
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable"},
        "rate_limits": "memory",
    }
    assert "database unavailable: OperationalError" in caplog.text
    assert "[SQL:" not in caplog.text  # statements and their parameters never reach the log


def test_a_database_that_hangs_costs_a_request_seconds_not_a_worker(
    make_app, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("VOICEBOX_DB_CONNECT_TIMEOUT", "2")
    with blackhole() as port:
        app = _postgres_app(make_app, port)
        client = app.test_client()
        client.count_after_requests = False  # the database fails on purpose here
        started = time.monotonic()
        _assert_outage_page(client.get("/"))
        assert time.monotonic() - started < 6
        started = time.monotonic()
        assert client.get("/healthz").status_code == 503
        assert time.monotonic() - started < 6


def test_a_signed_in_member_gets_the_503_page_when_the_database_vanishes(app, member, client, tmp_path):
    client.login(member)
    assert client.get("/petitions").status_code == 200
    # The database folder disappears under the running app: every new connection fails.
    db.session.remove()
    db.engine.dispose()
    shutil.move(tmp_path / "app0", tmp_path / "moved")
    client.count_after_requests = False  # the database is gone on purpose
    # The page the member asked for, and a page that doesn't exist: both error pages would
    # load the signed-in user for the navigation, i.e. query the failed database again.
    _assert_outage_page(client.get("/petitions"))
    _assert_outage_page(client.get("/no-such-page"))
    shutil.move(tmp_path / "moved", tmp_path / "app0")
    assert client.get("/petitions").status_code == 200


@pytest.mark.postgres
def test_a_statement_that_runs_too_long_is_cancelled_by_the_server(make_app, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VOICEBOX_DB_STATEMENT_TIMEOUT", "1")
    app = make_app()
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(10)"))
        assert time.monotonic() - started < 4
        db.session.rollback()


def test_healthz_reports_each_dependency_including_plugged_in_ones(make_app):
    from voicebox.main.health import register_health_check

    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{refused_port()}/7")
    client = app.test_client()
    client.count_after_requests = False  # the database fails on purpose here
    # Losing Redis degrades limits to memory per worker: reported, but not an outage.
    degraded = client.get("/healthz")
    assert degraded.status_code == 200
    assert degraded.get_json()["checks"] == {"database": "ok"}
    assert degraded.get_json()["rate_limits"].startswith("memory")

    def broken() -> None:
        raise ConnectionError("down")

    register_health_check(app, "mail", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert response.get_json()["checks"] == {"database": "ok", "mail": "unavailable"}
