"""Data-key rotation: a new key, every ciphertext column rewritten in one transaction, old key retired.

Order matters for crash safety. The new key is written to secrets.json *beside* the old
one before any row changes (a crash after the commit must never leave rows under a key
nobody holds); the rows are rewritten in one transaction; only after the commit is the
old key dropped from the file. A crash in between leaves both keys in the file, and
running the command again finishes the job (it opens each row by the key id it carries).

Master-key rotation (`rotate_master_key`) follows the same order for the key store: the new
master key is listed beside the old ones, every key file is re-wrapped (each replaced
atomically), and only then are the old ones dropped from secrets.json.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from voicebox.config import Secrets, write_secrets
from voicebox.crypto import CryptoError, generate_key, key_id, reencrypt_text
from voicebox.keystore import KeyStore
from voicebox.models import Concern, FollowupMessage, PetitionBreakdown, Signature
from voicebox.models.base import DbSession
from voicebox.petitions.breakdown import group_context
from voicebox.petitions.counting import comment_context
from voicebox.unit_of_work import unit_of_work


class RotationError(Exception):
    """Rotation stopped; the database is unchanged and the message says what to do."""


def _concern_context(row_id: str) -> str:
    return f"concern-body:{row_id}"


def _followup_context(row_id: str) -> str:
    return f"followup:{row_id}"


def _breakdown_context(petition_id: str) -> str:
    return f"breakdown:{petition_id}"


# Every ciphertext column: (model, column name, the context its rows are bound to).
CIPHERTEXT_COLUMNS: tuple[tuple[Any, str, Callable[[str], str]], ...] = (
    (Concern, "body_ciphertext", _concern_context),
    (FollowupMessage, "body_ciphertext", _followup_context),
    (Signature, "comment_ciphertext", comment_context),
    (Signature, "group_ciphertext", group_context),
    (PetitionBreakdown, "sealed", _breakdown_context),
)


@dataclass(frozen=True)
class RotationSummary:
    """How many rows of each column were rewritten, and the ids of the keys involved."""

    rewritten: dict[str, int]
    new_key_id: str
    retired_key_ids: tuple[str, ...]


def reencrypt_columns(session: DbSession, new_key: bytes, old_keys: tuple[bytes, ...]) -> dict[str, int]:
    """Rewrite every ciphertext under `new_key` in the session's transaction (not committed).

    Rows are rewritten in random order so the new row versions carry no order of their own.
    Raises RotationError naming the first row no key opens.
    """
    rewritten: dict[str, int] = {}
    for model, column, context in CIPHERTEXT_COLUMNS:
        attribute = getattr(model, column)
        rows = list(session.scalars(select(model).where(attribute.is_not(None))))
        random.SystemRandom().shuffle(rows)
        count = 0
        for row in rows:
            try:
                fresh = reencrypt_text(new_key, old_keys, getattr(row, column), context(row.id))
            except CryptoError as exc:
                raise RotationError(
                    f"{model.__tablename__}.{column} of row {row.id} opens under none of the keys; "
                    "nothing was changed"
                ) from exc
            if fresh is not None:
                setattr(row, column, fresh)
                count += 1
        rewritten[f"{model.__tablename__}.{column}"] = count
    session.flush()
    return rewritten


def rotate_data_key(
    session: DbSession, secrets: Secrets, instance_path: Path
) -> tuple[Secrets, RotationSummary]:
    """Add a new data key, re-encrypt every column under it in one transaction, retire the old keys.

    Returns the secrets now in force. Raises RotationError (database rolled back, the old
    secrets file restored) when a row opens under no key.
    """
    old_keys = (secrets.data_key, *secrets.previous_data_keys)
    staged = replace(secrets, data_key=generate_key(), previous_data_keys=old_keys)
    write_secrets(instance_path, staged)
    try:
        # This command's one unit: the secrets files are written around its commit.
        with unit_of_work(session):
            rewritten = reencrypt_columns(session, staged.data_key, old_keys)
    except BaseException:
        write_secrets(instance_path, secrets)
        raise
    final = replace(staged, previous_data_keys=())
    write_secrets(instance_path, final)
    return final, RotationSummary(
        rewritten=rewritten,
        new_key_id=final.data_key_id,
        retired_key_ids=tuple(replace(secrets, data_key=k).data_key_id for k in old_keys),
    )


@dataclass(frozen=True)
class MasterKeyRotation:
    """What a master-key rotation did: the key store now in force, counts and key ids (never keys)."""

    secrets: Secrets
    keys: KeyStore
    rewrapped: int
    new_key_id: str
    retired_key_ids: tuple[str, ...]


def rotate_master_key(secrets: Secrets, instance_path: Path, keys: KeyStore) -> MasterKeyRotation:
    """Re-wrap every item key under a new master key, then retire the old ones.

    A crash part-way leaves secrets.json listing both keys and every file opening under one
    of them: the app runs, and running the command again finishes the job. Raises
    KeyStoreError (naming the file) when a key file opens under none of the keys.
    """
    old_keys = (secrets.master_key, *secrets.previous_master_keys)
    staged = replace(secrets, master_key=generate_key(), previous_master_keys=old_keys)
    write_secrets(instance_path, staged)
    store = KeyStore(keys.folder, staged.master_key, old_keys)
    rewrapped = store.rewrap(staged.master_key)
    final = replace(staged, previous_master_keys=())
    write_secrets(instance_path, final)
    return MasterKeyRotation(
        final, store, rewrapped, final.master_key_id, tuple(key_id(k).hex() for k in old_keys)
    )
