"""Test helpers shared across the suite: the browser-like client, database inspection,
and the PostgreSQL plumbing. Fixtures live in conftest.py; plain helpers live here."""

from __future__ import annotations

import contextvars
import multiprocessing
import os
import re
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import make_url

from voicebox import create_app
from voicebox.extensions import db
from voicebox.models import User
from voicebox.unit_of_work import discard

PASSWORD = "plum-orbit-canvas-thunder-42"  # strong enough for zxcvbn, cheap in tests


def close_petition_now(app: Flask, petition_id: str) -> None:
    """Close an open petition as an organizer would today, in its own unit of work."""
    from voicebox.anonymity import coarse_date
    from voicebox.petitions import closing
    from voicebox.unit_of_work import unit_of_work

    with unit_of_work(db.session):
        closing.close_petition(
            petition_id,
            actor_role="organizer",
            today=coarse_date(),
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
        )


def count_queued_now(app: Flask) -> int:
    """Flush the counting windows, as the background thread would a few seconds later."""
    from voicebox.tick import count_queued

    def flush() -> int:
        with app.app_context():
            counted = count_queued(app.extensions["voicebox.secrets"], app.extensions["voicebox.keys"])
            db.session.remove()
            return counted

    counted = contextvars.Context().run(flush)
    if has_app_context():
        db.session.expire_all()
    return counted


class VoiceboxClient(FlaskClient):
    """A test client that sends the CSRF token a real form would carry (unless csrf=False).

    After each request it flushes the counting windows, as the server's background thread
    would within seconds, so tests read tallies as a member would a minute later. Tests of
    the queue itself set `count_after_requests = False`.
    """

    count_after_requests = True

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Each request runs in a fresh context, as in production: its own app context,
        # its own database session and no `g` left over from the test or earlier requests.
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if self.count_after_requests and "voicebox.keys" in self.application.extensions:
            count_queued_now(self.application)
        if has_app_context():
            db.session.expire_all()  # the test's own objects re-read what the request wrote
        return response

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", "test-csrf-" + "0" * 30)
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def login(self, user: User | str, password: str = PASSWORD) -> Any:
        username = user if isinstance(user, str) else user.username
        response = self.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login as {username} failed"
        return response

    def logout(self) -> Any:
        return self.post("/logout")


POSTGRES_URL_ENV = "VOICEBOX_TEST_DATABASE_URL"
NO_POSTGRES = f"skipped: no PostgreSQL ({POSTGRES_URL_ENV} is not set)"

# Parametrize a test with this to run it once per engine; the PostgreSQL run is skipped
# (with NO_POSTGRES) on machines without one, and deselected by `-m "not postgres"`.
both_engines = pytest.mark.parametrize(
    "database_engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def postgres_base_url() -> str:
    """The server named by VOICEBOX_TEST_DATABASE_URL, or a skip when there is none."""
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not url:
        pytest.skip(NO_POSTGRES)
    return url


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres_database(base_url: str) -> Iterator[str]:
    """A freshly created, uniquely named database, dropped afterwards.

    Unique names keep parallel test runs on one server (several worktrees, CI) apart.
    """
    name = f"voicebox_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_url(base_url), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(base_url), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_fresh(instance: Path, database_url: str) -> None:
    """Build the schema with the real migrations, as a first start would."""
    app = create_app(
        {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url, "AUTO_MIGRATE": True}
    )
    with app.app_context():
        db.engine.dispose()


def empty_postgres_database(url: str) -> None:
    """TRUNCATE every table but Alembic's, restarting id sequences, so a test starts clean."""
    with psycopg.connect(_libpq_url(url), autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            names = ", ".join(f'"{table}"' for table in tables)
            connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@contextmanager
def recorded_writes(app: Flask) -> Iterator[list[tuple[str, str]]]:
    """Record (verb, table) for every INSERT, UPDATE and DELETE sent to the database."""
    writes: list[tuple[str, str]] = []
    pattern = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)\"?", re.I)

    def listener(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        match = pattern.match(statement)
        if match:
            writes.append((match.group(1).split()[0].upper(), match.group(2)))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def dump_database(app: Flask) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as a leaked dump would hold it."""
    db.session.commit()
    tables = inspect(db.engine).get_table_names()
    dump: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as connection:
        for table in tables:
            rows = connection.execute(text(f'SELECT * FROM "{table}"'))
            dump[table] = [dict(row._mapping) for row in rows]
    return dump


def count_rows(model: Any, *where: Any) -> int:
    return len(db.session.scalars(select(model).where(*where)).all())


def receipt_shown_on(page: str) -> str:
    """The receipt phrase on the page shown after posting a concern (a few EFF words have dashes)."""
    found = re.search(r'id="receipt"><code>([a-z -]+)</code>', page)
    assert found, "no receipt phrase on the page"
    return found.group(1)


# One job of a race: runs in a worker process with its own app, owns its unit of work and
# returns how it went ("ok", "refused", ...); an exception it lets out fails the test.
RaceAct = Callable[[tuple[Any, ...]], Any]


def _race_worker(config: dict[str, Any], act: RaceAct, jobs: Any, results: Any, barrier: Any) -> None:
    app = create_app(config)
    with app.app_context():
        while (job := jobs.get()) is not None:
            barrier.wait()
            try:
                results.put(act(job))
            except Exception:
                discard(db.session)
                results.put(RACE_ERROR + traceback.format_exc())
        db.session.remove()


RACE_ERROR = "error: "


def run_races(app: Flask, rounds: list[list[tuple[Any, ...]]], act: RaceAct) -> list[list[Any]]:
    """Run each round's jobs at the same instant, one per forked process (as gunicorn workers
    are, each with its own app, connection pool and session); the outcomes, round by round."""
    context = multiprocessing.get_context("fork")
    width = max(len(jobs) for jobs in rounds)
    config = {
        "INSTANCE_PATH": app.instance_path,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "AUTO_MIGRATE": False,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "BACKGROUND_TICK": False,
    }
    db.session.remove()
    db.engine.dispose()
    barrier = context.Barrier(width)
    queues = [context.Queue() for _ in range(width)]
    results = context.Queue()
    workers = [context.Process(target=_race_worker, args=(config, act, q, results, barrier)) for q in queues]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for jobs in rounds:
            for queue, job in zip(queues, jobs, strict=True):
                queue.put(job)
            outcome = [results.get(timeout=60) for _ in range(width)]
            errors = [str(result) for result in outcome if str(result).startswith(RACE_ERROR)]
            assert not errors, errors[0]
            outcomes.append(outcome)
    finally:
        for queue in queues:
            queue.put(None)
        for worker in workers:
            worker.join(timeout=30)
    return outcomes


class CountingApp:
    """A short path's normal path (Flask), counting how often a request was handed to it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.inner(environ, start_response)


