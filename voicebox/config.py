"""Settings: a function of the environment and the instance folder, nothing else.

Secrets are never defaulted. On first run they are generated into
`instance/secrets.json` with mode 0600, or supplied by environment variables
(VOICEBOX_SECRET_KEY, VOICEBOX_MASTER_KEY, VOICEBOX_DATA_KEY, VOICEBOX_PEPPER, each
base64url). The file also names the ids of the master and data keys (checked at start-up,
as are VOICEBOX_MASTER_KEY_ID / VOICEBOX_DATA_KEY_ID when set) and, only in the middle
of `voicebox rotate-keys`, the previous data keys. The database never sees any of them.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from voicebox.crypto import KEY_BYTES, generate_key, key_id

log = logging.getLogger(__name__)

SECRETS_FILE = "secrets.json"
SECRET_NAMES = ("secret_key", "master_key", "data_key", "pepper")
# Keys whose id is written beside them, so a pasted wrong key is caught at start-up.
KEYS_WITH_IDS = ("master_key", "data_key")
PREVIOUS_DATA_KEYS = "previous_data_keys"
PREVIOUS_MASTER_KEYS = "previous_master_keys"


class ConfigError(RuntimeError):
    """The instance can't start safely with the settings it was given."""


@dataclass(frozen=True)
class Secrets:
    """The keys that live outside the database.

    `previous_data_keys` are only present between the two steps of `voicebox rotate-keys`
    (new key added, every row rewritten, old key retired) so a crash in between loses nothing.
    `previous_master_keys` are the same for `voicebox rotate-master-key` and the key store.
    """

    secret_key: bytes
    master_key: bytes
    data_key: bytes
    pepper: bytes
    previous_data_keys: tuple[bytes, ...] = ()
    previous_master_keys: tuple[bytes, ...] = ()

    @property
    def data_key_id(self) -> str:
        """The current data key's id as 8 hex characters (the id v1 ciphertext carries)."""
        return key_id(self.data_key).hex()

    @property
    def master_key_id(self) -> str:
        """The master key's id as 8 hex characters."""
        return key_id(self.master_key).hex()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(name: str, text: str) -> bytes:
    try:
        value = base64.urlsafe_b64decode(text.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name} is not valid base64url") from exc
    if len(value) != KEY_BYTES:
        raise ConfigError(f"{name} must decode to {KEY_BYTES} bytes")
    return value


def _check_ids(secrets: Secrets, ids: Mapping[str, object], where: str) -> None:
    for name in KEYS_WITH_IDS:
        stated = ids.get(f"{name}_id")
        actual = key_id(getattr(secrets, name)).hex()
        if stated and stated != actual:
            raise ConfigError(f"{where}: {name}_id {stated} does not match {name} (its id is {actual})")


def secrets_document(secrets: Secrets) -> dict[str, Any]:
    """What secrets.json holds for `secrets`: base64url keys plus the ids of the keyed ones."""
    document: dict[str, Any] = {n: _b64(getattr(secrets, n)) for n in SECRET_NAMES}
    for name in KEYS_WITH_IDS:
        document[f"{name}_id"] = key_id(getattr(secrets, name)).hex()
    if secrets.previous_data_keys:
        document[PREVIOUS_DATA_KEYS] = {key_id(k).hex(): _b64(k) for k in secrets.previous_data_keys}
    if secrets.previous_master_keys:
        document[PREVIOUS_MASTER_KEYS] = {key_id(k).hex(): _b64(k) for k in secrets.previous_master_keys}
    return document


