"""A2 after close: a copy of every file voicebox wrote, plus every secret left, re-links nothing.

The thief copies the whole instance folder of a running server right after an organizer
closes a petition and resolves a concern — before any checkpoint, with the WAL as it is —
together with a backup taken after the close and secrets.json. They know every member's
account id (say, from the users table) and try every key they can recover.
"""

from __future__ import annotations

from pathlib import Path

from flask import url_for

from tests.forensics.attacker import attributed, copy_everything, item_keys_from, stolen_secrets
from voicebox.extensions import db
from voicebox.models import Petition

MEMBERS = 24


def _scenario(app, client, make_user, make_petition, make_concern, organizer, make_group):
    engineering = make_group("Engineering")
    petition = make_petition(goal=50)
    concern, _receipt = make_concern()
    members = [make_user() for _ in range(MEMBERS)]
    keys = app.extensions["voicebox.keys"]
    truth_keys = {"petition": keys.get("petition", petition.id), "concern": keys.get("concern", concern.id)}
    for index, member in enumerate(members):
        client.login(member)
        client.post(
            url_for("petitions.sign", petition_id=petition.id),
            data={"display_name": "", "group": str(engineering.id) if index % 3 else "", "comment": "Me too"},
        )
        client.post(url_for("concerns.support", concern_id=concern.id))
        if index % 5 == 0:
            client.post(url_for("petitions.withdraw", petition_id=petition.id))
        if index % 7 == 0:
            client.post(url_for("concerns.flag", concern_id=concern.id))
        client.logout()
    client.login(organizer)
    assert client.post(url_for("petitions.close", petition_id=petition.id)).status_code == 302
    assert (
        client.post(
            url_for("concerns.status", concern_id=concern.id), data={"status": "resolved"}
        ).status_code
        == 302
    )
    return petition, concern, members, truth_keys


def test_a_copy_of_every_file_and_secret_after_close_attributes_nothing(
    app, client, make_user, make_petition, make_concern, organizer, make_group, tmp_path
):
    petition, concern, members, truth_keys = _scenario(
        app, client, make_user, make_petition, make_concern, organizer, make_group
    )
    assert db.session.get(Petition, petition.id).signature_count > 0
    backup = Path(app.instance_path).parent / "after-close.backup"
    result = app.test_cli_runner().invoke(args=["voicebox", "backup", str(backup)])
    assert result.exit_code == 0, result.output

    # The copy: database, -wal, -shm, the key store, secrets.json and the backup.
    files = copy_everything(Path(app.instance_path).parent, tmp_path / "stolen")
    secrets = stolen_secrets(files)
    assert secrets, "the copy should include secrets.json: the test assumes the worst"
    raw = b"".join(path.read_bytes() for path in files)

    # Ground truth, kept by the test: the keys themselves never reached any file...
    for key in truth_keys.values():
        assert key is not None and key not in raw
    # ...and nothing the thief can open yields them.
    petition_keys = item_keys_from(files, secrets["master_key"], "petition", petition.id)
    concern_keys = item_keys_from(files, secrets["master_key"], "concern", concern.id)
    assert petition_keys == set() and concern_keys == set()

    # Even handed the true keys, the rows as written say nothing: nullifiers were cleared.
    member_ids = [member.id for member in members]
    assert attributed(files, petition_keys, ["signature", "cosponsor", "author"], member_ids) == set()
    assert attributed(files, concern_keys, ["support", "flag"], member_ids) == set()


def test_the_closed_items_key_files_are_overwritten_then_removed(
    app, client, make_user, make_petition, make_concern, organizer, make_group
):
    petition, concern, _members, _truth = _scenario(
        app, client, make_user, make_petition, make_concern, organizer, make_group
    )
    store = Path(app.extensions["voicebox.keys"].folder)
    assert not (store / f"petition-{petition.id}.key").exists()
    assert not (store / f"concern-{concern.id}.key").exists()
    assert not any(
        path.name.startswith(("petition-", "concern-")) and petition.id in path.name
        for path in store.iterdir()
    )