def counted_short_path(app: Flask, kind: type) -> tuple[Any, CountingApp]:
    """The app's short path of type `kind`, and its normal path (Flask) counting the requests
    handed to it."""
    short = app.wsgi_app
    while not isinstance(short, kind):
        short = short._inner  # type: ignore[attr-defined]
    normal = CountingApp(short._inner)
    short._inner = normal
    return short, normal


def signed_in_cookie(app: Flask, user: Any) -> str:
    """The session cookie of `user` signed in, after the home page took the sign-in message."""
    client = app.test_client()
    client.login(user)
    client.get("/")  # shows (and so takes) the sign-in flash, as a member's browser does
    return client.get_cookie("session").value  # type: ignore[union-attr]


def tampered(cookie: str) -> str:
    """The cookie with its signature's last two characters changed."""
    return cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")


def signed_long_ago(app: Flask, monkeypatch: pytest.MonkeyPatch, sign_in: Callable[[], str]) -> str:
    """A cookie signed just over the session lifetime ago, as one left in a browser overnight."""
    signed_at = TimestampSigner.get_timestamp(None) - int(  # type: ignore[arg-type]
        (app.permanent_session_lifetime + timedelta(minutes=1)).total_seconds()
    )
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
    try:
        return sign_in()
    finally:
        monkeypatch.undo()


# The ways a member's session cookie can be wrong that every short path must leave to Flask.
COOKIE_CASES = ("no cookie", "tampered cookie", "expired cookie", "signed out")


def cookie_in_case(
    app: Flask, user: Any, cookie: str, case: str, monkeypatch: pytest.MonkeyPatch
) -> str | None:
    """`user`'s `cookie` as `case` has it: gone, tampered with, signed long ago or signed out."""
    from voicebox.auth import service as accounts
    from voicebox.unit_of_work import unit_of_work

    if case == "no cookie":
        return None
    if case == "tampered cookie":
        return tampered(cookie)
    if case == "expired cookie":
        return signed_long_ago(app, monkeypatch, lambda: signed_in_cookie(app, user))
    if case == "signed out":
        with unit_of_work(db.session):
            accounts.end_sessions(user.id)
    return cookie


def with_session_changed(app: Flask, cookie: str, change: Callable[[Any], None]) -> str:
    """The session cookie after `change` (given the session) was made to it, as a view would."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    with client.session_transaction() as session:
        change(session)
    return client.get_cookie("session").value  # type: ignore[union-attr]


def withdraw_now(app: Flask, petition: Any, user: Any) -> None:
    """Withdraw `user`'s signature through the service, in its own unit of work."""
    from voicebox.petitions import service
    from voicebox.unit_of_work import unit_of_work

    with unit_of_work(db.session):
        service.remove_signature(
            petition.id,
            user.id,
            keys=app.extensions["voicebox.keys"],
            secrets=app.extensions["voicebox.secrets"],
        )


# Flask-WTF's signed form tokens carry the second they were made: two renders of one page a
# second apart differ there only.
CSRF_TOKEN = re.compile(r"\.?[\w-]{16,}\.[\w-]{4,8}\.[\w-]{20,}")


def without_csrf_tokens(page: str) -> str:
    """The page with every form token replaced by the same placeholder."""
    return CSRF_TOKEN.sub("CSRF", page)