def write_secrets(instance_path: Path, secrets: Secrets) -> Path:
    """Replace instance/secrets.json atomically (mode 0600, fsynced) with `secrets`."""
    path = instance_path / SECRETS_FILE
    temporary = path.with_name(f".{SECRETS_FILE}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(secrets_document(secrets), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(instance_path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


def _named_secrets(
    keys: Mapping[str, bytes],
    previous_data_keys: tuple[bytes, ...] = (),
    previous_master_keys: tuple[bytes, ...] = (),
) -> Secrets:
    """Secrets from a name -> key mapping holding every one of SECRET_NAMES."""
    return Secrets(
        secret_key=keys["secret_key"],
        master_key=keys["master_key"],
        data_key=keys["data_key"],
        pepper=keys["pepper"],
        previous_data_keys=previous_data_keys,
        previous_master_keys=previous_master_keys,
    )


def _previous_keys(stored: Mapping[str, Any], name: str, path: Path) -> tuple[bytes, ...]:
    previous = stored.get(name) or {}
    if not isinstance(previous, dict):
        raise ConfigError(f"{path}: {name} must map key ids to keys")
    return tuple(_unb64(name, str(v)) for v in previous.values())


def load_secrets(instance_path: Path, environ: Mapping[str, str]) -> Secrets:
    """Read secrets from the environment or the instance file, creating the file once.

    Raises ConfigError if the file is unreadable, malformed, or readable by others, or if
    a stated key id (data_key_id, master_key_id) does not match its key.
    """
    from_env = {n: environ.get(f"VOICEBOX_{n.upper()}") for n in SECRET_NAMES}
    env_ids = {f"{n}_id": environ.get(f"VOICEBOX_{n.upper()}_ID") for n in KEYS_WITH_IDS}
    if all(from_env.values()):
        secrets = _named_secrets({n: _unb64(n, v or "") for n, v in from_env.items()})
        _check_ids(secrets, env_ids, "environment")
        return secrets
    path = instance_path / SECRETS_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        generated = _named_secrets({n: generate_key() for n in SECRET_NAMES})
        # O_EXCL: two workers starting at once never both write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(secrets_document(generated), handle, indent=2)
            log.warning("voicebox: generated new instance secrets in %s", path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by other users (mode {mode:o}); run: chmod 600 {path}")
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} can't be read: {exc}") from exc
    values = {n: from_env[n] or stored.get(n) for n in SECRET_NAMES}
    missing = [n for n, v in values.items() if not v]
    if missing:
        raise ConfigError(f"{path} lacks {', '.join(missing)}")
    secrets = _named_secrets(
        {n: _unb64(n, str(v)) for n, v in values.items()},
        previous_data_keys=_previous_keys(stored, PREVIOUS_DATA_KEYS, path),
        previous_master_keys=_previous_keys(stored, PREVIOUS_MASTER_KEYS, path),
    )
    _check_ids(secrets, {k: v for k, v in stored.items() if not from_env.get(k[:-3])}, str(path))
    _check_ids(secrets, env_ids, "environment")
    return secrets


@dataclass(frozen=True)
class Settings:
    """Typed application settings; `as_flask_config` maps them onto Flask's names."""

    database_url: str
    redis_url: str | None
    session_hours: int
    cookie_secure: bool
    max_content_length: int
    argon2_time_cost: int
    argon2_memory_cost: int
    auto_migrate: bool
    ratelimit_enabled: bool
    db_pool_size: int = 5
    db_max_overflow: int = 5
    keystore_path: str = ""
    count_interval_seconds: int = 30
    background_tick: bool = True
    db_connect_timeout: int = 5
    db_statement_timeout: int = 10
    sqlite_synchronous: str = "FULL"

    def as_flask_config(self) -> dict[str, Any]:
        """The Flask / extension config keys these settings stand for."""
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url, **self.engine_limits()),
            "REDIS_URL": self.redis_url,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_HEADERS_ENABLED": True,
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=self.session_hours),
            # The cookie is re-signed only when the session changes (sign-in, a flashed
            # message), not on every read: a copied cookie stops working on schedule, and
            # the hot read paths skip the signing work.
            "SESSION_REFRESH_EACH_REQUEST": False,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.cookie_secure,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "ARGON2_TIME_COST": self.argon2_time_cost,
            "ARGON2_MEMORY_COST": self.argon2_memory_cost,
            "AUTO_MIGRATE": self.auto_migrate,
            "WTF_CSRF_TIME_LIMIT": None,
            "KEYSTORE_PATH": self.keystore_path,
            "COUNT_INTERVAL_SECONDS": self.count_interval_seconds,
            "BACKGROUND_TICK": self.background_tick,
            "SETTINGS": asdict(self),
        }

    def engine_limits(self) -> dict[str, int]:
        """The keyword arguments of `engine_options` these settings fix."""
        return {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "connect_timeout": self.db_connect_timeout,
            "statement_timeout": self.db_statement_timeout,
        }


