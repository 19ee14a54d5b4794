"""Settings come from the environment and instance/; secrets are generated, never defaulted."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from voicebox import STATIC, TEMPLATES, create_app
from voicebox.config import ConfigError, load_secrets, load_settings


def test_templates_and_static_files_exist_where_the_app_looks():
    assert (TEMPLATES / "base.html").is_file()
    assert (STATIC / "css" / "voicebox.css").is_file()


def test_first_run_generates_secrets_readable_only_by_the_owner(tmp_path):
    secrets = load_secrets(tmp_path, {})
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len({secrets.secret_key, secrets.master_key, secrets.data_key, secrets.pepper}) == 4
    assert load_secrets(tmp_path, {}) == secrets


def test_two_instances_get_different_secrets(tmp_path):
    assert load_secrets(tmp_path / "a", {}) != load_secrets(tmp_path / "b", {})


def test_a_secrets_file_others_can_read_is_refused(tmp_path):
    load_secrets(tmp_path, {})
    os.chmod(tmp_path / "secrets.json", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_secrets(tmp_path, {})


def test_a_malformed_secret_is_refused(tmp_path):
    load_secrets(tmp_path, {})
    path = tmp_path / "secrets.json"
    data = json.loads(path.read_text())
    data["master_key"] = "too-short"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="master_key"):
        load_secrets(tmp_path, {})


def test_secrets_may_come_from_the_environment_instead(tmp_path):
    env = {
        f"VOICEBOX_{name}": base64.urlsafe_b64encode(bytes([i]) * 32).decode()
        for i, name in enumerate(("SECRET_KEY", "MASTER_KEY", "DATA_KEY", "PEPPER"), start=1)
    }
    secrets = load_secrets(tmp_path, env)
    assert secrets.master_key == bytes([2]) * 32
    assert not (tmp_path / "secrets.json").exists()


def test_sqlite_in_the_instance_folder_is_the_default(tmp_path):
    settings = load_settings(tmp_path, {})
    assert settings.database_url == f"sqlite:///{tmp_path / 'voicebox.sqlite3'}"
    assert settings.redis_url is None
    postgres = load_settings(tmp_path, {"DATABASE_URL": "postgresql+psycopg://db/voicebox"})
    assert postgres.database_url == "postgresql+psycopg://db/voicebox"


def test_a_bad_number_in_the_environment_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="VOICEBOX_SESSION_HOURS"):
        load_settings(tmp_path, {"VOICEBOX_SESSION_HOURS": "soon"})


def test_create_app_builds_a_migrated_database_on_first_run(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "ENVIRON": {}})
    database = tmp_path / "instance" / "voicebox.sqlite3"
    assert database.is_file()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert app.test_client().get("/healthz").get_json() == {
        "status": "ok",
        "checks": {"database": "ok"},
        "rate_limits": "memory",
    }
    from voicebox.extensions import db

    with app.app_context():
        db.engine.dispose()


def test_database_timeouts_default_to_seconds_and_follow_the_environment(tmp_path):
    default = load_settings(tmp_path, {"DATABASE_URL": "postgresql+psycopg://db/voicebox"})
    options = default.as_flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["connect_args"]["options"] == "-c statement_timeout=10000"
    assert options["pool_timeout"] == 5
    tuned = load_settings(
        tmp_path,
        {
            "DATABASE_URL": "postgresql+psycopg://db/voicebox",
            "VOICEBOX_DB_CONNECT_TIMEOUT": "2",
            "VOICEBOX_DB_STATEMENT_TIMEOUT": "3",
        },
    )
    options = tuned.as_flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 2
    assert options["connect_args"]["options"] == "-c statement_timeout=3000"
    sqlite = load_settings(tmp_path, {"VOICEBOX_DB_STATEMENT_TIMEOUT": "3"})
    assert sqlite.as_flask_config()["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] == 3


def test_a_database_url_given_as_an_override_keeps_the_configured_timeouts(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "ENVIRON": {"VOICEBOX_DB_CONNECT_TIMEOUT": "2"},
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:1/none",
            "AUTO_MIGRATE": False,
        }
    )
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 2


def test_secrets_file_names_the_key_ids_and_refuses_a_mismatched_key(tmp_path):
    from voicebox.crypto import key_id

    secrets = load_secrets(tmp_path, {})
    path = tmp_path / "secrets.json"
    stored = json.loads(path.read_text())
    assert stored["data_key_id"] == key_id(secrets.data_key).hex() == secrets.data_key_id
    assert stored["master_key_id"] == key_id(secrets.master_key).hex() == secrets.master_key_id
    stored["data_key"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    path.write_text(json.dumps(stored))
    with pytest.raises(ConfigError, match="data_key_id"):
        load_secrets(tmp_path, {})


def test_a_secrets_file_from_before_key_ids_still_loads(tmp_path):
    secrets = load_secrets(tmp_path, {})
    path = tmp_path / "secrets.json"
    stored = json.loads(path.read_text())
    del stored["data_key_id"], stored["master_key_id"]
    path.write_text(json.dumps(stored))
    assert load_secrets(tmp_path, {}) == secrets


def test_previous_data_keys_are_loaded_during_a_rotation(tmp_path):
    from dataclasses import replace

    from voicebox.config import write_secrets

    secrets = load_secrets(tmp_path, {})
    staged = replace(secrets, previous_data_keys=(os.urandom(32),))
    write_secrets(tmp_path, staged)
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    assert load_secrets(tmp_path, {}) == staged
