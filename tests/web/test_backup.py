"""`flask --app app voicebox backup PATH` / `restore PATH` on both engines: every table
comes back row for row, the restored instance keeps working under the same secrets, a
database holding data is never overwritten without --force, and no secret is in the file."""

from __future__ import annotations

import base64
import gzip
import os
import shutil
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import both_engines, dump_database
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.auth import service as accounts
from voicebox.crypto import encrypt_text
from voicebox.extensions import db
from voicebox.models import Category, Concern, Petition, Role, Signature
from voicebox.petitions import closing, service
from voicebox.unit_of_work import unit_of_work

pytestmark = both_engines


@pytest.fixture
def populated(app, make_user, make_group, make_petition):
    """A source instance with every kind of row a real one holds."""
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    today = coarse_date()
    group = make_group("Night shift", "site")
    open_petition = make_petition(title="Heating", goal=40)
    closed_petition = make_petition(title="Parking")
    make_petition(title="Lunch hours", status="draft")
    signers = [make_user() for _ in range(6)]
    for n, signer in enumerate(signers):
        choice = service.SignatureChoice(
            display_name=f"Signer {n}" if n % 2 else "",
            group_id=group.id,
            comment="Cold in here" if n < 3 else "",
        )
        with unit_of_work(db.session):
            service.sign_petition(open_petition.id, signer.id, choice, keys=keys, today=today)
        with unit_of_work(db.session):
            service.sign_petition(
                closed_petition.id, signer.id, service.SignatureChoice(), keys=keys, today=today
            )
    # Closing counts the closed petition's queued signatures; the open petition's stay
    # queued, for the backup to count first.
    with unit_of_work(db.session):
        closing.close_petition(
            closed_petition.id, actor_role="organizer", today=today, secrets=secrets, keys=keys
        )
    with unit_of_work(db.session):
        accounts.create_invite(
            Role.MEMBER,
            uses=5,
            expires_on=today + timedelta(days=7),
            pepper=secrets.pepper,
            actor_role="admin",
            today=today,
        )
    category = Category(name="Safety", description="Physical safety at work")
    db.session.add(category)
    db.session.flush()
    db.session.add(
        Concern(
            id="c" * 32,
            title="Broken ladder",
            category_id=category.id,
            body_ciphertext=encrypt_text(secrets.data_key, "Ladder 3 wobbles", "concern:x"),
            receipt_hash="r" * 64,
        )
    )
    accounts.instance_settings().headcount = 250
    db.session.commit()
    # Plain ids: touching a source-app object inside the target's context would load it
    # through the target's engine.
    return {"open": open_petition.id, "closed": closed_petition.id, "signers": [s.id for s in signers]}


@pytest.fixture
def target(tmp_path, app, populated, empty_database_url):
    """An empty, migrated instance sharing the source's secrets and key store (both kept
    safe separately: neither is in a backup)."""
    folder = tmp_path / "target-instance"
    folder.mkdir()
    shutil.copy(os.path.join(app.instance_path, "secrets.json"), folder / "secrets.json")
    shutil.copytree(app.extensions["voicebox.keys"].folder, folder / "keys")
    restored = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "KEYSTORE_PATH": str(folder / "keys"),
            "AUTO_MIGRATE": True,
            "TESTING": True,
            "BACKGROUND_TICK": False,
        }
    )
    yield restored
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()


def _cli(app, *args):
    # Flask's runner reuses whatever app context is current; the source app's is pushed.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["voicebox", *args])


QUEUE_TABLES = {"pending_actions", "counting_windows"}


def _without_audit_tail(dump):
    """The dump minus the audit event the backup or restore itself recorded, and minus
    the counting queue (never backed up: its blobs are sealed under window keys)."""
    rows = {table: table_rows for table, table_rows in dump.items() if table not in QUEUE_TABLES}
    rows["audit_events"] = sorted(rows["audit_events"], key=lambda event: event["id"])[:-1]
    return rows


def _sorted(dump):
    return {table: sorted(rows, key=repr) for table, rows in dump.items()}