def engine_options(
    database_url: str,
    pool_size: int = 5,
    max_overflow: int = 5,
    connect_timeout: int = 5,
    statement_timeout: int = 10,
) -> dict[str, Any]:
    """SQLAlchemy engine options suited to the engine `database_url` names.

    The timeouts (seconds; 0 turns one off) make a hung database cost a request seconds
    instead of holding a worker until gunicorn kills it.
    """
    if database_url.startswith("sqlite"):
        # sqlite3's `timeout` is SQLite's busy timeout: how long a statement waits for a
        # lock held by another process (a CLI command, a backup) before "database is
        # locked". The app's own writers queue on a file lock first (sqlite_engine.py).
        return {"connect_args": {"timeout": statement_timeout, "check_same_thread": False}}
    connect_args: dict[str, Any] = {}
    if database_url.startswith("postgresql"):
        connect_args = {
            "connect_timeout": connect_timeout,
            # Enforced by the server: a statement stuck on a lock or a runaway plan ends
            # with an error instead of holding the connection.
            "options": f"-c statement_timeout={statement_timeout * 1000}",
            # A server that vanishes mid-query (host down, network cut) is noticed by the
            # kernel within seconds instead of the default of about 15 minutes.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": (connect_timeout + statement_timeout) * 1000,
        }
    # Each gunicorn worker holds its own pool: workers x (pool_size + max_overflow) must
    # stay under the server's max_connections. pre_ping survives a restarted server.
    return {
        "pool_pre_ping": True,
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_recycle": 1800,
        # Waiting for a free pooled connection is bounded like connecting is.
        "pool_timeout": max(connect_timeout, 1),
        "connect_args": connect_args,
    }


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def load_settings(instance_path: Path, environ: Mapping[str, str]) -> Settings:
    """Build Settings from environment variables, defaulting to SQLite in the instance folder."""
    default_db = f"sqlite:///{instance_path / 'voicebox.sqlite3'}"
    return Settings(
        database_url=environ.get("DATABASE_URL") or default_db,
        redis_url=environ.get("REDIS_URL") or None,
        session_hours=_integer(environ, "VOICEBOX_SESSION_HOURS", 12),
        cookie_secure=_flag(environ, "VOICEBOX_HTTPS", False),
        max_content_length=_integer(environ, "VOICEBOX_MAX_CONTENT_LENGTH", 1024 * 1024),
        argon2_time_cost=_integer(environ, "VOICEBOX_ARGON2_TIME_COST", 3),
        argon2_memory_cost=_integer(environ, "VOICEBOX_ARGON2_MEMORY_COST", 65536),
        auto_migrate=_flag(environ, "VOICEBOX_AUTO_MIGRATE", True),
        ratelimit_enabled=_flag(environ, "VOICEBOX_RATELIMIT", True),
        db_pool_size=_integer(environ, "VOICEBOX_DB_POOL_SIZE", 5),
        db_max_overflow=_integer(environ, "VOICEBOX_DB_MAX_OVERFLOW", 5),
        keystore_path=environ.get("VOICEBOX_KEYSTORE_PATH") or str(instance_path / "keys"),
        count_interval_seconds=max(1, min(60, _integer(environ, "VOICEBOX_COUNT_INTERVAL", 30))),
        background_tick=_flag(environ, "VOICEBOX_BACKGROUND", True),
        db_connect_timeout=_integer(environ, "VOICEBOX_DB_CONNECT_TIMEOUT", 5),
        db_statement_timeout=_integer(environ, "VOICEBOX_DB_STATEMENT_TIMEOUT", 10),
        sqlite_synchronous=_synchronous(environ),
    )


def _synchronous(environ: Mapping[str, str]) -> str:
    value = (environ.get("VOICEBOX_SQLITE_SYNCHRONOUS") or "FULL").strip().upper()
    if value not in {"FULL", "NORMAL"}:
        raise ConfigError(f"VOICEBOX_SQLITE_SYNCHRONOUS must be FULL or NORMAL, not {value!r}")
    return value
