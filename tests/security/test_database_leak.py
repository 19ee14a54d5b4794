"""The database-leak test: after a realistic scenario, a copy of the database file, opened
alone with no secrets, attributes nothing to anyone. One test per invariant, A1–A8.

The scenario runs once per module through the real web routes; each test then reads the
copied file with the plain sqlite3 module, as someone who found a backup would.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for

from tests.support import PASSWORD, VoiceboxClient, receipt_shown_on
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.auth import service as accounts
from voicebox.extensions import db
from voicebox.models import Concern, Group, Role, User
from voicebox.petitions import drafts
from voicebox.petitions.breakdown import open_group
from voicebox.unit_of_work import unit_of_work

MEMBERS = 50
ADDRESS = "198.51.100.213"
AGENT = "LeakTestAgent/7.7 (quokka-agent)"
# Account data: an access token belongs to its owner (using one is not an anonymous action).
USER_TABLES = {"users", "api_tokens"}
ANONYMOUS_TABLES = {
    "signatures",
    "hidden_signature_comments",
    "cosponsorships",
    "petition_day_tallies",
    "petition_breakdowns",
    "counting_windows",
    "pending_actions",
    "concerns",
    "concern_supports",
    "concern_flags",
    "concern_status_changes",
    "followup_messages",
}
USER_COLUMN = re.compile(r"user|member|author_id|username|email|login|ip_?addr|agent|referr?er|seen", re.I)
HEX32 = re.compile(r"^[0-9a-f]{32}$")
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


@dataclass
class Leak:
    path: Path
    raw: bytes
    user_ids: list[str]
    usernames: list[str]
    comments: list[str] = field(default_factory=list)
    invite_codes: list[str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    secrets: list[bytes] = field(default_factory=list)
    closed_petition_id: str = ""
    # Outside the dump: the key store's files (what the leaked database must not hold),
    # whether the closed petition's key file was still there, and the group each signer chose.
    item_keys: dict[str, bytes] = field(default_factory=dict)
    key_files: list[bytes] = field(default_factory=list)
    closed_key_file_left: bool = True
    data_key: bytes = b""
    tiny_group_id: int = 0

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def tables(self) -> dict[str, list[dict]]:
        with self.connect() as connection:
            connection.row_factory = sqlite3.Row
            names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {
                name: [dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')]
                for name in names
                if not name.startswith("sqlite_")
            }


def _member_client(app, user: User) -> VoiceboxClient:
    client: VoiceboxClient = app.test_client()  # type: ignore[assignment]
    client.environ_base.update({"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    client.login(user)
    return client


def run_scenario(app) -> Leak:
    """50 members sign, withdraw and comment; organizers run groups, invites and closing."""
    from voicebox.petitions import service as petitions

    rng = random.Random(20240607)
    policy = app.extensions["voicebox.password_policy"]
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    password_hash = policy.hash(PASSWORD)

    def make_user(role: Role, username: str) -> User:
        user = User(username=username, password_hash=password_hash, role=role.value)
        db.session.add(user)
        db.session.commit()
        return user

    groups = [Group(name=name, kind="department") for name in ("Warehouse", "Nursing", "Tiny team")]
    db.session.add_all(groups)
    db.session.commit()
    members = [make_user(Role.MEMBER, f"quokka{n:02d}-member") for n in range(MEMBERS)]
    organizer = make_user(Role.ORGANIZER, "quokka-organizer")
    for role in (Role.LEADERSHIP, Role.ADMIN):
        make_user(role, f"quokka-{role.value}")
    petitions_made = []
    for n in range(3):
        with unit_of_work(db.session):
            petition = petitions.start_petition(
                members[n].id, f"Leak-test petition {n}", "body", 100, None, keys=keys, today=coarse_date()
            )
        with unit_of_work(db.session):
            drafts.open_petition(
                petition.id, cosponsors_needed=0, actor_role="organizer", today=coarse_date()
            )
        petitions_made.append(petition.id)
    comments: list[str] = []
    receipts: list[str] = []
    group_ids = [g.id for g in groups]
    for number, member in enumerate(members):
        client = _member_client(app, member)
        for petition_id in petitions_made:
            if rng.random() < 0.6:
                comment = (
                    f"private comment wombat-{number:02d}-{petition_id[:4]}" if rng.random() < 0.5 else ""
                )
                comments += [comment] if comment else []
                # "Tiny team" (the last group) is picked by only a couple of signers.
                group = rng.choice(group_ids[:2]) if rng.random() < 0.7 else None
                if number in (3, 4):
                    group = group_ids[2]
                data = {
                    "display_name": f"Public Quokka {number}" if rng.random() < 0.3 else "",
                    "group": str(group or ""),
                    "comment": comment,
                }
                response = client.post(url_for("petitions.sign", petition_id=petition_id), data=data)
                assert response.status_code == 302
                if rng.random() < 0.15:
                    client.post(url_for("petitions.withdraw", petition_id=petition_id))
        client.post(
            url_for("petitions.new"), data={"title": f"Draft by member {number}", "body": "b", "goal": "9"}
        )
        if number % 5 == 0:
            body = f"private concern koala-{number:02d} about the rota"
            page = client.post(
                url_for("concerns.new"),
                data={"title": f"Concern {number}", "body": body, "category": "", "confirm_identifying": "y"},
            ).get_data(as_text=True)
            receipt = receipt_shown_on(page)
            receipts.append(receipt)
            comments.append(body)
            followup = f"private follow-up platypus-{number:02d}"
            client.post(url_for("followup.thread"), data={"receipt": receipt, "message": followup})
            comments.append(followup)
        for concern_id in db.session.scalars(db.select(Concern.id)).all()[:3]:
            if rng.random() < 0.5:
                client.post(url_for("concerns.support", concern_id=concern_id))
    staff = _member_client(app, organizer)
    staff.post(url_for("admin.groups"), data={"name": "Night shift", "kind": "site"})
    invite_page = staff.post(url_for("admin.invites"), data={"role": "member", "uses": "5", "note": "batch"})
    invite_codes = re.findall(
        r'<code id="new-invite-code">([^<]+)</code>', invite_page.get_data(as_text=True)
    )
    staff.post(url_for("petitions.close", petition_id=petitions_made[0]))
    item_keys = {
        f"{kind}:{item_id}": key
        for kind in ("petition", "concern")
        for item_id in keys.item_ids(kind)
        if (key := keys.get(kind, item_id)) is not None
    }
    key_files = [path.read_bytes() for path in keys.folder.iterdir() if path.is_file()]
    users = db.session.scalars(db.select(User)).all()
    user_ids = [u.id for u in users]
    usernames = [u.username for u in users]
    db.session.remove()
    db.engine.dispose()  # as a backup taken from a stopped server would be
    source = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    copy = source.parent / "leaked-copy.sqlite3"
    shutil.copy(source, copy)
    return Leak(
        path=copy,
        raw=copy.read_bytes(),
        user_ids=user_ids,
        usernames=usernames,
        comments=comments,
        invite_codes=invite_codes,
        receipts=receipts,
        secrets=[secrets.master_key, secrets.data_key, secrets.pepper, secrets.secret_key],
        closed_petition_id=petitions_made[0],
        item_keys=item_keys,
        key_files=key_files,
        closed_key_file_left=keys.exists("petition", petitions_made[0]),
        data_key=secrets.data_key,
        tiny_group_id=group_ids[2],
    )


@pytest.fixture(scope="module")
def leak_app(tmp_path_factory, migrated_template):
    """One app for the whole module: the scenario is run once and read by every test."""
    folder = tmp_path_factory.mktemp("leak")
    (folder / "instance").mkdir()
    database = folder / "voicebox.sqlite3"
    shutil.copy(migrated_template, database)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "AUTO_MIGRATE": False,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            # The client counts the queue after every request; no thread racing it.
            "BACKGROUND_TICK": False,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 64,
        }
    )
    app.test_client_class = VoiceboxClient
    with app.test_request_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def leak(leak_app) -> Leak:
    return run_scenario(leak_app)


def _all_values(tables: dict[str, list[dict]], skip: set[str] = frozenset()):
    for table, rows in tables.items():
        if table in skip:
            continue
        for row in rows:
            for column, value in row.items():
                yield table, column, value


def test_scenario_is_realistic(leak):
    tables = leak.tables()
    assert len(tables["users"]) >= MEMBERS
    assert len(tables["signatures"]) > 60
    assert any(row["display_name"] for row in tables["signatures"])
    assert any(row["comment_ciphertext"] for row in tables["signatures"])
    groups = [open_group(leak.data_key, row["id"], row["group_ciphertext"]) for row in tables["signatures"]]
    assert any(groups) and leak.tiny_group_id in groups
    assert tables["petition_breakdowns"]
    # Every queued action was counted; nothing waits in the queue of the copy.
    assert not tables["pending_actions"]
    assert leak.item_keys and leak.key_files
    assert leak.comments and leak.invite_codes and len(leak.receipts) == MEMBERS // 5
    assert tables["concern_supports"] and tables["followup_messages"] and tables["concerns"]


def test_a1_no_column_or_key_links_anonymous_rows_to_users(leak):
    tables = leak.tables()
    with leak.connect() as connection:
        for table in tables:
            for fk in connection.execute(f'PRAGMA foreign_key_list("{table}")'):
                assert table in USER_TABLES or fk[2] not in USER_TABLES, f"{table} references {fk[2]}"
            if table in ANONYMOUS_TABLES:
                for column in connection.execute(f'PRAGMA table_info("{table}")'):
                    assert not USER_COLUMN.search(column[1]), f"{table}.{column[1]} looks like a user link"
    for table, column, value in _all_values(tables, skip=USER_TABLES):
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        for user_id in leak.user_ids:
            assert user_id not in text, f"a user id appears in {table}.{column}"
        for username in leak.usernames:
            assert username not in text, f"a username appears in {table}.{column}"


def test_a2_nullifiers_need_keys_the_dump_does_not_hold(leak):
    tables = leak.tables()
    for secret in leak.secrets:
        assert secret not in leak.raw
        assert secret.hex().encode() not in leak.raw
    # Item keys never enter the database, wrapped or not: no column for them, and neither
    # the keys nor their key-store files appear anywhere in the file's bytes.
    with leak.connect() as connection:
        for table in tables:
            for column in connection.execute(f'PRAGMA table_info("{table}")'):
                assert "key" not in column[1].lower(), f"{table}.{column[1]} looks like a stored key"
    assert leak.item_keys
    for name, key in leak.item_keys.items():
        assert key not in leak.raw, f"the {name} key is in the database"
        assert key.hex().encode() not in leak.raw, f"the {name} key is in the database"
    for sealed in leak.key_files:
        assert sealed not in leak.raw, "a key-store file's contents are in the database"
    # Closing destroyed the closed petition's key file, so nothing anywhere relinks it.
    assert not leak.closed_key_file_left
    assert f"petition:{leak.closed_petition_id}" not in leak.item_keys
    closed = next(p for p in tables["petitions"] if p["id"] == leak.closed_petition_id)
    assert closed["author_nullifier"] is None
    closed_rows = [s for s in tables["signatures"] if s["petition_id"] == leak.closed_petition_id]
    assert closed_rows and all(s["nullifier"] is None for s in closed_rows)
    nullifiers = {s["nullifier"] for s in tables["signatures"] if s["nullifier"]}
    assert nullifiers
    # Without the petition key, the obvious guesses an attacker would try match nothing.
    for row in tables["petitions"]:
        for user_id in leak.user_ids:
            message = b"signature\x00" + user_id.encode()
            guesses = {
                hashlib.sha256(message).hexdigest(),
                hashlib.sha256(user_id.encode()).hexdigest(),
                hmac.new(row["id"].encode(), message, hashlib.sha256).hexdigest(),
                hmac.new(bytes.fromhex(row["id"]), message, hashlib.sha256).hexdigest(),
            }
            assert not guesses & nullifiers


def test_a3_no_time_of_day_no_order_no_footprints(leak):
    tables = leak.tables()
    with leak.connect() as connection:
        schema = {
            name: sql
            for name, sql in connection.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")
        }
        for table in tables:
            for column in connection.execute(f'PRAGMA table_info("{table}")'):
                declared = (column[2] or "").upper()
                assert "TIME" not in declared, f"{table}.{column[1]} is {declared}"
                assert not re.search(r"last_?(login|seen)|seen_at|logged_in", column[1], re.I)
    # Users too: a rowid would be the order accounts joined in, to line up with anything else.
    # (API tokens keep an integer id: it orders tokens among themselves, nothing a member did.)
    for table in (ANONYMOUS_TABLES | {"users"}) & set(tables):
        assert "WITHOUT ROWID" in schema[table].upper(), f"{table} keeps SQLite's insert-order rowid"
    for table in (
        "signatures",
        "petitions",
        "cosponsorships",
        "concerns",
        "concern_supports",
        "followup_messages",
    ):
        for row in tables.get(table, []):
            assert HEX32.match(row["id"]), f"{table}.id {row['id']!r} is not 32 random hex characters"
    ids = [row["id"] for row in tables["signatures"]]
    assert len(set(ids)) == len(ids)
    for table, column, value in _all_values(tables):
        if (
            isinstance(value, str)
            and not HEX32.match(value)
            and column not in {"title", "body", "subject", "name"}
        ):
            assert not TIME_OF_DAY.search(value) or column in {"display_name", "note"}, (table, column, value)
    today = coarse_date().isoformat()
    for row in tables["signatures"]:
        assert row["signed_on"] == today


def test_a4_no_network_identity(leak):
    for footprint in (ADDRESS, AGENT, "quokka-agent"):
        assert footprint.encode() not in leak.raw
    with leak.connect() as connection:
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for column in connection.execute(f'PRAGMA table_info("{table}")'):
                name = column[1]
                assert not re.search(r"(^|_)(ip|addr|address|agent|referr?er|host)(_|$)", name, re.I), name


def test_a5_private_text_is_ciphertext_at_rest(leak):
    assert leak.comments
    for comment in leak.comments:
        assert comment.encode() not in leak.raw
        assert comment.encode("utf-16-le") not in leak.raw
    for marker in (b"wombat-", b"koala-", b"platypus-"):
        assert marker not in leak.raw


def _small_counts_in_json(value, threshold: int) -> list:
    """Counts under the threshold in any JSON object that names the small group."""
    found = []
    if isinstance(value, dict):
        if "Tiny team" in value.values():
            found += [
                (k, v)
                for k, v in value.items()
                if isinstance(v, int) and not isinstance(v, bool) and "id" not in k and 0 < v < threshold
            ]
        for inner in value.values():
            found += _small_counts_in_json(inner, threshold)
    elif isinstance(value, list):
        for inner in value:
            found += _small_counts_in_json(inner, threshold)
    return found


def test_a6_small_group_counts_are_never_shown(leak_app, leak, monkeypatch):
    monkeypatch.setattr(  # this week's signatures count once the week has ended
        "voicebox.reports.tallies.release_day", lambda: coarse_date() + timedelta(days=7)
    )
    # The counters live in the database by design; what matters is that no page, export or
    # API shows a count under the threshold for any group. "Tiny team" has two signers.
    threshold = 5
    tables = leak.tables()
    shown = [p for p in tables["petitions"] if p["status"] != "draft"]
    for role in ("quokka00-member", "quokka-organizer", "quokka-leadership", "quokka-admin"):
        client = leak_app.test_client()
        client.login(role)
        for petition in shown:
            page = client.get(url_for("petitions.detail", petition_id=petition["id"])).get_data(as_text=True)
            cells = re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', page)
            assert cells, "the breakdown table is missing"
            for name, cell in cells:
                if cell.strip().isdigit():
                    assert int(cell) >= threshold, (role, name, cell)
            assert ("Tiny team", "5") not in cells
            api = client.get(url_for("api.petition", petition_id=petition["id"])).get_json()
            assert not _small_counts_in_json(api, threshold), (role, "API shows a small group")


def test_a7_no_receipt_or_invite_code_in_the_dump(leak):
    for code in leak.invite_codes:
        assert code.encode() not in leak.raw
        assert hashlib.sha256(code.encode()).hexdigest().encode() not in leak.raw
    for phrase in leak.receipts:
        assert phrase.encode() not in leak.raw
        assert hashlib.sha256(phrase.encode()).hexdigest().encode() not in leak.raw


def test_a8_no_email_address_anywhere(leak):
    assert not re.search(rb"[\w.+-]+@[\w-]+\.[\w.]+", leak.raw)
    with leak.connect() as connection:
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for column in connection.execute(f'PRAGMA table_info("{table}")'):
                assert "mail" not in column[1].lower(), f"{table}.{column[1]}"


def test_usernames_appear_only_in_the_users_table(leak):
    tables = leak.tables()
    assert {u["username"] for u in tables["users"]} >= set(leak.usernames)
    assert accounts  # the accounts service is what put them there, nothing else