def test_backup_then_restore_gives_back_every_row_of_every_table(app, populated, target, tmp_path):
    path = tmp_path / "voicebox-backup.jsonl.gz"
    made = _cli(app, "backup", str(path))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    source = dump_database(app)
    assert source["audit_events"][-1]["action"] == "made a backup"
    # The backup counted the queue first: nothing was left waiting, nothing was lost.
    assert source["pending_actions"] == []
    content = gzip.decompress(path.read_bytes())
    for table in QUEUE_TABLES:
        assert table.encode() not in content, f"{table} is in the backup"

    restored = _cli(target, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        copy = dump_database(target)
    assert copy["audit_events"][-1]["action"] == "restored the database from a backup"
    original, restored_rows = _sorted(_without_audit_tail(source)), _sorted(_without_audit_tail(copy))
    assert set(restored_rows) == set(original)
    for table in original:
        assert restored_rows[table] == original[table], f"{table} differs after restore"
    assert len(restored_rows["signatures"]) == 12
    assert copy["pending_actions"] == [] and copy["counting_windows"] == []
    counts = {row["id"]: row["signature_count"] for row in copy["petitions"]}
    assert counts[populated["open"]] == 6 and counts[populated["closed"]] == 6


def test_restored_instance_keeps_working_under_the_same_secrets(app, populated, target, tmp_path, make_user):
    path = tmp_path / "backup.jsonl.gz"
    _cli(app, "backup", str(path))
    assert _cli(target, "restore", str(path)).exit_code == 0
    today = coarse_date()
    with target.app_context():
        secrets = target.extensions["voicebox.secrets"]
        keys = target.extensions["voicebox.keys"]
        # An old signer is found again by their nullifier (under the key from the copied
        # key store) and can withdraw...
        with unit_of_work(db.session):
            service.remove_signature(populated["open"], populated["signers"][0], keys=keys, secrets=secrets)
        # ...and signing again is refused to one who still has a signature...
        with pytest.raises(service.AlreadySigned), unit_of_work(db.session):
            service.sign_petition(
                populated["open"], populated["signers"][1], service.SignatureChoice(), keys=keys, today=today
            )
        # ...while the closed petition's signers can't be found at all.
        with pytest.raises(service.PetitionNotOpen), unit_of_work(db.session):
            service.remove_signature(populated["closed"], populated["signers"][0], keys=keys, secrets=secrets)
        # ...and the audit log (integer ids) keeps growing past the restored rows.
        with unit_of_work(db.session):
            accounts.create_invite(
                Role.ORGANIZER,
                uses=1,
                expires_on=None,
                pepper=secrets.pepper,
                actor_role="admin",
                today=today,
            )
        petition = db.session.get(Petition, populated["open"])
        assert petition.signature_count == 5
        remaining = select(Signature).where(Signature.petition_id == petition.id)
        assert len(db.session.scalars(remaining).all()) == 5


def test_restore_refuses_a_database_that_holds_data_unless_forced(app, populated, target, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    _cli(app, "backup", str(path))
    assert _cli(target, "restore", str(path)).exit_code == 0
    with target.app_context():
        before = dump_database(target)

    refused = _cli(target, "restore", str(path))
    assert refused.exit_code != 0
    assert "already holds data" in refused.output
    assert "--force" in refused.output
    with target.app_context():
        assert dump_database(target) == before

    forced = _cli(target, "restore", str(path), "--force")
    assert forced.exit_code == 0, forced.output
    with target.app_context():
        again = _without_audit_tail(dump_database(target))
    assert _sorted(again) == _sorted(_without_audit_tail(before))


def test_a_truncated_backup_is_refused_and_nothing_is_restored(app, populated, target, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    _cli(app, "backup", str(path))
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
    with target.app_context():
        before = dump_database(target)

    refused = _cli(target, "restore", str(cut))
    assert refused.exit_code != 0
    assert "truncated" in refused.output
    with target.app_context():
        assert dump_database(target) == before

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    assert "not a voicebox backup" in _cli(target, "restore", str(not_a_backup)).output


def test_the_backup_holds_no_instance_secret(app, populated, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    assert _cli(app, "backup", str(path)).exit_code == 0
    content = gzip.decompress(path.read_bytes())
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    item_keys = [keys.get("petition", item_id) for item_id in keys.item_ids("petition")]
    item_keys += [keys.get("concern", item_id) for item_id in keys.item_ids("concern")]
    assert len(item_keys) == 2  # the open petition and the draft; the closed one's is gone
    assert not keys.exists("petition", populated["closed"])
    for key in (secrets.secret_key, secrets.master_key, secrets.data_key, secrets.pepper, *item_keys):
        for form in (key, base64.b64encode(key), base64.urlsafe_b64encode(key), key.hex().encode()):
            assert form not in content
    for key_file in keys.folder.iterdir():
        assert key_file.read_bytes() not in content
    assert b"Ladder 3 wobbles" not in content
    assert b"Cold in here" not in content
