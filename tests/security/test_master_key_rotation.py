"""`voicebox rotate-master-key`: every item key re-wrapped, the old master key opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebox.config import load_secrets
from voicebox.keystore import KeyStore, KeyStoreError

CLI = ["voicebox", "rotate-master-key"]


class PowerCut(Exception):
    """The process dies part-way through."""


def _key_files(app) -> dict[tuple[str, str], bytes]:
    keys = app.extensions["voicebox.keys"]
    found = {}
    for kind in ("petition", "concern"):
        for item_id in keys.item_ids(kind):
            found[(kind, item_id)] = keys.get(kind, item_id)
    return found


def test_rotating_the_master_key_rewraps_every_item_key_and_retires_the_old(
    app, make_app, make_petition, make_concern
):
    make_petition()
    make_petition()
    make_concern()
    old = app.extensions["voicebox.secrets"]
    before = _key_files(app)
    assert len(before) == 3

    result = app.test_cli_runner().invoke(args=CLI)
    assert result.exit_code == 0, result.output
    assert (
        f"re-wrapped under master key {load_secrets(Path(app.instance_path), {}).master_key_id}"
        in result.output
    )

    new = load_secrets(Path(app.instance_path), {})
    assert new.master_key != old.master_key and new.previous_master_keys == ()
    folder = app.extensions["voicebox.keys"].folder
    # Whoever copied the old secrets.json holds a key that opens none of the files now.
    stale = KeyStore(folder, old.master_key)
    for kind, item_id in before:
        with pytest.raises(KeyStoreError):
            stale.get(kind, item_id)
    # The app started afresh from the instance reads every key as before.
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    restarted = make_app(INSTANCE_PATH=app.instance_path, SQLALCHEMY_DATABASE_URI=uri)
    assert _key_files(restarted) == before


def test_an_interrupted_master_rotation_runs_and_is_finished_by_running_it_again(
    app, make_app, make_petition, make_concern, monkeypatch
):
    make_petition()
    make_petition()
    make_concern()
    before = _key_files(app)
    real_rewrap = KeyStore.rewrap

    def crash_half_way(self, new_master_key):
        # Re-wrap one file under the new key, then die as a power cut would.
        kind, item_id = next(iter(before))
        from voicebox.crypto import wrap_key

        path = self._path(kind, item_id)
        path.write_bytes(wrap_key(new_master_key, before[(kind, item_id)], self._context(kind, item_id)))
        raise PowerCut

    monkeypatch.setattr(KeyStore, "rewrap", crash_half_way)
    with pytest.raises(PowerCut):
        app.test_cli_runner().invoke(args=CLI, catch_exceptions=False)
    monkeypatch.setattr(KeyStore, "rewrap", real_rewrap)

    crashed = load_secrets(Path(app.instance_path), {})
    assert len(crashed.previous_master_keys) == 1, "both master keys must stay listed after a crash"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    restarted = make_app(INSTANCE_PATH=app.instance_path, SQLALCHEMY_DATABASE_URI=uri)
    assert _key_files(restarted) == before, "a half-rotated store must still open every key"

    with restarted.app_context():  # the command runs in the restarted app, as after a reboot
        result = restarted.test_cli_runner().invoke(args=CLI)
    assert result.exit_code == 0, result.output
    assert load_secrets(Path(app.instance_path), {}).previous_master_keys == ()
    assert _key_files(make_app(INSTANCE_PATH=app.instance_path, SQLALCHEMY_DATABASE_URI=uri)) == before


def test_master_rotation_refuses_keys_supplied_by_the_environment(make_app):
    from base64 import urlsafe_b64encode

    from voicebox.crypto import generate_key

    environ = {
        f"VOICEBOX_{name.upper()}": urlsafe_b64encode(generate_key()).decode()
        for name in ("secret_key", "master_key", "data_key", "pepper")
    }
    app = make_app(ENVIRON=environ)
    result = app.test_cli_runner().invoke(args=CLI)
    assert result.exit_code != 0
    assert "environment variables" in result.output
