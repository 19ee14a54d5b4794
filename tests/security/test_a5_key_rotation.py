"""A5: `voicebox rotate-keys` moves every private text to a new data key and retires the old one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support import count_queued_now
from voicebox.anonymity import coarse_date
from voicebox.concerns import followup
from voicebox.concerns.service import concern_body
from voicebox.config import load_secrets
from voicebox.crypto import CryptoError, decrypt_text, key_id
from voicebox.extensions import db
from voicebox.models import Concern, FollowupMessage, Signature
from voicebox.unit_of_work import unit_of_work

BODY = "The badge readers log every door we open."


def _ciphertexts() -> list[bytes]:
    rows = [c.body_ciphertext for c in db.session.scalars(select(Concern))]
    rows += [m.body_ciphertext for m in db.session.scalars(select(FollowupMessage))]
    rows += [s.comment_ciphertext for s in db.session.scalars(select(Signature)) if s.comment_ciphertext]
    return rows


def _scenario(app, make_concern, make_petition, member, sign):
    concern, receipt = make_concern(body=BODY)
    with unit_of_work(db.session):
        followup.author_reply(
            receipt,
            "Nobody told us before.",
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
            today=coarse_date(),
        )
    count_queued_now(app)
    petition = make_petition()
    sign(petition, member, comment="Stop the keystroke logger")
    return concern, receipt


def test_rotate_keys_rewrites_every_column_and_retires_the_old_key(
    app, make_concern, make_petition, member, sign
):
    concern, receipt = _scenario(app, make_concern, make_petition, member, sign)
    old = app.extensions["voicebox.secrets"]
    before = _ciphertexts()
    assert len(before) == 3
    assert all(row[1:5] == key_id(old.data_key) for row in before)

    result = app.test_cli_runner().invoke(args=["voicebox", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "concerns.body_ciphertext: 1 re-encrypted" in result.output
    assert "followup_messages.body_ciphertext: 1 re-encrypted" in result.output

    new = load_secrets(Path(app.instance_path), {})
    assert new.data_key != old.data_key and new.previous_data_keys == ()
    assert (new.master_key, new.pepper, new.secret_key) == (old.master_key, old.pepper, old.secret_key)
    stored = json.loads((Path(app.instance_path) / "secrets.json").read_text())
    assert stored["data_key_id"] == key_id(new.data_key).hex()
    assert "previous_data_keys" not in stored

    db.session.expire_all()
    after = _ciphertexts()
    assert all(row[1:5] == key_id(new.data_key) for row in after)
    assert not set(before) & set(after)
    rewritten_body = db.session.get(Concern, concern.id).body_ciphertext
    with pytest.raises(CryptoError):  # the retired key opens nothing any more
        decrypt_text(old.data_key, rewritten_body, f"concern-body:{concern.id}")
    assert concern_body(db.session.get(Concern, concern.id), new) == BODY
    thread = followup.open_thread(receipt, new, app.extensions["voicebox.keys"])
    assert [m.text for m in thread.messages] == ["Nobody told us before."]
    signature = db.session.scalars(select(Signature)).one()
    assert decrypt_text(new.data_key, signature.comment_ciphertext, f"signature:{signature.id}") == (
        "Stop the keystroke logger"
    )


def test_a_row_no_key_opens_stops_rotation_with_nothing_changed(
    app, make_concern, make_petition, member, sign
):
    concern, _ = _scenario(app, make_concern, make_petition, member, sign)
    old = app.extensions["voicebox.secrets"]
    db.session.execute(
        Concern.__table__.update().where(Concern.id == concern.id).values(body_ciphertext=b"\x01" * 80)
    )
    db.session.commit()
    before = _ciphertexts()

    result = app.test_cli_runner().invoke(args=["voicebox", "rotate-keys"])
    assert result.exit_code != 0
    assert "opens under none of the keys" in result.output
    db.session.expire_all()
    assert sorted(_ciphertexts()) == sorted(before)
    assert load_secrets(Path(app.instance_path), {}) == old


def test_an_interrupted_rotation_is_finished_by_running_it_again(
    app, make_concern, make_petition, member, sign
):
    """A crash after the new key reached secrets.json but before the commit: both keys are kept."""
    from dataclasses import replace

    from voicebox.config import write_secrets
    from voicebox.crypto import generate_key

    concern, _ = _scenario(app, make_concern, make_petition, member, sign)
    old = app.extensions["voicebox.secrets"]
    crashed = replace(old, data_key=generate_key(), previous_data_keys=(old.data_key,))
    write_secrets(Path(app.instance_path), crashed)
    app.extensions["voicebox.secrets"] = crashed

    result = app.test_cli_runner().invoke(args=["voicebox", "rotate-keys"])
    assert result.exit_code == 0, result.output
    final = load_secrets(Path(app.instance_path), {})
    assert final.previous_data_keys == ()
    db.session.expire_all()
    assert concern_body(db.session.get(Concern, concern.id), final) == BODY


def test_rotation_refuses_keys_supplied_by_the_environment(make_app):
    from base64 import urlsafe_b64encode

    from voicebox.crypto import generate_key

    environ = {
        f"VOICEBOX_{name.upper()}": urlsafe_b64encode(generate_key()).decode()
        for name in ("secret_key", "master_key", "data_key", "pepper")
    }
    app = make_app(ENVIRON=environ)
    result = app.test_cli_runner().invoke(args=["voicebox", "rotate-keys"])
    assert result.exit_code != 0
    assert "environment variables" in result.output
