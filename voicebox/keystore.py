"""Item keys kept outside the database, and destroyed there (no Flask imports).

A petition's or concern's own key is what turns a member into a nullifier. Databases don't
delete: SQLite's WAL and free pages, PostgreSQL's dead tuples and pg_wal, backups and
replicas all keep old bytes. So item keys never enter the database at all. Each lives in
one small file of its own in a folder beside the database (`instance/keys/` by default),
wrapped under the master key, and closing the item overwrites, syncs and removes that file.
A copy of every file the database ever wrote, plus the master key, then holds nothing
from which a closed item's nullifiers can be recomputed. The folder is never part of a
backup.

Short-lived "window" keys live here too: they seal actions waiting to be counted
(see `voicebox.pending`) and are destroyed once the window is flushed.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from voicebox.crypto import CryptoError, generate_key, unwrap_key, wrap_key

# "token" keys are a petition's RSA blind-signing key (PKCS#8 DER, voicebox.blind_rsa);
# "token-support" a concern's "me too" one, "token-cosponsor" a draft's co-sponsorship one.
KINDS = frozenset({"petition", "concern", "window", "token", "token-support", "token-cosponsor"})
_ITEM_ID = re.compile(r"^[0-9a-f]{32}$")
_SUFFIX = ".key"


class KeyStoreError(RuntimeError):
    """The key store folder can't be used safely (permissions, a corrupt key file)."""


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, sealed: bytes) -> Path:
    """Write `sealed` to a new 0600 temporary file beside `path`, synced; returns its path."""
    # A name of this writer's own, created exclusively: two workers making one item's key at
    # once must not write into (or link, or remove) each other's temporary file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, sealed)
        os.fsync(fd)
    finally:
        os.close(fd)
    return temporary


def _shred(path: Path) -> None:
    """Overwrite a file's bytes (random, then zeros), syncing each pass, then remove it."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return
    try:
        size = os.fstat(fd).st_size
        os.write(fd, os.urandom(size))
        os.fsync(fd)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"\x00" * size)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)


class KeyStore:
    """Per-item keys in files of their own, wrapped under the master key."""

    def __init__(self, folder: Path, master_key: bytes, previous_master_keys: tuple[bytes, ...] = ()) -> None:
        self.folder = folder
        self._folder_name = os.fspath(folder)
        self._master_key = master_key
        # Only between the steps of a master-key rotation: files not yet re-wrapped still open.
        self._previous_master_keys = previous_master_keys

    def ensure_folder(self) -> None:
        """Create the folder owner-only; raises KeyStoreError if others can read it."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = self.folder.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyStoreError(
                f"{self.folder} is readable by other users (mode {mode:o}); run: chmod 700 {self.folder}"
            )

    def _path(self, kind: str, item_id: str) -> Path:
        return Path(self._file_name(kind, item_id))

    def _file_name(self, kind: str, item_id: str) -> str:
        # A plain string: every page view and signature reads two or three keys, and
        # building Path objects cost more than the read itself.
        if kind not in KINDS or not _ITEM_ID.match(item_id):
            raise KeyStoreError(f"not a key name: {kind}/{item_id}")
        return f"{self._folder_name}/{kind}-{item_id}{_SUFFIX}"

    @staticmethod
    def _context(kind: str, item_id: str) -> str:
        return f"keystore:{kind}:{item_id}"

    def create(self, kind: str, item_id: str) -> bytes:
        """Make, store and return a fresh key for one item; raises KeyStoreError if it exists."""
        key = generate_key()
        self.put(kind, item_id, key)
        return key

    def put(self, kind: str, item_id: str, key: bytes) -> None:
        """Store a given key for one item (migrating old keys); raises KeyStoreError if it exists."""
        path = self._path(kind, item_id)
        temporary = _write_synced(path, wrap_key(self._master_key, key, self._context(kind, item_id)))
        try:
            # link() refuses to replace: two workers can't both create one item's key.
            os.link(temporary, path)
        except FileExistsError as exc:
            raise KeyStoreError(f"a key for {kind} {item_id} already exists") from exc
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_folder(self.folder)

    def get(self, kind: str, item_id: str) -> bytes | None:
        """The item's key, or None once destroyed; raises KeyStoreError for a corrupt file."""
        try:
            with open(self._file_name(kind, item_id), "rb") as file:
                sealed = file.read()
        except FileNotFoundError:
            return None
        try:
            return unwrap_key(
                self._master_key, sealed, self._context(kind, item_id), old_keys=self._previous_master_keys
            )
        except CryptoError as exc:
            raise KeyStoreError(f"the key file for {kind} {item_id} does not open") from exc

    def age_seconds(self, kind: str, item_id: str) -> float | None:
        """Seconds since the item's key file was written, or None if there is none."""
        try:
            return time.time() - self._path(kind, item_id).stat().st_mtime
        except FileNotFoundError:
            return None

    def exists(self, kind: str, item_id: str) -> bool:
        """Whether the item still has a key (it is not yet closed)."""
        return self._path(kind, item_id).exists()

    def destroy(self, kind: str, item_id: str) -> bool:
        """Overwrite, sync and remove the item's key file; returns False if there was none."""
        path = self._path(kind, item_id)
        # A writer that died between writing its temporary copy and linking it left the
        # wrapped key beside the real one: closing the item must take that copy too.
        for leftover in self.folder.glob(f".{path.name}.*.tmp"):
            _shred(leftover)
        # Renamed first (atomically): a reader then finds the key or no key, never the
        # half-overwritten bytes, and two destroyers never overwrite the same file.
        doomed = self.folder / f".destroying-{kind}-{item_id}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            os.rename(path, doomed)
        except FileNotFoundError:
            return False
        _shred(doomed)
        _fsync_folder(self.folder)
        return True

    def item_ids(self, kind: str) -> Iterator[str]:
        """Every item of `kind` that still holds a key."""
        prefix = f"{kind}-"
        if not self.folder.exists():
            return
        for path in self.folder.iterdir():
            name = path.name
            if name.startswith(prefix) and name.endswith(_SUFFIX):
                item_id = name[len(prefix) : -len(_SUFFIX)]
                if _ITEM_ID.match(item_id):
                    yield item_id

    def rewrap(self, new_master_key: bytes) -> int:
        """Re-wrap every key under a new master key (rotation); returns how many.

        Each file is replaced atomically, so a crash part-way leaves every file opening
        under the old key or the new one; the caller keeps both listed until this returns.
        """
        count = 0
        for kind in sorted(KINDS):
            for item_id in list(self.item_ids(kind)):
                key = self.get(kind, item_id)
                if key is None:
                    continue
                path = self._path(kind, item_id)
                sealed = wrap_key(new_master_key, key, self._context(kind, item_id))
                os.replace(_write_synced(path, sealed), path)
                count += 1
        _fsync_folder(self.folder)
        self._master_key = new_master_key
        self._previous_master_keys = ()
        return count
