"""Shared fixtures: an app on a fresh migrated database, a client that carries CSRF
tokens like a browser does, one user per role, and factories for the rest."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app

from tests.support import (
    PASSWORD,
    VoiceboxClient,
    close_petition_now,
    count_queued_now,
    empty_postgres_database,
    migrate_fresh,
    postgres_base_url,
    scratch_postgres_database,
)
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Concern, Group, Petition, Role, User
from voicebox.petitions import drafts
from voicebox.unit_of_work import unit_of_work


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at production cost would make every login in the suite take 50 ms+."""
    monkeypatch.setenv("VOICEBOX_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("VOICEBOX_ARGON2_MEMORY_COST", "64")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database built by the real migrations once; each test copies it."""
    folder = tmp_path_factory.mktemp("template")
    migrate_fresh(folder / "instance", f"sqlite:///{folder / 'template.sqlite3'}")
    return folder / "template.sqlite3"


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated PostgreSQL database for the session; tests empty it before use."""
    with scratch_postgres_database(postgres_base_url()) as url:
        migrate_fresh(tmp_path_factory.mktemp("pg-template") / "instance", url)
        yield url


@pytest.fixture
def database_engine(request: pytest.FixtureRequest) -> str:
    """Which engine `make_app` builds on: "sqlite" unless parametrized or marked `postgres`."""
    engine = getattr(request, "param", None)
    if engine is None:
        engine = "postgresql" if request.node.get_closest_marker("postgres") else "sqlite"
    if engine == "postgresql":
        postgres_base_url()  # skips when there is no server
    return engine


@pytest.fixture
def make_app(
    tmp_path: Path, database_engine: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Flask]]:
    """Build an app on a fresh migrated database, with config overrides.

    SQLite: each app gets its own copy of the migrated file. PostgreSQL: the apps of one
    test share the session's migrated database, emptied when the first one is built.
    """
    built: list[Flask] = []

    def fresh_database_url(folder: Path) -> str:
        if database_engine == "postgresql":
            url: str = request.getfixturevalue("postgres_database")
            if not built:
                empty_postgres_database(url)
            return url
        database = folder / "voicebox.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_template"), database)
        return f"sqlite:///{database}"

    def build(**overrides: Any) -> Flask:
        folder = tmp_path / f"app{len(built)}"
        (folder / "instance").mkdir(parents=True)
        config = {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": fresh_database_url(folder),
            "AUTO_MIGRATE": False,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            # Tests count queued actions themselves (the client after each request,
            # `count_queued` elsewhere) instead of racing a background thread.
            "BACKGROUND_TICK": False,
        }
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = VoiceboxClient
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app()
    # A request context, so url_for() in tests gives the paths a browser would follow.
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> VoiceboxClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 100_000))

    def build(role: Role | str = Role.MEMBER, username: str | None = None) -> User:
        role = Role(role)
        policy = app.extensions["voicebox.password_policy"]
        user = User(
            username=username or f"{role.value}{next(counter)}",
            password_hash=policy.hash(PASSWORD),
            role=role.value,
        )
        with unit_of_work(db.session):
            db.session.add(user)
        return user

    return build


@pytest.fixture
def member(make_user: Callable[..., User]) -> User:
    return make_user(Role.MEMBER, "mira")


@pytest.fixture
def organizer(make_user: Callable[..., User]) -> User:
    return make_user(Role.ORGANIZER, "oscar")


@pytest.fixture
def leadership(make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADERSHIP, "lena")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, "ada")


@pytest.fixture
def users(member: User, organizer: User, leadership: User, admin: User) -> dict[str, User]:
    """One user per role, keyed by role name."""
    return {"member": member, "organizer": organizer, "leadership": leadership, "admin": admin}


@pytest.fixture
def make_group(app: Flask) -> Callable[..., Group]:
    def build(name: str = "Engineering", kind: str = "department") -> Group:
        group = Group(name=name, kind=kind)
        with unit_of_work(db.session):
            db.session.add(group)
        return group

    return build


@pytest.fixture
def make_petition(app: Flask, make_user: Callable[..., User]) -> Callable[..., Petition]:
    """Start a petition through the service (as a fresh member) and, by default, open it.

    In the app whose context is current: a test's second app (make_app) keeps its own keys.
    """
    from voicebox.petitions import service

    def build(
        title: str = "Switch off keystroke recording",
        body: str = "We ask that the **recording software** be removed.",
        goal: int = 100,
        closes_on: date | None = None,
        status: str = "open",
        author: User | None = None,
    ) -> Petition:
        author = author or make_user(Role.MEMBER)
        with unit_of_work(db.session):
            petition = service.start_petition(
                author.id,
                title,
                body,
                goal,
                closes_on or coarse_date() + timedelta(days=30),
                keys=current_app.extensions["voicebox.keys"],
                today=coarse_date(),
            )
        if status in {"open", "closed"}:
            with unit_of_work(db.session):
                drafts.open_petition(
                    petition.id, cosponsors_needed=0, actor_role="organizer", today=coarse_date()
                )
        if status == "closed":
            close_petition_now(current_app._get_current_object(), petition.id)  # type: ignore[attr-defined]
        return db.session.get(Petition, petition.id)  # type: ignore[return-value]

    return build


@pytest.fixture
def make_category(app: Flask) -> Callable[..., Any]:
    """Add a concern category as an organizer would."""
    from voicebox.concerns import moderation

    def build(name: str = "Workplace monitoring", description: str = "") -> Any:
        with unit_of_work(db.session):
            return moderation.add_category(name, description, actor_role="organizer", today=coarse_date())

    return build


@pytest.fixture
def make_concern(app: Flask) -> Callable[..., Any]:
    """Post a concern through the service; returns (concern, receipt phrase)."""
    from voicebox.concerns import service

    def build(
        title: str = "Keystroke logging on every laptop",
        body: str = "The new agent records **every keystroke**. Nobody was asked.",
        category_id: int | None = None,
    ) -> tuple[Any, str]:
        with unit_of_work(db.session):
            posted = service.post_concern(
                title,
                body,
                category_id,
                username="nobody-in-particular",
                confirmed_identifying=True,
                secrets=app.extensions["voicebox.secrets"],
                keys=app.extensions["voicebox.keys"],
                today=coarse_date(),
            )
        count_queued_now(app)
        concern = db.session.get(Concern, posted.concern_id)
        assert concern is not None, "the counting window should have written the concern"
        return concern, posted.receipt

    return build


@pytest.fixture
def rate_limited_member(make_app: Callable[..., Flask], make_user: Callable[..., User]) -> Iterator[Any]:
    """A signed-in member's client on an app with rate limits switched on."""
    limited = make_app(RATELIMIT_ENABLED=True)
    with limited.test_request_context():
        member = make_user(Role.MEMBER)
        client = limited.test_client()
        client.login(member)
        yield client


@pytest.fixture
def sign(app: Flask) -> Callable[..., Any]:
    """Sign a petition through the service as `user`, with optional display name, group, comment."""
    from voicebox.petitions import service

    def build(petition: Petition, user: User, *, counted: bool = True, **choice: Any) -> None:
        with unit_of_work(db.session):
            service.sign_petition(
                petition.id,
                user.id,
                service.SignatureChoice(**choice),
                keys=app.extensions["voicebox.keys"],
                today=coarse_date(),
            )
        if counted:
            count_queued_now(app)

    return build


@pytest.fixture
def sign_many(app: Flask) -> Callable[..., None]:
    """Sign a petition `n` times as `n` different members (through the service, counters and all)."""
    from voicebox.anonymity import random_id
    from voicebox.petitions import service

    def sign(petition: Petition, n: int, group: Group | None = None) -> None:
        choice = service.SignatureChoice(group_id=group.id if group is not None else None)
        for _ in range(n):
            with unit_of_work(db.session):
                service.sign_petition(
                    petition.id,
                    random_id(),
                    choice,
                    keys=app.extensions["voicebox.keys"],
                    today=coarse_date(),
                )
        count_queued_now(app)

    return sign


@pytest.fixture
def make_concern_row(app: Flask, make_concern: Callable[..., Any]) -> Callable[..., Any]:
    """A concern posted through the service (so its body reads back on every page), then put
    in the requested moderation state through the moderation service. `supports` sets the
    counter alone: real "me too"s would need that many members."""
    from voicebox.concerns import moderation

    def build(
        title: str = "Rota changes with no notice",
        category: Any = None,
        status: str = "open",
        supports: int = 0,
        hidden: bool = False,
        body: str = "The rota changes the night before.",
    ) -> Concern:
        concern, _receipt = make_concern(
            title=title, body=body, category_id=category.id if category is not None else None
        )
        by_organizer: dict[str, Any] = {"actor_role": "organizer", "today": coarse_date()}
        with unit_of_work(db.session):
            if hidden:
                moderation.hide_concern(concern.id, "Names a colleague", **by_organizer)
            if status != "open":
                keys = app.extensions["voicebox.keys"]
                moderation.change_status(concern.id, status, keys=keys, **by_organizer)
            if supports:
                concern.support_count = supports
        return db.session.get(Concern, concern.id)

    return build


@pytest.fixture
def empty_database_url(database_engine: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, on the engine under test (migrations, servers, restores)."""
    if database_engine == "postgresql":
        with scratch_postgres_database(postgres_base_url()) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
